import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { LogVerifier, VerifierState, VerifyReport } from '@app/transparency';

function defaultStateFile(baseUrl: string, key: string): string {
  const base = process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config');
  const id = createHash('sha256')
    .update(`${baseUrl.replace(/\/+$/, '')}\n${key.trim()}`)
    .digest('hex')
    .slice(0, 16);
  return join(base, 'librery', 'verify', `${id}.json`);
}

function readState(file: string): VerifierState | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as VerifierState;
  } catch {
    return null;
  }
}

function progress(stream: NodeJS.WriteStream): (done: number, total: number, phase: string) => void {
  if (!stream.isTTY) return () => undefined;
  return (done, total, phase) => {
    const width = 30;
    const filled = total === 0 ? width : Math.round((Math.min(done, total) / total) * width);
    stream.write(
      `\r${phase.padEnd(8)} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`,
    );
    if (done >= total) stream.write('\n');
  };
}

export function formatReport(report: VerifyReport, baseUrl: string): string {
  const lines = [
    `Librery at ${baseUrl}`,
    `checkpoint: ${report.treeSize} leaves, root ${report.root}`,
    `checked: ${report.leavesChecked} leaves, ${report.entriesChecked} published entries, ${report.accountsChecked} account balances`,
  ];
  if (report.ok) {
    lines.push(
      'OK: the signature, every leaf, the root, consistency with the last checkpoint seen and every balance match.',
    );
  } else {
    lines.push(`FAILED: ${report.problems.length} problem(s)`);
    for (const p of report.problems) lines.push(`  - [${p.kind}] ${p.message}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `librery verify <base-url> --key <vkey>`: verify a Librery from the outside; exit 0 only when everything matches. */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'verify the public ledger: checkpoint signature, every leaf and the root, consistency, published entries and balances',
    )
    .argument('<base-url>', 'the Librery to verify, e.g. https://librery.example')
    .requiredOption('--key <vkey>', 'the log verifier key (C2SP vkey), obtained out of band')
    .option(
      '--state <file>',
      'where the last verified checkpoint is kept (default: under ~/.config/librery/verify)',
    )
    .option('--json', 'print the report as JSON')
    .action(async (baseUrl: string, options: { key: string; state?: string; json?: boolean }) => {
      const file = options.state ?? defaultStateFile(baseUrl, options.key);
      const report = await new LogVerifier({
        baseUrl,
        verifierKey: options.key,
        previous: readState(file),
        onProgress: progress(process.stderr),
      }).run();
      if (report.ok && report.state) {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, `${JSON.stringify(report.state, null, 2)}\n`);
      }
      process.stdout.write(
        options.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report, baseUrl),
      );
      process.exitCode = report.ok ? 0 : 1;
    });
}
