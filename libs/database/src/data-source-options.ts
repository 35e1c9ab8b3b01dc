import { DataSourceOptions, MixedList } from 'typeorm';
import { installBigIntParsers } from './pg-types';

/**
 * The one TypeORM options object, used by Nest, the migration CLI, the tests and the bench.
 * Schema changes only through the listed migrations: synchronize and migrationsRun stay off.
 */
export function dataSourceOptions(
  url: string,
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function> = [],
  poolSize = 20,
): DataSourceOptions {
  installBigIntParsers();
  return {
    type: 'postgres',
    url,
    synchronize: false,
    migrationsRun: false,
    migrations,
    migrationsTableName: 'schema_migrations',
    entities: [],
    extra: { max: poolSize, application_name: 'librery' },
    logging: false,
  };
}
