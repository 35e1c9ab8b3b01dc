import { AccountSpec } from './ledger.types';

/**
 * The chart of accounts. Money held for projects and the pool is owed by the fund (liabilities,
 * credit-normal, never negative); cash is an asset (debit-normal, never negative).
 */
export const Accounts = {
  bank: (currency = 'EUR'): AccountSpec => ({
    code: `asset:bank:${currency.toLowerCase()}`,
    currency,
    normalSide: 'debit',
    balanceLimit: 'credits_must_not_exceed_debits',
    hot: true,
  }),
  stripe: (currency = 'EUR'): AccountSpec => ({
    code: `asset:stripe:${currency.toLowerCase()}`,
    currency,
    normalSide: 'debit',
    balanceLimit: 'credits_must_not_exceed_debits',
    hot: true,
  }),
  pool: (currency = 'EUR'): AccountSpec => ({
    code: `liability:pool:${currency.toLowerCase()}`,
    currency,
    normalSide: 'credit',
    balanceLimit: 'debits_must_not_exceed_credits',
    hot: true,
  }),
  operatingIncome: (currency = 'EUR'): AccountSpec => ({
    code: `income:operating:${currency.toLowerCase()}`,
    currency,
    normalSide: 'credit',
    balanceLimit: 'none',
    hot: true,
  }),
  processorFees: (currency = 'EUR'): AccountSpec => ({
    code: `expense:processor-fees:${currency.toLowerCase()}`,
    currency,
    normalSide: 'debit',
    balanceLimit: 'none',
    hot: true,
  }),
  projectDirected: (projectId: string, currency = 'EUR'): AccountSpec => ({
    code: `liability:project:${projectId}:directed:${currency.toLowerCase()}`,
    currency,
    normalSide: 'credit',
    balanceLimit: 'debits_must_not_exceed_credits',
  }),
  projectAllocated: (projectId: string, currency = 'EUR'): AccountSpec => ({
    code: `liability:project:${projectId}:allocated:${currency.toLowerCase()}`,
    currency,
    normalSide: 'credit',
    balanceLimit: 'debits_must_not_exceed_credits',
  }),
  payable: (projectId: string, currency = 'EUR'): AccountSpec => ({
    code: `liability:payable:${projectId}:${currency.toLowerCase()}`,
    currency,
    normalSide: 'credit',
    balanceLimit: 'debits_must_not_exceed_credits',
  }),
  round: (roundId: string, currency = 'EUR'): AccountSpec => ({
    code: `liability:round:${roundId}:${currency.toLowerCase()}`,
    currency,
    normalSide: 'credit',
    balanceLimit: 'debits_must_not_exceed_credits',
  }),
} as const;
