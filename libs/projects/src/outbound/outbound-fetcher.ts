import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP, LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { isPublicAddress } from './address-policy';

/** Fetches a URL as text (bounded size and time); tests replace it or point it at a local server. */
export type TextFetcher = (url: string) => Promise<string>;

/** Why an outbound fetch failed: for the log only. Callers show a generic error. */
export type OutboundFailure =
  | 'invalid_url'
  | 'host_refused'
  | 'unresolvable'
  | 'non_public_address'
  | 'redirect'
  | 'http_status'
  | 'too_large'
  | 'timeout'
  | 'network';

export class OutboundFetchError extends Error {
  constructor(
    readonly reason: OutboundFailure,
    /** Details for the log (an address, a status): never shown to the caller. */
    readonly detail: string,
  ) {
    super(`outbound fetch failed: ${reason}`);
    this.name = 'OutboundFetchError';
  }
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface OutboundFetchOptions {
  /** Whole request, connection to last byte. */
  timeoutMs?: number;
  maxBytes?: number;
  /** Development only (`OUTBOUND_ALLOW_PRIVATE_NETWORKS`): loopback and private addresses allowed. */
  allowPrivateNetworks?: boolean;
  /** DNS resolution, called once per fetch (tests count and script it). */
  resolve?: Resolver;
}

const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/**
 * A `lookup` for the socket that ignores the name it is asked about and answers the one address
 * already checked: the connection cannot go anywhere else, whatever DNS says by then (no
 * rebinding between the check and the connection).
 */
export function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (
      err: Error | null,
      address: string | { address: string; family: number }[],
      family?: number,
    ) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all;
    if (all) cb(null, [{ address: pinned.address, family: pinned.family }]);
    else cb(null, pinned.address, pinned.family);
  }) as LookupFunction;
}

/**
 * The server's fetcher of maintainers' URLs (funding.json, well-known files). Maintainers choose
 * these URLs, so it must not become a way into our own network:
 * - the host is resolved once and every address it resolves to must be public
 *   (`isPublicAddress`), unless the development setting allows private networks;
 * - the socket connects to the checked address only (`pinnedLookup` on an undici Agent);
 * - a redirect is a failure (it is never followed), as is any status other than 2xx;
 * - the body is bounded (320 KB, FLOSS/fund's crawler limit) and the whole exchange too (3 s).
 * Failures are `OutboundFetchError`s whose reason and detail go to the log, not to the caller.
 */
export function boundedFetcher(options: OutboundFetchOptions = {}): TextFetcher {
  const timeoutMs = options.timeoutMs ?? 3000;
  const maxBytes = options.maxBytes ?? 320 * 1024;
  const resolve = options.resolve ?? systemResolver;
  return async (input: string) => {
    let url: URL;
    try {
      url = new URL(input);
    } catch {
      throw new OutboundFetchError('invalid_url', 'unparsable');
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) {
      throw new OutboundFetchError(
        'invalid_url',
        `${url.protocol} with credentials: ${Boolean(url.username)}`,
      );
    }
    if (/(^|\.)githubusercontent\.com$|(^|\.)amazonaws\.com$/i.test(url.hostname)) {
      throw new OutboundFetchError('host_refused', url.hostname);
    }
    // One deadline for the whole exchange, cleared at the end (a timer left running would abort a
    // finished request's body later, with nobody listening).
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error('deadline')), timeoutMs);
    const signal = controller.signal;
    try {
      return await fetchPinned(url, signal);
    } finally {
      clearTimeout(timer);
    }
  };

  async function fetchPinned(url: URL, signal: AbortSignal): Promise<string> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    let addresses: ResolvedAddress[];
    if (isIP(host)) addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
    else {
      try {
        addresses = await Promise.race([resolve(host), aborted(signal)]);
      } catch (error) {
        if (signal.aborted) throw new OutboundFetchError('timeout', `resolving ${host}`);
        throw new OutboundFetchError('unresolvable', `${host}: ${(error as Error).message}`);
      }
    }
    if (addresses.length === 0) throw new OutboundFetchError('unresolvable', host);
    if (!options.allowPrivateNetworks) {
      const refused = addresses.find((a) => !isPublicAddress(a.address));
      if (refused) throw new OutboundFetchError('non_public_address', `${host} → ${refused.address}`);
    }
    const agent = new Agent({
      connect: { lookup: pinnedLookup(addresses[0]), timeout: timeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connections: 1,
      pipelining: 0,
    });
    try {
      const response = await request(url, {
        method: 'GET',
        dispatcher: agent,
        signal,
        headers: {
          accept: 'application/json, text/plain;q=0.9, */*;q=0.1',
          'user-agent': 'librery-verifier',
        },
      }).catch((error: Error) => {
        throw signal.aborted
          ? new OutboundFetchError('timeout', `${url.host}`)
          : new OutboundFetchError('network', `${url.host}: ${error.message}`);
      });
      response.body.on('error', () => undefined); // failures are read through the iterator below
      if (response.statusCode >= 300 && response.statusCode < 400) {
        response.body.destroy();
        throw new OutboundFetchError(
          'redirect',
          `${response.statusCode} to ${String(response.headers.location)}`,
        );
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        response.body.destroy();
        throw new OutboundFetchError('http_status', String(response.statusCode));
      }
      const declared = Number(response.headers['content-length'] ?? NaN);
      if (declared > maxBytes) {
        response.body.destroy();
        throw new OutboundFetchError('too_large', `content-length ${declared}`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of response.body) {
          size += (chunk as Buffer).byteLength;
          if (size > maxBytes) {
            response.body.destroy();
            throw new OutboundFetchError('too_large', `more than ${maxBytes} bytes`);
          }
          chunks.push(chunk as Buffer);
        }
      } catch (error) {
        if (error instanceof OutboundFetchError) throw error;
        throw signal.aborted
          ? new OutboundFetchError('timeout', `${url.host} while reading`)
          : new OutboundFetchError('network', `${url.host}: ${(error as Error).message}`);
      }
      return Buffer.concat(chunks).toString('utf8');
    } finally {
      void agent.destroy().catch(() => undefined);
    }
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
