import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import { Request } from 'express';
import { Caller, Principal, Public } from '@app/identity';
import { DonationsService, StripeWebhookService } from '@app/payments';
import { CheckoutRequest } from './dto/donations.request';
import { NotReplayed } from '../idempotency/idempotency.interceptor';
import { JsonOnly } from '../common/request-body.guard';
import { AnonymousThrottlerGuard } from '../rate-limits/rate-limits';

@ApiTags('donations')
@JsonOnly()
@Controller()
export class DonationsController {
  constructor(
    private readonly donations: DonationsService,
    private readonly webhooks: StripeWebhookService,
  ) {}

  /**
   * Starts a Stripe Checkout Session (one-time or subscription); anonymous donors welcome. The
   * statement key is in the first response only: a replay of the same Idempotency-Key answers
   * `statementKey: null` (the key is never stored in clear, not even for replays).
   */
  @Public()
  @UseGuards(AnonymousThrottlerGuard)
  @Post('donations/checkout')
  @NotReplayed('statementKey')
  checkout(@Caller() caller: Principal | undefined, @Body() body: CheckoutRequest) {
    return this.donations.checkout(caller, body);
  }

  /** Stripe's webhook: signature checked over the raw body, stored once, processed by the worker. */
  @Public()
  @Post('webhooks/stripe')
  @HttpCode(200)
  @ApiExcludeEndpoint()
  webhook(@Req() req: Request & { rawBody?: Buffer }) {
    return this.webhooks.receive(req.rawBody, req.headers['stripe-signature']);
  }
}
