import { AccountSpec } from '@app/ledger';

/**
 * The part of gross card contributions that paid the processor's fee. The fee is booked as its
 * own expense (`expense:processor-fees`) and this income covers it, so the split applies to the
 * net amount and the fund's result stays zero.
 */
export const feeCoverAccount = (currency = 'EUR'): AccountSpec => ({
  code: `income:processor-fee-cover:${currency.toLowerCase()}`,
  currency,
  normalSide: 'credit',
  balanceLimit: 'none',
  hot: true,
});
