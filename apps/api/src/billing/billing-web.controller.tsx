import { Get, Param, ParseUUIDPipe, Req, Res } from '@nestjs/common';
import { Response } from 'express';
import { BankStatementsService, PaymentRequestsService } from '@app/billing';
import { pageContext, WebRequest, webPrincipal } from '../web/page-context';
import { renderPage } from '../web/render';
import { WebController } from '../web/web.decorators';
import { PaymentRequestPage, TreasuryPage } from './billing.pages';

/** Pages of payment requests (buyers, treasurer) and of the bank reconciliation (treasurer). */
@WebController()
export class BillingWebController {
  constructor(
    private readonly requests: PaymentRequestsService,
    private readonly statements: BankStatementsService,
  ) {}

  @Get(['paiement/:id', 'payment-request/:id'])
  async request(@Req() req: WebRequest, @Res() res: Response, @Param('id', ParseUUIDPipe) id: string) {
    const request = await this.requests.get(webPrincipal(req) ?? undefined, id);
    renderPage(
      res,
      <PaymentRequestPage ctx={pageContext(req, res)} request={request} fund={this.requests.fund()} />,
    );
  }

  @Get(['paiement/:id/facture.pdf', 'payment-request/:id/invoice.pdf'])
  async pdf(@Req() req: WebRequest, @Res() res: Response, @Param('id', ParseUUIDPipe) id: string) {
    const file = await this.requests.pdf(webPrincipal(req) ?? undefined, id);
    res
      .type('application/pdf')
      .setHeader('content-disposition', `attachment; filename="${file.fileName}"`)
      .send(Buffer.from(file.pdf));
  }

  @Get(['paiement/:id/facture.xml', 'payment-request/:id/invoice.xml'])
  async xml(@Req() req: WebRequest, @Res() res: Response, @Param('id', ParseUUIDPipe) id: string) {
    const file = await this.requests.xml(webPrincipal(req) ?? undefined, id);
    res
      .type('application/xml; charset=utf-8')
      .setHeader('content-disposition', `attachment; filename="${file.fileName}"`)
      .send(file.xml);
  }

  @Get(['tresorerie', 'treasury'])
  async treasury(@Req() req: WebRequest, @Res() res: Response) {
    const caller = webPrincipal(req) ?? undefined;
    const reconciliation = await this.statements.reconciliation(caller);
    const [lines, suspense, overdue, deposits] = await Promise.all([
      this.statements.lines(caller, ['auto', 'unmatched', 'proposed', 'needs_split']),
      this.statements.suspense(caller, 'open'),
      this.requests.overdue(caller),
      this.requests.deposits(caller),
    ]);
    renderPage(
      res,
      <TreasuryPage
        ctx={pageContext(req, res)}
        reconciliation={reconciliation}
        lines={lines}
        suspense={suspense}
        overdue={overdue}
        deposits={deposits}
      />,
    );
  }
}
