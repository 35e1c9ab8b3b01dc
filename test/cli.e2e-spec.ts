import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { sharedPath } from '@app/config';
import { registerAllocate } from '../apps/cli/src/commands/allocate.command';

async function runCli(args: string[]): Promise<string> {
  const program = new Command('librery').exitOverride();
  registerAllocate(program);
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  });
  try {
    await program.parseAsync(['node', 'librery', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('librery allocate', () => {
  const vectors = JSON.parse(readFileSync(sharedPath('test-vectors', 'allocation.json'), 'utf8')) as {
    cases: {
      name: string;
      total: string;
      items: { key: string; weight: string }[];
      expected: { key: string; amount: string }[];
    }[];
  };

  it.each(
    vectors.cases
      .filter((c) => c.items.every((i) => /^[\w.-]+$/.test(i.key)))
      .map((c) => [c.name, c] as const),
  )('prints the vector split as JSON: %s', async (_name, c) => {
    const out = await runCli([
      'allocate',
      '--total',
      c.total,
      '--weights',
      c.items.map((i) => `${i.key}=${i.weight}`).join(','),
    ]);
    expect(JSON.parse(out)).toEqual(c.expected);
  });

  it('refuses a weight that is not an integer', async () => {
    await expect(runCli(['allocate', '--total', '10', '--weights', 'a=1.5,b=1'])).rejects.toThrow(
      /key=<integer weight>/,
    );
  });
});
