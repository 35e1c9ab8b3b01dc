import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Role, ROLES } from '@app/identity';
import { IsName } from '../../common/text.decorators';

export class RoleGrantRequest {
  @IsIn(ROLES) role!: Role;
  /** organisation, college or project id for scoped roles; omitted otherwise */
  @IsOptional() @IsString() @IsName() @Length(1, 200) scopeId?: string;
}

export class CreateUserRequest {
  @IsOptional() @IsEmail() email?: string;
  @IsOptional() @IsString() @IsName() @Length(1, 200) displayName?: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => RoleGrantRequest)
  roles?: RoleGrantRequest[];
}

export class IssueTokenRequest {
  @IsString() @IsName() @Length(1, 100) name!: string;
  @IsOptional() @IsInt() @Min(1) @Max(366) days?: number;
}
