import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, LookupFunction } from 'node:net';
import { boundedFetcher, OutboundFetchError, pinnedLookup, ResolvedAddress } from './outbound-fetcher';

/** The fetcher of maintainers' URLs against real loopback listeners (issue 15, SSRF). */
describe('boundedFetcher', () => {
  let server: Server;
  let port: number;
  const hits: { url: string; host: string }[] = [];
  let handler: (req: IncomingMessage, res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      hits.push({ url: req.url ?? '', host: req.headers.host ?? '' });
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    hits.length = 0;
    handler = (req, res) => {
      if (req.url === '/redirect') res.writeHead(302, { location: '/secret' }).end();
      else res.end(req.url === '/secret' ? 'internal' : 'hello');
    };
  });

  const reason = (promise: Promise<unknown>) =>
    promise.then(
      () => 'fetched',
      (error: unknown) => (error instanceof OutboundFetchError ? error.reason : `other: ${String(error)}`),
    );

  it.each([
    ['a loopback address', () => `http://127.0.0.1:${port}/`],
    ['an IPv4-mapped loopback', () => `http://[::ffff:127.0.0.1]:${port}/`],
    ['an IPv4-compatible loopback', () => `http://[::127.0.0.1]:${port}/`],
    ['IPv6 loopback', () => `http://[::1]:${port}/`],
    ['a name of the system resolver that is loopback', () => `http://localhost:${port}/`],
    ['a decimal IPv4 spelling', () => `http://2130706433:${port}/`],
  ])('refuses %s by default, without connecting', async (_label, url) => {
    expect(await reason(boundedFetcher()(url()))).toBe('non_public_address');
    expect(hits).toEqual([]);
  });

  it('refuses a hostname whose resolution includes a private address, asking DNS once', async () => {
    const asked: string[] = [];
    const resolve = async (host: string): Promise<ResolvedAddress[]> => {
      asked.push(host);
      return [
        { address: '93.184.215.14', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ];
    };
    expect(await reason(boundedFetcher({ resolve })(`http://mixed.example:${port}/`))).toBe(
      'non_public_address',
    );
    expect(asked).toEqual(['mixed.example']);
    expect(hits).toEqual([]);
  });

  it('does not follow a redirect, even where private networks are allowed: it is a failure', async () => {
    const fetcher = boundedFetcher({ allowPrivateNetworks: true });
    expect(await reason(fetcher(`http://127.0.0.1:${port}/redirect`))).toBe('redirect');
    expect(hits.map((h) => h.url)).toEqual(['/redirect']);
  });

  it('fetches a local listener only under the development setting', async () => {
    expect(await boundedFetcher({ allowPrivateNetworks: true })(`http://127.0.0.1:${port}/`)).toBe('hello');
  });

  it('bounds the size, declared or streamed', async () => {
    const fetcher = boundedFetcher({ allowPrivateNetworks: true, maxBytes: 1000 });
    handler = (_req, res) => res.end('x'.repeat(5000));
    expect(await reason(fetcher(`http://127.0.0.1:${port}/declared`))).toBe('too_large');
    handler = (_req, res) => {
      res.write('x'.repeat(800));
      setTimeout(() => res.end('x'.repeat(800)), 20);
    };
    expect(await reason(fetcher(`http://127.0.0.1:${port}/chunked`))).toBe('too_large');
  });

  it('bounds the time, for headers and for a body that stalls', async () => {
    const fetcher = boundedFetcher({ allowPrivateNetworks: true, timeoutMs: 300 });
    handler = () => undefined; // never answers
    let started = Date.now();
    expect(await reason(fetcher(`http://127.0.0.1:${port}/silent`))).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
    handler = (_req, res) => res.write('partial'); // never ends
    started = Date.now();
    expect(await reason(fetcher(`http://127.0.0.1:${port}/stall`))).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses an error status, naming it only in the error detail', async () => {
    handler = (_req, res) => res.writeHead(403).end('no');
    const error = await boundedFetcher({ allowPrivateNetworks: true })(`http://127.0.0.1:${port}/`).catch(
      (e) => e,
    );
    expect(error).toMatchObject({
      reason: 'http_status',
      detail: '403',
      message: 'outbound fetch failed: http_status',
    });
  });

  it('connects to the address it checked, not to a new resolution (no DNS rebinding)', async () => {
    // A resolver that answers the listener first, then an unreachable address: a second
    // resolution (as `fetch` would make) would fail. The name is resolved once and pinned.
    let calls = 0;
    const resolve = async (): Promise<ResolvedAddress[]> => {
      calls += 1;
      return [{ address: calls === 1 ? '127.0.0.1' : '10.255.255.1', family: 4 }];
    };
    const fetcher = boundedFetcher({ allowPrivateNetworks: true, resolve });
    expect(await fetcher(`http://rebind.example:${port}/pinned`)).toBe('hello');
    expect(calls).toBe(1);
    expect(hits).toEqual([{ url: '/pinned', host: `rebind.example:${port}` }]);
  });

  it('with the check on, a public first answer then a loopback one never reaches the loopback listener', async () => {
    let calls = 0;
    const resolve = async (): Promise<ResolvedAddress[]> => {
      calls += 1;
      return [{ address: calls === 1 ? '192.88.98.1' : '127.0.0.1', family: 4 }];
    };
    const outcome = await reason(
      boundedFetcher({ resolve, timeoutMs: 500 })(`http://rebind.example:${port}/`),
    );
    expect(['timeout', 'network']).toContain(outcome);
    expect(calls).toBe(1);
    expect(hits).toEqual([]);
  });
});

describe('pinnedLookup', () => {
  const call = (lookup: LookupFunction, host: string, options: object) =>
    new Promise<unknown[]>((resolve) =>
      lookup(host, options as never, (...args: unknown[]) => resolve(args)),
    );

  it('answers the pinned address whatever name and options it is asked', async () => {
    const lookup = pinnedLookup({ address: '203.0.113.5', family: 4 });
    expect(await call(lookup, 'anything.example', {})).toEqual([null, '203.0.113.5', 4]);
    expect(await call(lookup, 'localhost', { all: true })).toEqual([
      null,
      [{ address: '203.0.113.5', family: 4 }],
    ]);
    const v6 = pinnedLookup({ address: '2606:4700::1111', family: 6 });
    expect(await call(v6, 'other.example', { family: 4 })).toEqual([null, '2606:4700::1111', 6]);
  });
});
