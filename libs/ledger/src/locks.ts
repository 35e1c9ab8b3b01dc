/**
 * PostgreSQL advisory lock held exclusively by a disbursement run for its whole duration, and
 * shared, for its transaction, by everything else that debits a project's balance (refunds and
 * disputes). A run computes from a snapshot and then moves those amounts to payable: a debit
 * committed in between would make its posting exceed the balance and the run fail again at every
 * retry. With the lock, such a debit waits for the run and then finds the money payable (the
 * reversal charges the shortfall to the pool), or commits before the run takes its mark.
 */
export const PROJECT_DEBITS_LOCK_KEY = 7_316_001;
