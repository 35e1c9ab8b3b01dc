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

/** A manual adjustment by the treasurer: a balanced entry between existing accounts. */
export class AdjustmentRequest {
  @IsString() @IsName() @Length(1, 200) businessRef!: string;
  @IsString() @IsFreeText() @Length(1, 500) description!: string;
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => PostingRequest)
  postings!: PostingRequest[];
  @IsOptional() @IsString() @Length(1, 64) @Matches(/^[a-z][a-z0-9_.:-]*$/) kind?: string;
}
