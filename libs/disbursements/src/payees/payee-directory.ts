/** Where a project's money goes, once its payout details are verified. */
export type PayoutRail = 'sepa' | 'stripe';

export type PayeeDestination =
  | {
      readonly rail: 'sepa';
      readonly accountHolder: string;
      readonly iban: string;
      readonly bic: string | null;
    }
  | { readonly rail: 'stripe'; readonly stripeAccountId: string };

/** What a disbursement run needs to know about a project. */
export interface Payee {
  readonly projectId: string;
  readonly name: string;
  readonly admitted: boolean;
  /** Only verified payout details; null when the project has none. */
  readonly destination: PayeeDestination | null;
}

/**
 * The port through which disbursements learn about projects (status, verified payout details),
 * so this domain does not depend on the projects domain's tables. `find` is called once per page
 * of projects; an unknown project id is simply absent from the result.
 */
export abstract class PayeeDirectory {
  abstract find(projectIds: readonly string[]): Promise<Map<string, Payee>>;
}
