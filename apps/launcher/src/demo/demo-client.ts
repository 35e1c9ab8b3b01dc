/** A tiny client of the public HTTP API, as a real user would call it: JSON in, JSON out, Bearer tokens. */
export class DemoClient {
  constructor(readonly baseUrl: string) {}

  async request<T = Record<string, unknown>>(
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      raw?: string;
      headers?: Record<string, string>;
      expect?: number[];
    } = {},
  ): Promise<{ status: number; body: T; text: string }> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(options.body);
    }
    if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await fetch(this.baseUrl + path, { method, headers, body: payload });
    const text = await res.text();
    const expected = options.expect ?? [200, 201, 202];
    if (!expected.includes(res.status)) {
      throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    }
    let body: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text) body = JSON.parse(text);
    return { status: res.status, body: body as T, text };
  }

  async get<T = Record<string, unknown>>(path: string, token?: string): Promise<T> {
    return (await this.request<T>('GET', path, { token })).body;
  }

  async post<T = Record<string, unknown>>(
    path: string,
    token: string | undefined,
    body?: unknown,
  ): Promise<T> {
    return (await this.request<T>('POST', path, { token, body: body ?? {} })).body;
  }

  async put<T = Record<string, unknown>>(path: string, token: string, body: unknown): Promise<T> {
    return (await this.request<T>('PUT', path, { token, body })).body;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  everyMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
