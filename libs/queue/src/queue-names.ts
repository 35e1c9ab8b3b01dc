/**
 * The catalogue of queues and their job payloads. Every enqueue sets a business `jobId`
 * (`stripe-event:<id>`…) so a retry can never do the work twice.
 */
export const QueueName = {
  /** Housekeeping of the platform itself (kept as a smoke test of the worker). */
  System: 'system',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export interface SystemPingJob {
  at: string;
}
