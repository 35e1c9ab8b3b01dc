import { join } from 'node:path';
import { register } from 'tsconfig-paths';

// Jest's global setup and teardown run outside its module mapper: resolve @app/* here.
register({ baseUrl: join(__dirname, '..'), paths: { '@app/*': ['libs/*/src'] } });
