import { createHash } from 'node:crypto';
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '@app/config';
import { redisConnection } from '@app/queue';
import { SignInError, SignInErrorCode } from './sign-in.errors';

/** A fixed-window counter per key in Redis: shared by every API process. */
@Injectable()
export class SignInRateLimiter implements OnModuleDestroy {
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(config: AppConfig) {
    this.redis = new Redis({
      ...redisConnection(config.REDIS_URL),
      maxRetriesPerRequest: 2,
      lazyConnect: true,
    });
    this.prefix = `${config.QUEUE_PREFIX}:sign-in-rate:`;
  }

  /**
   * Counts one attempt for each key; throws RateLimited (with the seconds to wait) when any key
   * went over its limit within its window. Keys are hashed: no address is stored in Redis.
   */
  async hit(limits: { key: string; max: number; windowSeconds: number }[]): Promise<void> {
    const pipeline = this.redis.multi();
    const keys = limits.map((l) => this.prefix + createHash('sha256').update(l.key).digest('base64url'));
    limits.forEach((l, i) => pipeline.incr(keys[i]).expire(keys[i], l.windowSeconds, 'NX').ttl(keys[i]));
    const results = (await pipeline.exec()) ?? [];
    limits.forEach((l, i) => {
      const count = Number(results[i * 3]?.[1] ?? 0);
      const ttl = Number(results[i * 3 + 2]?.[1] ?? l.windowSeconds);
      if (count > l.max)
        throw new SignInError(SignInErrorCode.RateLimited, 'too many sign-in attempts; try again later', {
          retryAfterSeconds: ttl > 0 ? ttl : l.windowSeconds,
        });
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.redis.disconnect();
  }
}
