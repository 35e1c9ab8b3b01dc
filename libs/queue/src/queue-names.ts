/**
 * The catalogue of queues and their job payloads. Every enqueue sets a business `jobId`
 * (`stripe-event:<id>`…) so a retry can never do the work twice.
 */
export const QueueName = {
  /** Housekeeping of the platform itself (kept as a smoke test of the worker). */
  System: 'system',
  /** Verified Stripe webhook events, one job per event id (the job id is the event id). */
  StripeEvents: 'stripe-events',
  /** Disbursement runs, one job per run (`disbursement-run.<runId>`); executed one at a time. */
  DisbursementRuns: 'disbursement-runs',
  /** Governance: closing and tallying motions and rounds at their closing time (`close-<type>-<id>`), plus a sweep. */
  Governance: 'governance',
  /** Transparency: signing checkpoints of the public log (a repeatable job, `checkpoint`). */
  Transparency: 'transparency',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export interface SystemPingJob {
  at: string;
}

export interface DisbursementRunJob {
  runId: string;
}

/** A stored Stripe event to process; the job id is the event id. */
export interface StripeEventJob {
  eventId: string;
}

export interface GovernanceCloseJob {
  type: 'motion' | 'round';
  id: string;
}
