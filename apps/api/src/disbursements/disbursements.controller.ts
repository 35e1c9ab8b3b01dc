import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Response } from 'express';
import { DisbursementRunService, PayoutsService } from '@app/disbursements';
import { Caller, Principal, Public } from '@app/identity';
import { FailPayoutRequest, StartRunRequest, SubmitBatchRequest } from './dto/disbursements.request';
import { JsonOnly } from '../common/request-body.guard';

@ApiTags('disbursements')
@ApiBearerAuth()
@JsonOnly()
@Controller('disbursements')
export class DisbursementsController {
  constructor(
    private readonly runs: DisbursementRunService,
    private readonly payouts: PayoutsService,
  ) {}

  /** 202 with the new run; 200 with the existing run for the same cut-off. */
  @Post('runs')
  async start(
    @Caller() caller: Principal,
    @Body() body: StartRunRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const result = await this.runs.start(caller, { cutoff: new Date(body.cutoff), currency: body.currency });
    res.status(result.created ? 202 : 200);
    return result.run;
  }

  @Public()
  @Get('runs')
  list(@Query('currency') currency?: string) {
    return this.runs.list(currency ?? 'EUR');
  }

  @Public()
  @Get('runs/:id')
  get(@Param('id') id: string) {
    return this.runs.get(id);
  }

  @Get('runs/:id/batches')
  batches(@Caller() caller: Principal, @Param('id') id: string) {
    return this.payouts.batchesOfRun(caller, id);
  }

  @Get('batches/:id')
  batch(@Caller() caller: Principal, @Param('id') id: string) {
    return this.payouts.getBatch(caller, id);
  }

  @Post('batches/:id/submit')
  @HttpCode(200)
  submit(@Caller() caller: Principal, @Param('id') id: string, @Body() body: SubmitBatchRequest) {
    return this.payouts.submitBatch(caller, id, body);
  }

  @Get('batches/:id/pain001')
  @Header('Content-Type', 'application/xml; charset=utf-8')
  async file(
    @Caller() caller: Principal,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    const file = await this.payouts.sepaFile(caller, id);
    res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
    return file.xml;
  }

  @Post('batches/:id/executed')
  @HttpCode(200)
  executed(@Caller() caller: Principal, @Param('id') id: string) {
    return this.payouts.markBatchExecuted(caller, id);
  }

  @Post('payouts/:id/confirm')
  @HttpCode(200)
  confirm(@Caller() caller: Principal, @Param('id') id: string) {
    return this.payouts.confirmPayout(caller, id);
  }

  @Post('payouts/:id/fail')
  @HttpCode(200)
  fail(@Caller() caller: Principal, @Param('id') id: string, @Body() body: FailPayoutRequest) {
    return this.payouts.failPayout(caller, id, body.reason);
  }

  /** A project's disbursement statement with the sources of every payable amount: public, like the ledger. */
  @Public()
  @Get('projects/:projectId/statement')
  statement(@Param('projectId') projectId: string, @Query('currency') currency?: string) {
    return this.payouts.statement(projectId, currency ?? 'EUR');
  }
}
