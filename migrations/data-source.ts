import { DataSource } from 'typeorm';
import { loadConfig } from '@app/config';
import { dataSourceOptions } from '@app/database';
import { migrations } from './index';

/** For the TypeORM CLI: the same options as the application. */
const config = loadConfig();
if (!config.DATABASE_URL)
  throw new Error('set DATABASE_URL to run the TypeORM CLI, or use `npm run migrate`');
export default new DataSource(dataSourceOptions(config.DATABASE_URL, migrations));
