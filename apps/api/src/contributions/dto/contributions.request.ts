import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsUUID } from 'class-validator';

// Business fields are checked by the services (422 naming the field, the same rules for HTTP, the
// CSV import and the CLI); here they are only declared, so unknown fields are still refused.

export class CreateOrganisationRequest {
  @ApiProperty({ example: '13002526500013', description: 'SIRET (14 digits, spaces allowed)' })
  @Allow()
  siret!: unknown;
  @ApiProperty({ example: 'Direction interministérielle du numérique' }) @Allow() name!: unknown;
  @ApiProperty({
    required: false,
    description: 'Chorus Pro: a service code is required on its payment requests',
  })
  @Allow()
  serviceCodeRequired?: unknown;
  @ApiProperty({
    required: false,
    description: 'Chorus Pro: a legal commitment (EJ) is required on its payment requests',
  })
  @Allow()
  legalCommitmentRequired?: unknown;
}

export class AddBuyerRequest {
  @ApiProperty() @IsUUID() userId!: string;
}

export class DirectionRequest {
  @ApiProperty({ format: 'uuid' }) projectId!: string;
  @ApiProperty({ example: 3, description: 'positive integer' }) weight!: number;
}

export class DeclareRequest {
  @ApiProperty({ example: 'Portail usagers' }) @Allow() projectTitle!: unknown;
  @ApiProperty({ example: '150000000', description: 'budget excluding VAT, integer cents as a string' })
  @Allow()
  budgetExclVat!: unknown;
  @ApiProperty({ example: 2026 }) @Allow() fiscalYear!: unknown;
  @ApiPropertyOptional({ description: 'Chorus Pro code service' }) @Allow() serviceCode?: unknown;
  @ApiPropertyOptional({ description: 'legal-commitment (EJ) number' }) @Allow() legalCommitment?: unknown;
  @ApiPropertyOptional({ description: 'public-contract id (DECP)' }) @Allow() publicContractId?: unknown;
  @ApiPropertyOptional({
    type: [DirectionRequest],
    description: 'up to 200 registered projects with positive integer weights',
  })
  @Allow()
  directions?: unknown;
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'use the direction suggested by this SBOM analysis instead of typing one',
  })
  @Allow()
  sbomAnalysisId?: unknown;
}

export class RecordReceiptRequest {
  @ApiProperty({ example: 'VIR-2026-000123' }) @Allow() bankReference!: unknown;
  @ApiProperty({ example: '300000', description: 'integer cents as a string' }) @Allow() amount!: unknown;
  @ApiProperty({ example: '2026-03-01' }) @Allow() valueDate!: unknown;
}
