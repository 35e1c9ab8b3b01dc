import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, Principal } from '@app/identity';
import { OrganisationAccessService } from '@app/sign-in';
import { ListAccessRequestsQuery } from './dto/organisation-access.request';

/** Administrators decide who acts for an organisation whose SIRET a provider vouched for. */
@ApiTags('identity')
@ApiBearerAuth()
@Controller('admin/organisation-access-requests')
export class OrganisationAccessController {
  constructor(private readonly access: OrganisationAccessService) {}

  @Get()
  list(@Caller() caller: Principal, @Query() query: ListAccessRequestsQuery) {
    return this.access.list(caller, query.status ?? 'pending');
  }

  /** Approves the request: grants the buyer role for its organisation. Idempotent. */
  @Post(':id/approve')
  @HttpCode(200)
  approve(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.access.approve(caller, id);
  }

  @Post(':id/reject')
  @HttpCode(200)
  reject(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.access.reject(caller, id);
  }
}
