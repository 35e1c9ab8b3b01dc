import { readAmountStep, readChoice, readIdentity, readSelection } from './giving-form';
import { planAmountCents } from './giving.service';

describe('the donate form', () => {
  it('reads the amount in the page language and the frequency', () => {
    expect(readAmountStep({ amount: '12,50', frequency: 'monthly' }, 'fr')).toEqual({
      amount: 1250n,
      frequency: 'monthly',
      errors: [],
    });
    expect(readAmountStep({ amount: '1,234.56' }, 'en')).toMatchObject({
      amount: 123456n,
      frequency: 'one_time',
    });
  });

  it('names the field and the reason of each refusal', () => {
    expect(readAmountStep({ amount: '0,50', frequency: 'weekly' }, 'fr').errors).toEqual([
      { field: 'amount', code: 'amount.too_small' },
      { field: 'frequency', code: 'frequency.invalid' },
    ]);
    expect(readAmountStep({ amount: '12,345' }, 'fr').errors).toEqual([
      { field: 'amount', code: 'amount.too_many_decimals' },
    ]);
    expect(readAmountStep({ amount: '2000000' }, 'en').errors).toEqual([
      { field: 'amount', code: 'amount.too_large' },
    ]);
    expect(readAmountStep({}, 'en').errors).toEqual([{ field: 'amount', code: 'amount.empty' }]);
  });

  it('keeps the chosen projects in order, adds and removes, drops duplicates and malformed slugs', () => {
    expect(
      readSelection({
        p: ['gdal', 'qgis', 'gdal', 'Bad Slug!'],
        w_qgis: '3',
        add: 'postgis',
        remove: 'gdal',
      }),
    ).toEqual({
      projects: [
        { slug: 'qgis', weightText: '3' },
        { slug: 'postgis', weightText: '1' },
      ],
    });
  });

  it('reads the whole choice: projects with weights, or the committee', () => {
    expect(readChoice({ amount: '30', p: ['qgis', 'gdal'], w_qgis: '2', w_gdal: '1' }, 'fr')).toEqual({
      choice: {
        amount: 3000n,
        frequency: 'one_time',
        committee: false,
        projects: [
          { slug: 'qgis', weight: 2n },
          { slug: 'gdal', weight: 1n },
        ],
      },
      errors: [],
    });
    expect(readChoice({ amount: '30', spread: 'committee', p: 'qgis' }, 'fr').choice).toMatchObject({
      committee: true,
      projects: [],
    });
    expect(readChoice({ amount: '30' }, 'fr').errors).toEqual([{ field: 'spread', code: 'projects.none' }]);
    expect(readChoice({ amount: '30', p: 'qgis', w_qgis: '0' }, 'fr').errors).toEqual([
      { field: 'w_qgis', code: 'weight.invalid' },
    ]);
    expect(readChoice({ amount: '30', p: 'qgis', w_qgis: '1.5' }, 'fr').errors).toEqual([
      { field: 'w_qgis', code: 'weight.invalid' },
    ]);
  });

  it('reads the identity: a public name when named, an optional address', () => {
    expect(readIdentity({ named: 'yes', publicName: ' Ada ', email: 'ada@example.org' })).toEqual({
      identity: { publicName: 'Ada', email: 'ada@example.org' },
      errors: [],
    });
    expect(readIdentity({ named: 'no', publicName: 'ignored' })).toEqual({
      identity: { publicName: null, email: null },
      errors: [],
    });
    expect(readIdentity({ named: 'yes', email: 'nope' }).errors).toEqual([
      { field: 'publicName', code: 'publicName.required' },
      { field: 'email', code: 'email.invalid' },
    ]);
  });

  it("reads a funding plan's amount exactly into cents", () => {
    expect(planAmountCents(5000)).toBe(500000n);
    expect(planAmountCents(12.5)).toBe(1250n);
    expect(planAmountCents(0.07)).toBe(7n);
    expect(planAmountCents(1.005)).toBeNull();
    expect(planAmountCents(-1)).toBeNull();
    expect(planAmountCents('12')).toBeNull();
  });
});
