import { AccountSpec } from '@app/ledger';

/** Credits the fund cannot allocate yet (overpayments, credits for paid obligations) until a person resolves them. */
export const suspenseAccount = (currency = 'EUR'): AccountSpec => ({
  code: `liability:suspense:${currency.toLowerCase()}`,
  currency,
  normalSide: 'credit',
  balanceLimit: 'debits_must_not_exceed_credits',
});

/** What the bank charges the fund, booked from its statements. */
export const bankFeesAccount = (currency = 'EUR'): AccountSpec => ({
  code: `expense:bank-fees:${currency.toLowerCase()}`,
  currency,
  normalSide: 'debit',
  balanceLimit: 'none',
});
