import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { IsCents } from '../../common/is-cents.decorator';
import { IsFreeText, IsName } from '../../common/text.decorators';

export class PostingRequest {
  @IsString() @IsName() @Length(1, 200) account!: string;
  @IsIn(['debit', 'credit']) direction!: 'debit' | 'credit';
  @IsCents({ positive: true }) amount!: string;
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' }) currency!: string;
}

/** A manual adjustment by the treasurer: a balanced entry between existing accounts, with its reason. */
export class AdjustmentRequest {
  /**
   * Not one of the booking paths' prefixes (Stripe payments, bank receipts and lines,
   * disbursements, governance…): an adjustment cannot pass for a donation, a levy or a payout.
   */
  @IsString()
  @IsName()
  @Length(1, 200)
  @Matches(
    /^(?!(stripe|bank|bank-line|bank-suspense|receipt|disbursement|disbursement-run|disbursement-payout|governance|governance-round|governance-motion|contribution|refund|dispute|payout|reversal)[:.])/i,
    {
      message:
        'businessRef must not begin with a prefix reserved for the booking paths (stripe:, bank:, receipt:…)',
    },
  )
  businessRef!: string;
  @IsString() @IsFreeText() @Length(1, 500) description!: string;
  /** Why the treasurer books it: mandatory, kept in the audit trail. */
  @IsString() @IsFreeText() @Length(3, 1000) reason!: string;
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PostingRequest)
  postings!: PostingRequest[];
  /** `adjustment` (the default) or `adjustment.<name>`: never a business kind such as `contribution.donation`. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(/^adjustment(\.[a-z][a-z0-9_-]*)*$/, { message: 'kind must be adjustment or adjustment.<name>' })
  kind?: string;
}
