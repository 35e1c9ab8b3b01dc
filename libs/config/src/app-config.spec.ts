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
