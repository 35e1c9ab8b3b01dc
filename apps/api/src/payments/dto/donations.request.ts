import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow } from 'class-validator';

export class CheckoutRequest {
  @ApiProperty({ example: '2500', description: 'integer cents as a string (1.00 € to 999,999.99 €)' })
  @Allow()
  amount!: unknown;
  @ApiPropertyOptional({ example: 'EUR' }) @Allow() currency?: unknown;
  @ApiPropertyOptional({ enum: ['one_time', 'monthly', 'yearly'], default: 'one_time' })
  @Allow()
  mode?: unknown;
  @ApiPropertyOptional({ description: 'up to 200 registered projects: [{ projectId, weight }]' })
  @Allow()
  directions?: unknown;
  @ApiPropertyOptional({
    description: 'opt in to be named publicly under this name; omitted: anonymous (pseudonym)',
  })
  @Allow()
  publicName?: unknown;
  @ApiPropertyOptional({ description: 'receipt e-mail (kept private)' }) @Allow() email?: unknown;
}
