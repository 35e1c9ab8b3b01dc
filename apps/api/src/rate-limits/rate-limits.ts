import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Request, Response } from 'express';
import { ThrottlerGuard, ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import Redis from 'ioredis';
import { AppConfig } from '@app/config';
import { AuthenticatedRequest, AuthGuard, IdentityErrorCode } from '@app/identity';
import { redisConnection } from '@app/queue';
import { RequestError, RequestErrorCode } from '../common/request.errors';

export const CHECKOUT_THROTTLER = 'anonymous-checkout';
export const AUTH_FAILURE_THROTTLER = 'token-auth-failure';
export const AUTH_FAILURE_WINDOW_MS = 10 * 60_000;

/**
 * Rate limits (issue 15) with @nestjs/throttler on one Redis store, shared by every API process:
 * anonymous checkouts per client address and minute; failed token authentications per address
 * (counted by RateLimitedAuthGuard). Sign-in has its own limiter (libs/sign-in).
 */
export function throttlerOptions(config: AppConfig): ThrottlerModuleOptions {
  const redis = new Redis({
    ...redisConnection(config.REDIS_URL),
    keyPrefix: `${config.QUEUE_PREFIX}:throttle:`,
    maxRetriesPerRequest: 2,
  });
  return {
    throttlers: [{ name: CHECKOUT_THROTTLER, ttl: 60_000, limit: config.CHECKOUT_RATE_LIMIT }],
    storage: new ThrottlerStorageRedisService(redis),
  };
}

/** Throttles a route for callers without a principal only: signed-in donors are not counted. */
@Injectable()
export class AnonymousThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    return request.principal !== undefined;
  }
}

/** Counts one failed token authentication for `address`; true when the address is over its limit. */
export async function countAuthFailure(
  storage: ThrottlerStorage,
  address: string,
  limit: number,
): Promise<{ blocked: boolean; retryAfterSeconds: number }> {
  const record = await storage.increment(
    `auth-failure:${address}`,
    AUTH_FAILURE_WINDOW_MS,
    limit,
    AUTH_FAILURE_WINDOW_MS,
    AUTH_FAILURE_THROTTLER,
  );
  return {
    blocked: record.isBlocked,
    retryAfterSeconds: Math.max(
      1,
      Math.ceil(record.isBlocked ? record.timeToBlockExpire : record.timeToExpire),
    ),
  };
}

/**
 * The API's authentication (AuthGuard), with failed token authentications counted per client
 * address: past AUTH_FAILURE_RATE_LIMIT in 10 minutes, a failing token gets 429 instead of 401.
 */
@Injectable()
export class RateLimitedAuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthGuard,
    @Inject(ThrottlerStorage) private readonly storage: ThrottlerStorage,
    private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.auth.canActivate(context);
    } catch (error) {
      const request = context.switchToHttp().getRequest<Request>();
      const unauthenticated =
        (error as { code?: unknown }).code === IdentityErrorCode.Unauthenticated &&
        typeof request.headers.authorization === 'string';
      if (!unauthenticated) throw error;
      const { blocked, retryAfterSeconds } = await countAuthFailure(
        this.storage,
        request.ip ?? 'unknown',
        this.config.AUTH_FAILURE_RATE_LIMIT,
      );
      if (!blocked) throw error;
      context.switchToHttp().getResponse<Response>().setHeader('Retry-After', String(retryAfterSeconds));
      throw new RequestError(
        RequestErrorCode.RateLimited,
        'too many failed authentications; try again later',
        {
          retryAfterSeconds,
        },
      );
    }
  }
}
