import { Payee, PayeeDirectory } from './payee-directory';

/** A payee directory held in memory: for tests, tools and benches that have no projects catalogue. */
export class FixedPayeeDirectory extends PayeeDirectory {
  readonly payees = new Map<string, Payee>();

  set(payee: Payee): void {
    this.payees.set(payee.projectId, payee);
  }

  async find(projectIds: readonly string[]): Promise<Map<string, Payee>> {
    const found = new Map<string, Payee>();
    for (const id of projectIds) {
      const payee = this.payees.get(id);
      if (payee) found.set(id, payee);
    }
    return found;
  }
}
