#!/usr/bin/env node
// The `librery` command line. Builds the TypeScript once if dist/ is missing.
const { existsSync } = require('node:fs');
const { execFileSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const entry = join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(entry)) {
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // tsc still emits on type errors; fail only when nothing runnable came out of it.
    if (!existsSync(entry)) {
      process.stderr.write(String(error.stdout || error.message));
      process.exit(1);
    }
  }
}
require('./paths');
require(entry);
