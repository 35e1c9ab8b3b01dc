import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

let root: string | undefined;

/** The repository root: the nearest folder above this file whose package.json is the Librery's. */
export function repoRoot(): string {
  if (root) return root;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'librery'
    ) {
      root = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the Librery repository root');
    dir = parent;
  }
}

/** A folder of the shared material (test vectors, XSDs), `../shared` beside the repository unless SHARED_DIR says. */
export function sharedPath(...parts: string[]): string {
  return resolve(process.env.SHARED_DIR ?? join(repoRoot(), '..', 'shared'), ...parts);
}

/** Local state of a development run (embedded database, keys), git-ignored. */
export function dataPath(...parts: string[]): string {
  return resolve(process.env.LIBRERY_DATA_DIR ?? join(repoRoot(), '.data'), ...parts);
}
