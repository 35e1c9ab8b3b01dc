import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IdentityService } from '../identity.service';
import { AuthenticatedRequest, PUBLIC_ROUTE } from './auth.decorators';

/**
 * Every route needs a bearer token unless marked @Public(). Public routes still learn who calls
 * when a token is given. Roles and scopes are checked in services.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const header = request.headers.authorization;
    const token =
      typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (isPublic && !token) return true;
    request.principal = await this.identity.authenticate(
      token,
      request.id === undefined ? undefined : String(request.id),
    );
    return true;
  }
}
