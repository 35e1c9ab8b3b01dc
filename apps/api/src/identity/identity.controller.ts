import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Caller, IdentityService, Principal } from '@app/identity';
import { NotReplayed } from '../idempotency/idempotency.interceptor';
import { CreateUserRequest, IssueTokenRequest, RoleGrantRequest } from './dto/identity.request';
import { JsonOnly } from '../common/request-body.guard';

@ApiTags('identity')
@ApiBearerAuth()
@JsonOnly()
@Controller()
export class IdentityController {
  constructor(private readonly identity: IdentityService) {}

  @Get('me')
  async me(@Caller() caller: Principal) {
    return this.identity.getUser(caller.userId ?? '');
  }

  @Post('users')
  createUser(@Caller() caller: Principal, @Body() body: CreateUserRequest) {
    return this.identity.createUser(caller, { ...body, roles: body.roles?.map(grant) });
  }

  @Post('users/:id/roles')
  grantRole(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RoleGrantRequest,
  ) {
    return this.identity.grantRole(caller, id, grant(body));
  }

  @Post('users/:id/roles/revoke')
  @HttpCode(200)
  revokeRole(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RoleGrantRequest,
  ) {
    return this.identity.revokeRole(caller, id, grant(body));
  }

  /**
   * Issues an API token: the plaintext is in this response only. A retry with the same
   * Idempotency-Key answers the token's id and expiry with `token: null` (never stored in clear).
   */
  @Post('users/:id/tokens')
  @NotReplayed('token')
  issueToken(
    @Caller() caller: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: IssueTokenRequest,
  ) {
    return this.identity.issueToken(caller, id, body.name, body.days);
  }

  /** The user's tokens (the user or an admin): names and dates, never a secret. */
  @Get('users/:id/tokens')
  listTokens(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.identity.listTokens(caller, id);
  }

  /** Revokes every live token of the user (the user or an admin), the one making the request included. */
  @Post('users/:id/tokens/revoke-all')
  @HttpCode(200)
  revokeAllTokens(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.identity.revokeAllTokens(caller, id);
  }

  @Delete('tokens/:id')
  @HttpCode(204)
  async revokeToken(@Caller() caller: Principal, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.identity.revokeToken(caller, id);
  }
}

function grant(body: RoleGrantRequest) {
  return { role: body.role, scopeId: body.scopeId ?? '' };
}
