import { PublicNames } from '@app/transparency';
import { Lang } from '../i18n';

/** Human labels of the ledger's entry kinds; an unknown kind shows as itself. */
export const KIND_LABELS: Record<string, Record<Lang, string>> = {
  'contribution.levy': { fr: 'Contribution d’un organisme public', en: 'Contribution of a public body' },
  'contribution.public': { fr: 'Contribution d’un organisme public', en: 'Contribution of a public body' },
  'contribution.donation': { fr: 'Don', en: 'Donation' },
  'contribution.booked': { fr: 'Contribution reçue', en: 'Contribution received' },
  'contribution.refund': { fr: 'Remboursement d’une contribution', en: 'Refund of a contribution' },
  'contribution.refunded': { fr: 'Remboursement d’une contribution', en: 'Refund of a contribution' },
  'contribution.shortfall': { fr: 'Contribution incomplète', en: 'Contribution shortfall' },
  'contribution.dispute_fee': { fr: 'Frais de contestation de paiement', en: 'Payment dispute fee' },
  'contribution.dispute_won': { fr: 'Contestation de paiement gagnée', en: 'Payment dispute won' },
  'governance.round-open': { fr: 'Ouverture d’un tour de financement', en: 'Funding round opened' },
  'governance.round-tally': { fr: 'Attribution d’un tour de financement', en: 'Funding round allocation' },
  'governance.round.allocation': { fr: 'Attribution par le comité', en: 'Allocation by the committee' },
  'disbursement.payable': { fr: 'Mise en paiement', en: 'Put into payment' },
  'disbursement.payout': { fr: 'Versement à un projet', en: 'Payout to a project' },
  'disbursement.payout.posted': {
    fr: 'Versement confirmé par la banque',
    en: 'Payout confirmed by the bank',
  },
  'disbursement.payout.voided': { fr: 'Versement échoué', en: 'Payout failed' },
  'disbursement.payout.returned': {
    fr: 'Versement retourné par la banque',
    en: 'Payout returned by the bank',
  },
  'disbursement.expiry': {
    fr: 'Somme non réclamée rendue à la réserve',
    en: 'Unclaimed money back to the pool',
  },
  'bank.suspense': { fr: 'Virement non identifié', en: 'Unidentified transfer' },
  'bank.suspense.refunded': { fr: 'Virement non identifié remboursé', en: 'Unidentified transfer refunded' },
  'bank.fee': { fr: 'Frais bancaires', en: 'Bank fees' },
  adjustment: { fr: 'Correction', en: 'Adjustment' },
};

/** The filter list of kinds: families first, then the known kinds. */
export const KIND_OPTIONS: readonly string[] = [
  'contribution',
  'governance',
  'disbursement',
  ...Object.keys(KIND_LABELS),
].filter((k, i, all) => all.indexOf(k) === i);

const FAMILY_LABELS: Record<string, Record<Lang, string>> = {
  contribution: { fr: 'Toutes les contributions', en: 'All contributions' },
  governance: { fr: 'Toutes les décisions du comité', en: 'All committee decisions' },
  disbursement: { fr: 'Tous les versements', en: 'All payouts' },
};

export function kindLabel(kind: string, lang: Lang): string {
  return KIND_LABELS[kind]?.[lang] ?? FAMILY_LABELS[kind]?.[lang] ?? kind;
}

const FIXED: Record<string, Record<Lang, string>> = {
  'asset:bank': { fr: 'Compte bancaire du fonds', en: 'The fund’s bank account' },
  'asset:stripe': {
    fr: 'Compte Stripe du fonds (paiements par carte)',
    en: 'The fund’s Stripe account (card payments)',
  },
  'liability:pool': {
    fr: 'Réserve commune (répartie par le comité)',
    en: 'Common pool (shared out by the committee)',
  },
  'liability:suspense': { fr: 'Virements non identifiés, en attente', en: 'Unidentified transfers, waiting' },
  'income:operating': { fr: 'Frais de fonctionnement du fonds', en: 'The fund’s operating fee' },
  'income:processor-fee-cover': {
    fr: 'Frais de paiement couverts par les donateurs',
    en: 'Payment fees covered by donors',
  },
  'expense:processor-fees': { fr: 'Frais de paiement (Stripe)', en: 'Payment fees (Stripe)' },
  'expense:bank-fees': { fr: 'Frais bancaires', en: 'Bank fees' },
};

/**
 * An account code in words, with the names of the project or round it belongs to:
 * `liability:project:<uuid>:directed:eur` → "PostgreSQL — parts dirigées".
 */
export function accountLabel(code: string, names: PublicNames, lang: Lang): { label: string; href?: string } {
  const parts = code.split(':');
  const fixed = FIXED[`${parts[0]}:${parts[1]}`];
  if (fixed) return { label: fixed[lang] };
  if (parts[0] === 'liability' && (parts[1] === 'project' || parts[1] === 'payable')) {
    const project = names.projects.get(parts[2]);
    const name = project?.name ?? parts[2];
    const href = `/projects/${encodeURIComponent(project?.slug ?? parts[2])}`;
    const part =
      parts[1] === 'payable'
        ? { fr: 'à payer', en: 'payable' }
        : parts[3] === 'directed'
          ? { fr: 'parts dirigées', en: 'directed shares' }
          : { fr: 'attribué par le comité', en: 'allocated by the committee' };
    return { label: `${name} — ${part[lang]}`, href };
  }
  if (parts[0] === 'liability' && parts[1] === 'round') {
    const title = names.rounds.get(parts[2]);
    return {
      label:
        lang === 'fr'
          ? `Tour de financement « ${title ?? parts[2]} »`
          : `Funding round “${title ?? parts[2]}”`,
      href: `/rounds/${encodeURIComponent(parts[2])}`,
    };
  }
  return { label: code };
}
