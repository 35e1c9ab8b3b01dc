import { Injectable } from '@nestjs/common';
import { ProjectVerificationService } from '@app/projects';
import { Payee, PayeeDirectory } from './payee-directory';

/**
 * The projects catalogue as the run sees it (`ProjectVerificationService.payees`, one query per
 * page of projects): admitted when the status is `admitted`; payout details only when verified.
 */
@Injectable()
export class ProjectsPayeeDirectory extends PayeeDirectory {
  constructor(private readonly projects: ProjectVerificationService) {
    super();
  }

  async find(projectIds: readonly string[]): Promise<Map<string, Payee>> {
    const found = await this.projects.payees(projectIds);
    const result = new Map<string, Payee>();
    for (const [id, p] of found) {
      const payout = p.payout;
      result.set(id, {
        projectId: id,
        name: p.name,
        admitted: p.admitted,
        destination:
          payout === null
            ? null
            : payout.kind === 'sepa'
              ? { rail: 'sepa', accountHolder: payout.accountHolder, iban: payout.iban, bic: payout.bic }
              : { rail: 'stripe', stripeAccountId: payout.stripeAccountId },
      });
    }
    return result;
  }
}
