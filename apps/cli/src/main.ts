import 'reflect-metadata';
import { Command } from 'commander';
import { registerAdminCreate } from './commands/admin-create.command';
import { registerAllocate } from './commands/allocate.command';
import { registerTally } from './commands/tally.command';
import { registerVerify } from './commands/verify.command';

const program = new Command('librery').description('The Librery: recompute, verify and administer the fund');
registerAllocate(program);
registerAdminCreate(program);
registerTally(program);
registerVerify(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
