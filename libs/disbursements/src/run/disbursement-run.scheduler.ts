/** Hands a run over to the worker; the BullMQ implementation is in the module, tests may run it inline. */
export abstract class DisbursementRunScheduler {
  abstract schedule(runId: string): Promise<void>;
}
