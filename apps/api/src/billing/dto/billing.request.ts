import { ApiProperty } from '@nestjs/swagger';
import { Allow } from 'class-validator';

export class ChorusStatusRequest {
  @ApiProperty({ enum: ['deposited', 'rejected', 'paid'] }) @Allow() status!: unknown;
  @ApiProperty({ required: false, description: 'Chorus Pro’s reason, required for a rejection' })
  @Allow()
  reason?: unknown;
}

export class ChorusExportRequest {
  @ApiProperty({
    required: false,
    type: [String],
    description: 'payment request ids (default: every one still to deposit)',
  })
  @Allow()
  ids?: unknown;
}

export class ConfirmMatchesRequest {
  @ApiProperty({ description: '[{lineId, declarationId}], 1 to 500' }) @Allow() matches!: unknown;
}

export class ResolveSuspenseRequest {
  @ApiProperty({ enum: ['refund', 'allocate'] }) @Allow() action!: unknown;
  @ApiProperty({ required: false, format: 'uuid', description: 'the obligation, to allocate' })
  @Allow()
  declarationId?: unknown;
  @ApiProperty({ required: false }) @Allow() note?: unknown;
}
