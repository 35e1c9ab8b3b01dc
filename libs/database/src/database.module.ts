import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '@app/config';
import { dataSourceOptions } from './data-source-options';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        if (!config.DATABASE_URL)
          throw new Error('DATABASE_URL is not set: start through `npm start`, which provides one');
        return {
          ...dataSourceOptions(config.DATABASE_URL, [], config.DATABASE_POOL_SIZE),
          autoLoadEntities: true,
        };
      },
    }),
  ],
})
export class DatabaseModule {}
