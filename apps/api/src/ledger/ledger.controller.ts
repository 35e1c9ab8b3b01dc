import { Body, Controller, Get, Headers, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, Principal } from '@app/identity';
import { LedgerAdminService } from './ledger-admin.service';
import { AdjustmentRequest } from './dto/ledger.request';
import { BalanceResponse, EntryResponse } from './dto/ledger.response';
import { JsonOnly } from '../common/request-body.guard';

@ApiTags('ledger')
@ApiBearerAuth()
@JsonOnly()
@Controller('ledger')
export class LedgerController {
  constructor(private readonly ledger: LedgerAdminService) {}

  @Post('adjustments')
  async adjust(
    @Caller() caller: Principal,
    @Body() body: AdjustmentRequest,
    @Headers('idempotency-key') key?: string,
  ) {
    return EntryResponse.from(await this.ledger.adjust(caller, body, key));
  }

  @Post('entries/:id/reversal')
  async reverse(
    @Caller() caller: Principal,
    @Param('id') id: string,
    @Headers('idempotency-key') key?: string,
  ) {
    return EntryResponse.from(await this.ledger.reverse(caller, id, key));
  }

  @Get('accounts/:code')
  async balance(@Caller() caller: Principal, @Param('code') code: string) {
    return BalanceResponse.from(await this.ledger.balance(caller, code));
  }
}
