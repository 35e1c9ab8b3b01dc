import { ConfigError, loadConfig } from './app-config';

describe('AppConfig', () => {
  it("normalises the fund's IBAN and requires its account name with it", () => {
    const config = loadConfig({
      FUND_ACCOUNT_NAME: 'Fonds Librery',
      FUND_IBAN: 'fr76 3000 6000 0112 3456 7890 189',
      FUND_BIC: 'AGRIFRPPXXX',
    });
    expect(config.FUND_IBAN).toBe('FR7630006000011234567890189');
    expect(() => loadConfig({ FUND_IBAN: 'FR7630006000011234567890189' })).toThrow(
      /FUND_ACCOUNT_NAME: required with FUND_IBAN/,
    );
  });

  it('refuses a bad IBAN or BIC at boot, naming the setting', () => {
    expect(() =>
      loadConfig({ FUND_ACCOUNT_NAME: 'Fonds', FUND_IBAN: 'FR7630006000011234567890188' }),
    ).toThrow(ConfigError);
    expect(() =>
      loadConfig({ FUND_ACCOUNT_NAME: 'Fonds', FUND_IBAN: 'FR7630006000011234567890188' }),
    ).toThrow(/FUND_IBAN: not a valid IBAN/);
    expect(() => loadConfig({ FUND_BIC: 'NOT A BIC' })).toThrow(/FUND_BIC: not a valid BIC/);
    expect(loadConfig({}).FUND_IBAN).toBeUndefined();
  });

  it('checks the mail and sign-in settings at boot', () => {
    expect(loadConfig({}).MAIL_FROM).toMatch(/@/);
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/SMTP_URL: required in production/);
    expect(loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtps://u:p@mail.example.org' }).SMTP_URL).toBe(
      'smtps://u:p@mail.example.org',
    );
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example.org' })).toThrow(
      /SMTP_URL: must start with smtp/,
    );
    expect(() => loadConfig({ MAIL_FROM: 'nobody' })).toThrow(/MAIL_FROM/);
    expect(loadConfig({ MAIL_FROM: 'Librery <fonds@example.org>' }).MAIL_FROM).toBe(
      'Librery <fonds@example.org>',
    );
    expect(() => loadConfig({ PROCONNECT_ISSUER: 'https://auth.proconnect.gouv.fr/api/v2' })).toThrow(
      /PROCONNECT_ISSUER, PROCONNECT_CLIENT_ID, PROCONNECT_CLIENT_SECRET: set all three or none/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: 'production', SMTP_URL: 'smtp://localhost', OIDC_ALLOW_HTTP: 'true' }),
    ).toThrow(/OIDC_ALLOW_HTTP: never in production/);
    expect(loadConfig({ OIDC_ALLOW_HTTP: 'true' }).OIDC_ALLOW_HTTP).toBe(true);
  });

  it('allows private outbound fetches only when told to, never because the base URL is loopback', () => {
    expect(loadConfig({}).OUTBOUND_ALLOW_PRIVATE_NETWORKS).toBe(false);
    expect(loadConfig({ PUBLIC_BASE_URL: 'http://127.0.0.1:3000' }).OUTBOUND_ALLOW_PRIVATE_NETWORKS).toBe(
      false,
    );
    expect(loadConfig({ OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'true' }).OUTBOUND_ALLOW_PRIVATE_NETWORKS).toBe(
      true,
    );
    expect(loadConfig({ OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'false' }).OUTBOUND_ALLOW_PRIVATE_NETWORKS).toBe(
      false,
    );
    expect(() => loadConfig({ OUTBOUND_ALLOW_PRIVATE_NETWORKS: 'yes please' })).toThrow(
      /OUTBOUND_ALLOW_PRIVATE_NETWORKS/,
    );
  });
});
