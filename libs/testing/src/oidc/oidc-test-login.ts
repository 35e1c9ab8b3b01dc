/**
 * Signs in at the test identity provider without a browser, as a browser would: follows its
 * redirects with its cookies, fills its login form, and stops at the first redirect to
 * `redirectPrefix` (the relying party's callback), whose URL it returns.
 */
export async function loginAtTestProvider(
  authorizationUrl: string,
  account: { email: string; password: string },
  redirectPrefix: string,
): Promise<URL> {
  const cookies = new Map<string, string>();
  const request = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return response;
  };
  let url = authorizationUrl;
  for (let hops = 0; hops < 10; hops++) {
    if (url.startsWith(redirectPrefix)) return new URL(url);
    const response = await request(url);
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url).href;
      continue;
    }
    const html = await response.text();
    if (!/<form method="post"/.test(html))
      throw new Error(`unexpected page at ${url}: ${html.slice(0, 500)}`);
    const posted = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(account).toString(),
    });
    const next = posted.headers.get('location');
    if (!next) throw new Error(`the login was refused: ${(await posted.text()).slice(0, 500)}`);
    url = new URL(next, url).href;
  }
  throw new Error('too many redirects at the test provider');
}
