import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

export class ListAccessRequestsQuery {
  @ApiPropertyOptional({ enum: ['pending', 'approved', 'rejected', 'all'], default: 'pending' })
  @IsOptional()
  @IsIn(['pending', 'approved', 'rejected', 'all'])
  status?: 'pending' | 'approved' | 'rejected' | 'all';
}
