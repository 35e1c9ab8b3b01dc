import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { verifyPublished } from '@app/governance';

/**
 * `librery tally <file|url|->`: recomputes a motion or funding-round result from its published
 * audit record (or a whole results document with its ballot chain) and says whether it matches.
 * Exit code 0 when it matches, 2 when it does not.
 */
export function registerTally(program: Command): void {
  program
    .command('tally')
    .description('recompute a published motion or funding-round result and check it (and its ballot chain)')
    .argument('<source>', 'a JSON file, an http(s) URL of a results document, or - for stdin')
    .action(async (source: string) => {
      const text =
        source === '-'
          ? readFileSync(0, 'utf8')
          : /^https?:\/\//.test(source)
            ? await (await fetch(source)).text()
            : readFileSync(source, 'utf8');
      const check = verifyPublished(JSON.parse(text));
      const r = check.recomputation;
      process.stdout.write(
        JSON.stringify(
          {
            matches: check.matches,
            kind: r.kind,
            algorithm: r.algorithm,
            differences: r.differences,
            chain: check.chain ?? null,
            result: r.recomputed,
          },
          null,
          2,
        ) + '\n',
      );
      process.stderr.write(
        check.matches
          ? 'OK: the published result matches the recomputation\n'
          : 'MISMATCH: see "differences" and "chain"\n',
      );
      if (!check.matches) process.exitCode = 2;
    });
}
