import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { repoRoot } from '@app/config';
import { registerAdminCreate } from './commands/admin-create.command';
import { registerAllocate } from './commands/allocate.command';
import { registerTally } from './commands/tally.command';
import { registerVerify } from './commands/verify.command';

const { version } = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string };

const program = new Command('librery')
  .description('The Librery: recompute, verify and administer the fund')
  .version(version, '-V, --version', 'print the version of the librery command');
registerAllocate(program);
registerAdminCreate(program);
registerTally(program);
registerVerify(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
