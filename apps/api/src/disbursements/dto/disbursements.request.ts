import { Type } from 'class-transformer';
import { IsISO8601, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { IsCalendarDate, IsFreeText, IsName } from '../../common/text.decorators';

export class StartRunRequest {
  /** The cut-off instant (ISO 8601); not in the future, not before the previous run. */
  @IsISO8601({ strict: true }) cutoff!: string;
  @IsOptional()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' })
  currency?: string;
}

export class DebtorAccountRequest {
  @IsString() @IsName() @Length(1, 140) name!: string;
  @IsString() @IsName() @Length(15, 42) iban!: string;
  @IsOptional() @IsString() @IsName() @Length(8, 11) bic?: string;
}

/**
 * Submitting a SEPA batch names the fund's account that pays it, or uses the configured one
 * (FUND_ACCOUNT_NAME, FUND_IBAN, FUND_BIC); a Stripe batch needs nothing.
 */
export class SubmitBatchRequest {
  @IsOptional() @ValidateNested() @Type(() => DebtorAccountRequest) debtor?: DebtorAccountRequest;
  @IsOptional()
  @IsCalendarDate()
  requestedExecutionDate?: string;
}

export class FailPayoutRequest {
  @IsString() @IsFreeText() @Length(1, 500) reason!: string;
}
