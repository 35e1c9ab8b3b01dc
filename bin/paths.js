// Resolves the monorepo's @app/* imports inside the compiled dist/ tree.
const { join } = require('node:path');
require('tsconfig-paths').register({ baseUrl: join(__dirname, '..', 'dist'), paths: { '@app/*': ['libs/*/src'] } });
