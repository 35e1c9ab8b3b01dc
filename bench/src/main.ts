import 'reflect-metadata';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `npm run bench [-- <suite>…]`: runs every bench/src/<suite>.bench.ts (or the named ones), each
 * printing its ratios against a baseline measured in the same run, then one JSON line with every figure.
 */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const suites = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .map((f) => f.replace(/\.bench\.js$/, ''))
    .filter((name) => wanted.length === 0 || wanted.includes(name))
    .sort((a, b) => (a === 'ledger' ? -1 : b === 'ledger' ? 1 : a.localeCompare(b)));
  if (wanted.length > 0 && suites.length === 0) throw new Error(`no bench suite named ${wanted.join(', ')}`);
  const figures: Record<string, number | string> = {};
  for (const suite of suites) {
    const started = Date.now();
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(join(__dirname, `${suite}.bench.js`)) as {
        run: () => Promise<Record<string, number>>;
      };
      Object.assign(figures, await mod.run());
    } catch (error) {
      console.error(`bench ${suite} failed: ${error instanceof Error ? error.stack : String(error)}`);
      figures[`${suite}_error`] = error instanceof Error ? error.message : String(error);
    }
    figures[`${suite}_suite_seconds`] = Math.round((Date.now() - started) / 100) / 10;
  }
  console.log(JSON.stringify(figures));
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
