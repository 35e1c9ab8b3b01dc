import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDateString,
  IsDefined,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateNested,
} from 'class-validator';
import { IsCents } from '../../common/is-cents.decorator';
import { IsFreeText, IsName } from '../../common/text.decorators';

export class AppointMemberRequest {
  @IsUUID() userId!: string;
  @IsString() @Matches(/^[a-z][a-z0-9_-]{0,62}$/) collegeId!: string;
  @IsOptional() @IsDateString({ strict: true, strictSeparator: true }) termStart?: string;
  @IsDateString({ strict: true, strictSeparator: true }) termEnd!: string;
}

export class MotionOptionsRequest {
  @IsOptional()
  @IsArray()
  @ArrayMinSize(2)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @IsName({ each: true })
  @Length(1, 200, { each: true })
  candidates?: string[];
  @IsOptional() @IsObject() grades?: { min: number; max: number };
}

export class CreateMotionRequest {
  @IsIn(['ordinary', 'policy', 'statute']) kind!: string;
  @IsOptional() @IsIn(['yes-no', 'majority-judgment', 'schulze']) method?: string;
  @IsString() @IsName() @Length(1, 300) title!: string;
  @IsOptional() @IsString() @IsFreeText() @Length(0, 20000) body?: string;
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => MotionOptionsRequest)
  options?: MotionOptionsRequest;
  /** Typed effect, checked by the domain: {type: 'none' | 'admit-project' | … }. */
  @IsOptional() @IsObject() effect?: Record<string, unknown>;
  @IsOptional() @IsDateString({ strict: true, strictSeparator: true }) opensAt?: string;
  @IsDateString({ strict: true, strictSeparator: true }) closesAt!: string;
}

export class MotionBallotRequest {
  /** "for" | "against" | "abstain"; {candidate: grade} for Majority Judgment; [[…], […]] tiers for Schulze. */
  @IsDefined() choice!: unknown;
  @IsOptional() @IsUUID() onBehalfOf?: string;
  @IsOptional() @IsString() @Matches(/^[0-9a-f]{32,128}$/) nonce?: string;
}

export class RoundBallotRequest {
  /** Project id → integer points; 100 in total, or 0 (an empty object) to abstain. */
  @IsObject() points!: Record<string, number>;
  @IsOptional() @IsUUID() onBehalfOf?: string;
  @IsOptional() @IsString() @Matches(/^[0-9a-f]{32,128}$/) nonce?: string;
}

export class ProxyRequest {
  @IsUUID() holderUserId!: string;
}

export class CreateRoundRequest {
  @IsString() @IsName() @Length(1, 300) title!: string;
  @IsCents({ positive: true }) budget!: string;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5000)
  @IsString({ each: true })
  @IsName({ each: true })
  candidates!: string[];
  @IsOptional() @IsObject() caps?: Record<string, string>;
  @IsOptional() @IsString() @Matches(/^[0-9]+\/[1-9][0-9]*$/) threshold?: string;
  @IsOptional() @IsDateString({ strict: true, strictSeparator: true }) opensAt?: string;
  @IsDateString({ strict: true, strictSeparator: true }) closesAt!: string;
}
