import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Response } from 'express';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { AppConfig } from '@app/config';
import { Public } from '@app/identity';
import { redisConnection } from '@app/queue';

@ApiTags('health')
@Controller('health')
export class HealthController {
  private readonly redis: Redis;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.redis = new Redis({
      ...redisConnection(config.REDIS_URL),
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    this.redis.on('error', () => undefined);
  }

  /** Database and Redis reachability; 503 when either is down. */
  @Public()
  @Get()
  async check(@Res({ passthrough: true }) res: Response) {
    const [database, redis] = await Promise.all([
      this.dataSource.query('SELECT 1').then(
        () => 'up',
        () => 'down',
      ),
      this.redis.ping().then(
        (p) => (p === 'PONG' ? 'up' : 'down'),
        () => 'down',
      ),
    ]);
    const ok = database === 'up' && redis === 'up';
    res.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'degraded', database, redis };
  }

  async onModuleDestroy() {
    this.redis.disconnect();
  }
}
