import { Type } from 'class-transformer';
import {
  IsDateString,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

const MAX = Number.MAX_SAFE_INTEGER;

export class LeafRangeQuery {
  @Type(() => Number) @IsInt() @Min(0) @Max(MAX) start!: number;
  /** Exclusive; at most 1000 leaves per call. */
  @Type(() => Number) @IsInt() @Min(1) @Max(MAX) end!: number;
}

export class InclusionQuery {
  @Type(() => Number) @IsInt() @Min(0) @Max(MAX) index!: number;
  @Type(() => Number) @IsInt() @Min(1) @Max(MAX) size!: number;
}

export class ConsistencyQuery {
  @Type(() => Number) @IsInt() @Min(1) @Max(MAX) size1!: number;
  @Type(() => Number) @IsInt() @Min(1) @Max(MAX) size2!: number;
}

export class CheckpointListQuery {
  @IsOptional() @Type(() => Number) @IsInt() @Min(-1) @Max(MAX) after?: number;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit?: number;
}

export class EntriesQuery {
  @IsOptional() @IsString() @Matches(/^[a-z][a-z0-9_.:-]{0,63}$/) kind?: string;
  @IsOptional() @IsString() @MaxLength(200) project?: string;
  @IsOptional() @IsString() @MaxLength(200) contributor?: string;
  @IsOptional() @IsString() @MaxLength(200) account?: string;
  @IsOptional() @IsDateString({ strict: true }) from?: string;
  @IsOptional() @IsDateString({ strict: true }) to?: string;
  @IsOptional() @Matches(/^[0-9]{1,19}$/) after?: string;
  @IsOptional() @IsIn(['asc', 'desc']) order?: 'asc' | 'desc';
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) limit?: number;
}

export class CurrencyQuery {
  @IsOptional() @Matches(/^[A-Z]{3}$/) currency?: string;
}
