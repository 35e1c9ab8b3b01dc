import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { Request, Response } from 'express';
import { AppConfig } from '@app/config';
import {
  BankStatementsService,
  BillingRemindersService,
  PaymentRequestsService,
  PaymentStatusService,
} from '@app/billing';
import { Caller, Principal } from '@app/identity';
import {
  ChorusExportRequest,
  ChorusStatusRequest,
  ConfirmMatchesRequest,
  ResolveSuspenseRequest,
} from './dto/billing.request';

@ApiTags('billing')
@ApiBearerAuth()
@Controller()
export class BillingController {
  constructor(
    private readonly requests: PaymentRequestsService,
    private readonly statements: BankStatementsService,
    private readonly statuses: PaymentStatusService,
    private readonly config: AppConfig,
    private readonly reminders: BillingRemindersService,
  ) {}

  /** Queues the buyers' mails due today (issued, due soon, overdue, receipt), each at most once. */
  @Post('billing-reminders')
  @HttpCode(200)
  sendReminders(@Caller() caller: Principal, @Query('asOf') asOf?: string) {
    return this.reminders.send(caller, asOf);
  }

  @Get('payment-requests')
  list(@Caller() caller: Principal, @Query('status') status?: string) {
    return this.requests.list(caller, status);
  }

  @Get('payment-requests/:id')
  get(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.requests.get(caller, id);
  }

  /** The CII XML (EN 16931 profile), for the buyer's organisation and the treasurer. */
  @Get('payment-requests/:id/document.xml')
  async xml(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    const file = await this.requests.xml(caller, id);
    res
      .type('application/xml; charset=utf-8')
      .setHeader('content-disposition', `attachment; filename="${file.fileName}"`);
    return file.xml;
  }

  /** The Factur-X PDF (PDF/A-3 with the XML attached as factur-x.xml). */
  @Get('payment-requests/:id/document.pdf')
  async pdf(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string, @Res() res: Response) {
    const file = await this.requests.pdf(caller, id);
    res
      .type('application/pdf')
      .setHeader('content-disposition', `attachment; filename="${file.fileName}"`)
      .send(Buffer.from(file.pdf));
  }

  @Post('payment-requests/:id/chorus-status')
  @HttpCode(200)
  chorusStatus(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ChorusStatusRequest,
  ) {
    return this.requests.setChorusStatus(caller, id, body);
  }

  @Get('obligations/:id/payment-requests')
  ofObligation(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.requests.forObligation(caller, id);
  }

  @Get('organisations/:id/payment-requests')
  ofOrganisation(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.requests.forOrganisation(caller, id);
  }

  /** A Chorus Pro deposit: the manifest of the files to deposit; the requests become `deposited`. */
  @Post('chorus-deposits')
  exportForChorus(@Caller() caller: Principal, @Body() body: ChorusExportRequest) {
    return this.requests.exportForChorus(caller, body.ids);
  }

  @Get('chorus-deposits')
  deposits(@Caller() caller: Principal) {
    return this.requests.deposits(caller);
  }

  /** Overdue obligations, oldest first, with late-payment interest and indemnity (as of `asOf`, today by default). */
  @Get('overdue-obligations')
  overdue(@Caller() caller: Principal, @Query('asOf') asOf?: string) {
    return this.requests.overdue(caller, asOf);
  }

  /** A camt.053 or camt.054 file (application/xml), at most BANK_FILE_MAX_BYTES. */
  @Post('bank-statements')
  @ApiConsumes('application/xml')
  async importStatement(@Caller() caller: Principal, @Req() req: Request) {
    return this.statements.import(caller, await this.readBody(req));
  }

  @Get('bank-statements/lines')
  lines(@Caller() caller: Principal, @Query('state') state?: string) {
    return this.statements.lines(caller, state ? state.split(',') : undefined);
  }

  @Get('bank-statements/lines/:id')
  line(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.statements.line(caller, id);
  }

  /** Confirms one or many matches; each line is booked or refused on its own. */
  @Post('bank-statements/matches')
  @HttpCode(200)
  confirm(@Caller() caller: Principal, @Body() body: ConfirmMatchesRequest) {
    return this.statements.confirm(caller, body.matches);
  }

  @Get('reconciliation')
  reconciliation(@Caller() caller: Principal) {
    return this.statements.reconciliation(caller);
  }

  @Get('bank-suspense')
  suspense(@Caller() caller: Principal, @Query('state') state?: string) {
    return this.statements.suspense(caller, state);
  }

  @Post('bank-suspense/:id/resolution')
  @HttpCode(200)
  resolve(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ResolveSuspenseRequest,
  ) {
    return this.statements.resolveSuspense(caller, id, body);
  }

  /** A pain.002.001.10 status report: SEPA payouts executed or rejected. */
  @Post('payment-status-reports')
  @ApiConsumes('application/xml')
  async statusReport(@Caller() caller: Principal, @Req() req: Request) {
    return this.statuses.import(caller, await this.readBody(req));
  }

  /** The raw upload, refused (413) as soon as it exceeds the limit. */
  private async readBody(req: Request & { rawBody?: Buffer }): Promise<Buffer> {
    if (req.rawBody) return req.rawBody;
    const limit = this.config.BANK_FILE_MAX_BYTES;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > limit)
        throw Object.assign(new Error(`the file is larger than ${limit} bytes`), {
          type: 'entity.too.large',
          status: 413,
        });
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }
}
