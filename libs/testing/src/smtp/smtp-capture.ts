import { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message received by the capture, its text part decoded. */
export interface CapturedMail {
  from: string;
  to: string[];
  subject: string;
  headers: Record<string, string>;
  text: string;
  html: string | null;
  raw: string;
  receivedAt: Date;
}

export interface SmtpCapture {
  /** smtp://127.0.0.1:<port> (no TLS, no authentication), for SMTP_URL. */
  url: string;
  port: number;
  messages: CapturedMail[];
  /** Resolves with the first mail to `address` received after `since` messages (default: any). */
  waitForMail(address: string, options?: { timeoutMs?: number; since?: number }): Promise<CapturedMail>;
  /** Called with each message received (the demo prints it). */
  onMail?: (mail: CapturedMail) => void;
  /** Makes the next `count` messages fail with a temporary 451 error (to test retries). */
  failNext(count: number): void;
  close(): Promise<void>;
}

/** Starts a real SMTP server on loopback that keeps every message it receives. */
export async function startSmtpCapture(options: { port?: number; host?: string } = {}): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const capture = {} as SmtpCapture;
  const waiters = new Set<() => void>();
  let failures = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failures > 0) {
          failures -= 1;
          const error = new Error('try again later') as Error & { responseCode: number };
          error.responseCode = 451;
          return done(error);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail: CapturedMail = {
          ...parseMessage(raw),
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          raw,
          receivedAt: new Date(),
        };
        messages.push(mail);
        capture.onMail?.(mail);
        for (const wake of waiters) wake();
        done();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = ((server as unknown as { server: { address(): AddressInfo } }).server.address() as AddressInfo)
    .port;
  return Object.assign(capture, {
    url: `smtp://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    messages,
    failNext(count: number) {
      failures = count;
    },
    waitForMail(
      address: string,
      { timeoutMs = 20_000, since = 0 }: { timeoutMs?: number; since?: number } = {},
    ) {
      const wanted = address.toLowerCase();
      const find = () => messages.slice(since).find((m) => m.to.includes(wanted));
      return new Promise<CapturedMail>((resolve, reject) => {
        const found = find();
        if (found) return resolve(found);
        const wake = () => {
          const mail = find();
          if (!mail) return;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(mail);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no mail to ${address} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** The first link in a mail's text that starts with `prefix`. */
export function extractLink(mail: CapturedMail, prefix: string): string {
  const escaped = prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`${escaped}[^\\s<>"]*`).exec(mail.text);
  if (!match) throw new Error(`no link starting with ${prefix} in: ${mail.text}`);
  return match[0];
}

// A small MIME reader, enough for what nodemailer writes: one part or multipart/alternative,
// 7bit, quoted-printable or base64, UTF-8.
function parseMessage(raw: string): Pick<CapturedMail, 'subject' | 'headers' | 'text' | 'html'> {
  const { headers, body } = splitPart(raw);
  const parts: { type: string; content: string }[] = [];
  collectParts(headers, body, parts);
  return {
    headers,
    subject: decodeWords(headers.subject ?? ''),
    text: parts.find((p) => p.type === 'text/plain')?.content ?? '',
    html: parts.find((p) => p.type === 'text/html')?.content ?? null,
  };
}

function splitPart(raw: string): { headers: Record<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/);
  const head = at < 0 ? raw : raw.slice(0, at);
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '');
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

function collectParts(
  headers: Record<string, string>,
  body: string,
  parts: { type: string; content: string }[],
): void {
  const contentType = headers['content-type'] ?? 'text/plain';
  const type = contentType.split(';')[0].trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
    if (!boundary) return;
    for (const chunk of body.split(`--${boundary}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const part = splitPart(chunk.replace(/^\r?\n/, ''));
      collectParts(part.headers, part.body, parts);
    }
    return;
  }
  const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
  let content: string;
  if (encoding === 'base64') content = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (encoding === 'quoted-printable') content = decodeQuotedPrintable(body);
  else content = body;
  parts.push({ type, content: content.replace(/\r\n/g, '\n').replace(/\n$/, '') });
}

function decodeQuotedPrintable(body: string): string {
  const soft = body.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeWords(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : decodeQuotedPrintable(text.replace(/_/g, ' ')),
    );
}
