import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { Principal } from '../identity.types';

export const PUBLIC_ROUTE = 'librery:public';

/** The route needs no token (public reads, webhooks verified otherwise, health). */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);

export interface AuthenticatedRequest {
  principal?: Principal;
  id?: string | number;
  headers: Record<string, string | string[] | undefined>;
}

/** The principal of the request (set by the guard), passed on to services. */
export const Caller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal | undefined => {
  return ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
});
