#!/usr/bin/env node
// `npm start`, `npm run migrate`, `npm run demo`: builds, then runs the launcher in THIS process (no shell in between), so a signal
// sent to npm's child reaches the launcher, which stops the API, the worker, Redis and PostgreSQL.
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const script = process.argv[2] ?? 'main';
try {
  execFileSync(
    process.execPath,
    [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
} catch {
  process.stderr.write('the build failed: see the TypeScript errors above\n');
  process.exit(1);
}
require('./paths');
require(join(root, 'dist', 'apps', 'launcher', 'src', `${script}.js`));
