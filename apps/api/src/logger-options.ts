import { randomUUID } from 'node:crypto';
import { IncomingMessage } from 'node:http';
import { Params } from 'nestjs-pino';
import pino from 'pino';
import { AppConfig } from '@app/config';

/**
 * The only request and response headers a log line keeps. An allow-list, not a deny-list: a new
 * header carrying a secret (Authorization, Cookie, Statement-Key, Stripe-Signature, a form key…)
 * is left out without anyone having to remember it.
 */
export const LOGGED_REQUEST_HEADERS: readonly string[] = [
  'host',
  'user-agent',
  'accept',
  'accept-language',
  'content-type',
  'content-length',
  'x-request-id',
];
export const LOGGED_RESPONSE_HEADERS: readonly string[] = [
  'content-type',
  'content-length',
  'idempotent-replayed',
  'cache-control',
];

function pick(headers: unknown, allowed: readonly string[]): Record<string, unknown> {
  const source = (headers ?? {}) as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const name of allowed) if (source[name] !== undefined) kept[name] = source[name];
  return kept;
}

/** Structured logs (pino): one line per request with its id; no secrets, no bodies, allowed headers only. */
export function loggerOptions(config: AppConfig): Params {
  const options = {
    level: config.LOG_LEVEL,
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,100}$/.test(given) ? given : randomUUID();
    },
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string; headers?: unknown }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
        headers: pick(req.headers, LOGGED_REQUEST_HEADERS),
      }),
      res: (res: { statusCode?: number; headers?: unknown }) => ({
        statusCode: res.statusCode,
        headers: pick(res.headers, LOGGED_RESPONSE_HEADERS),
      }),
    },
    autoLogging: config.LOG_LEVEL !== 'silent',
  };
  return {
    pinoHttp: config.LOG_FILE ? [options, pino.destination({ dest: config.LOG_FILE, sync: true })] : options,
  };
}
