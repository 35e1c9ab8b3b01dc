import { Command } from 'commander';
import { allocate, MAX_AMOUNT, parseCents } from '@app/money';

/** `librery allocate --total 1001 --weights directed=50,pool=50`: the one allocator, for anyone. */
export function registerAllocate(program: Command): void {
  program
    .command('allocate')
    .description('split an amount of cents by integer weights (largest remainder, rule hamilton-v1)')
    .requiredOption('--total <cents>', 'the amount, in integer minor units')
    .requiredOption('--weights <list>', 'key=weight,key=weight… (integer weights)')
    .action((options: { total: string; weights: string }) => {
      const items = options.weights.split(',').map((pair) => {
        const at = pair.lastIndexOf('=');
        const key = pair.slice(0, at);
        const weight = pair.slice(at + 1);
        if (at <= 0 || !/^[0-9]+$/.test(weight)) throw new Error(`"${pair}" is not key=<integer weight>`);
        return { key, weight: BigInt(weight) };
      });
      const parts = allocate(parseCents(options.total, 'total', MAX_AMOUNT), items);
      process.stdout.write(
        JSON.stringify(parts.map((p) => ({ key: p.key, amount: p.amount.toString() }))) + '\n',
      );
    });
}
