import { formatMoney } from '../format';
import { Lang } from '../i18n';

/** An amount of money formatted exactly from its cents. */
export function Money({
  cents,
  currency = 'EUR',
  lang,
}: {
  cents: bigint | string;
  currency?: string;
  lang: Lang;
}) {
  return <span className="money">{formatMoney(cents, currency, lang)}</span>;
}
