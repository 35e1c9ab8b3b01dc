import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBooleanString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { OPENNESS_LEVELS, OpennessLevel, PROJECT_STATUSES, ProjectStatus } from '@app/projects';
import { IsFreeText, IsName, MAX_INT4 } from '../../common/text.decorators';

const URL_OPTIONS = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class ProposeProjectRequest {
  /** 1–64 lower-case letters, digits and inner dashes; unique. */
  @IsString() @Matches(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/) slug!: string;
  @IsString() @IsName() @Length(1, 200) name!: string;
  @IsOptional() @IsString() @IsFreeText() @Length(0, 5000) description?: string;
  @IsUrl(URL_OPTIONS) repositoryUrl!: string;
  @IsOptional() @IsUrl(URL_OPTIONS) websiteUrl?: string;
  /** SPDX licence expression; must satisfy the policy's allow-list. */
  @IsString() @IsName() @Length(1, 1000) licence!: string;
  /** Package URLs; stored versionless, each belongs to one project at most. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsName({ each: true })
  @Length(1, 2048, { each: true })
  purls?: string[];
  @IsIn(OPENNESS_LEVELS) opennessLevel!: OpennessLevel;
  @IsOptional() @IsUrl(URL_OPTIONS) fundingJsonUrl?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) publiccodeUrl?: string;
}

export class UpdateProjectRequest {
  @IsOptional() @IsString() @IsName() @Length(1, 200) name?: string;
  @IsOptional() @IsString() @IsFreeText() @Length(0, 5000) description?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) repositoryUrl?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) websiteUrl?: string;
  @IsOptional() @IsString() @IsName() @Length(1, 1000) licence?: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsName({ each: true })
  @Length(1, 2048, { each: true })
  purls?: string[];
  @IsOptional() @IsIn(OPENNESS_LEVELS) opennessLevel?: OpennessLevel;
  @IsOptional() @IsUrl(URL_OPTIONS) fundingJsonUrl?: string;
  @IsOptional() @IsUrl(URL_OPTIONS) publiccodeUrl?: string;
}

export class ChangeStatusRequest {
  @IsIn(PROJECT_STATUSES) status!: ProjectStatus;
  @IsString() @IsFreeText() @Length(1, 2000) reason!: string;
}

export class AttestControlRequest {
  @IsString() @IsFreeText() @Length(1, 2000) reason!: string;
}

export class PayoutDetailsRequest {
  @IsIn(['sepa', 'stripe']) kind!: 'sepa' | 'stripe';
  @ValidateIf((o: PayoutDetailsRequest) => o.kind === 'sepa')
  @IsString()
  @IsName()
  @Length(2, 140)
  accountHolder?: string;
  @ValidateIf((o: PayoutDetailsRequest) => o.kind === 'sepa') @IsString() @Length(5, 64) iban?: string;
  @IsOptional() @IsString() @Length(8, 11) bic?: string;
  @ValidateIf((o: PayoutDetailsRequest) => o.kind === 'stripe')
  @IsString()
  @Length(6, 80)
  stripeAccountId?: string;
}

export class VerifyPayoutDetailsRequest {
  @IsInt() @Min(1) @Max(MAX_INT4) revision!: number;
}

export class SearchProjectsQuery {
  @IsOptional() @IsString() @Length(1, 200) q?: string;
  @IsOptional() @IsString() @Length(1, 100) licence?: string;
  @IsOptional() @IsString() @Length(1, 2048) purl?: string;
  @IsOptional() @IsIn(PROJECT_STATUSES) status?: ProjectStatus;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(200) limit?: number;
  @IsOptional() @IsString() @Length(1, 64) after?: string;
}

export class UploadSbomQuery {
  /** The buyer's organisation the analysed project belongs to (required for buyers). */
  @IsOptional() @IsString() @IsName() @Length(1, 200) organisationId?: string;
  @IsOptional() @IsString() @IsName() @Length(0, 200) label?: string;
}

export class PublicDependenciesQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
  /** Only packages without an admitted project: widely used and unsupported. */
  @IsOptional() @IsBooleanString() unfundedOnly?: string;
}
