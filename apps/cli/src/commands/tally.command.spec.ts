import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { auditFundingRound } from '@app/governance';
import { registerTally } from './tally.command';

describe('librery tally <file>', () => {
  const record = auditFundingRound({
    pool: '100',
    projects: [
      { id: 'x', cap: null },
      { id: 'y', cap: null },
      { id: 'z', cap: null },
    ],
    threshold: null,
    colleges: [{ id: 'only', weightBp: 10000, ballots: [{ x: 100 }, { y: 100 }, { z: 100 }] }],
  });

  async function run(doc: unknown): Promise<{ out: string; code: number | string | undefined }> {
    const dir = mkdtempSync(join(tmpdir(), 'tally-'));
    const file = join(dir, 'audit.json');
    writeFileSync(file, JSON.stringify(doc));
    const chunks: string[] = [];
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((c) => (chunks.push(String(c)), true));
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const before = process.exitCode;
    try {
      const program = new Command('librery');
      registerTally(program);
      await program.parseAsync(['node', 'librery', 'tally', file]);
      return { out: chunks.join(''), code: process.exitCode };
    } finally {
      out.mockRestore();
      err.mockRestore();
      process.exitCode = before;
    }
  }

  it('says an honest record matches', async () => {
    const { out, code } = await run(record);
    expect(JSON.parse(out)).toMatchObject({ matches: true, kind: 'funding-round', differences: [] });
    expect(code).toBeFalsy();
  });

  it('says a tampered record does not match, with exit code 2', async () => {
    const forged = JSON.parse(JSON.stringify(record));
    forged.result.cents = { x: '33', y: '34', z: '33' };
    const { out, code } = await run(forged);
    expect(JSON.parse(out)).toMatchObject({ matches: false, differences: ['cents'] });
    expect(code).toBe(2);
  });
});
