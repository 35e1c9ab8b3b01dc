import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  validateSync,
} from 'class-validator';
import { electronicFormatIBAN, isValidBIC, isValidIBAN } from 'ibantools';

/** Every setting the Librery reads, validated once at boot. Nothing else reads process.env. */
export class AppConfig {
  /** postgres://… of the system of record; unset: an embedded PostgreSQL is started. */
  @IsOptional() @IsString() DATABASE_URL?: string;

  @IsString() REDIS_URL: string = 'redis://127.0.0.1:6379';

  @Transform(({ value }) => Number(value)) @IsInt() @Min(0) @Max(65535) PORT: number = 3000;

  @IsString() HOST: string = '127.0.0.1';

  /** How many API processes `npm start` runs on the one port (node:cluster). */
  @Transform(({ value }) => Number(value)) @IsInt() @Min(1) @Max(64) API_PROCESSES: number = 1;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL: string = 'info';

  /** Where the API writes its log lines (a file, appended); unset: standard output. */
  @IsOptional() @IsString() LOG_FILE?: string;

  /** Largest JSON request body accepted, for the API. */
  @IsString() BODY_LIMIT: string = '1mb';

  /** Prefix of every Redis key and queue, so several instances can share one Redis. */
  @IsString() QUEUE_PREFIX: string = 'librery';

  @Transform(({ value }) => Number(value)) @IsInt() @Min(1) @Max(200) DATABASE_POOL_SIZE: number = 20;

  /** Anonymous checkouts accepted per client address and minute (rate limit, shared in Redis). */
  @Transform(({ value }) => Number(value)) @IsInt() @Min(1) @Max(1_000_000) CHECKOUT_RATE_LIMIT: number = 10;

  /** Failed token authentications accepted per client address and 10 minutes, then 429. */
  @Transform(({ value }) => Number(value))
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  AUTH_FAILURE_RATE_LIMIT: number = 20;

  /**
   * Development only: lets the server fetch maintainers' URLs (funding.json, well-known files) on
   * loopback, private and link-local addresses. Off by default, and never implied by
   * PUBLIC_BASE_URL: a deployment on a loopback address still refuses them.
   */
  @Transform(({ value }) =>
    value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value,
  )
  @IsBoolean()
  OUTBOUND_ALLOW_PRIVATE_NETWORKS: boolean = false;

  /** Public base URL of the platform, used in links. */
  @IsString() PUBLIC_BASE_URL: string = 'http://127.0.0.1:3000';

  /** Where people report an accessibility problem (the accessibility statement); default accessibilite@<host>. */
  @IsOptional() @IsString() ACCESSIBILITY_CONTACT?: string;

  @IsOptional() @IsString() STRIPE_SECRET_KEY?: string;
  @IsOptional() @IsString() STRIPE_WEBHOOK_SECRET?: string;
  /** Points the Stripe SDK at another host (tests use a local fake): http://127.0.0.1:12111 */
  @IsOptional() @IsString() STRIPE_API_BASE?: string;

  /**
   * Key (hex, at least 32 bytes) of the HMAC that derives donors' public pseudonyms, so that a
   * pseudonym cannot be computed from a user id by anyone without it. Unset in development:
   * generated once and kept under .data.
   */
  @IsOptional() @Matches(/^([0-9a-f]{2}){32,}$/) DONOR_PSEUDONYM_KEY?: string;

  /** Ed25519 seed (hex, 32 bytes) signing checkpoints; unset in development: generated and kept under .data. */
  @IsOptional() @IsString() LOG_SIGNING_SEED?: string;
  @IsString() LOG_ORIGIN: string = 'librery.local/ledger';

  /**
   * The fund's own bank account, debtor of its SEPA payout files: used when the treasurer submits
   * a SEPA batch without naming one. Name and IBAN go together; the BIC is optional.
   */
  @IsOptional() @IsString() @Length(1, 140) FUND_ACCOUNT_NAME?: string;
  @IsOptional() @IsString() FUND_IBAN?: string;
  @IsOptional() @IsString() FUND_BIC?: string;

  /** The fund as the seller of its payment requests: legal name (default: FUND_ACCOUNT_NAME), SIRET, postal address. */
  @IsOptional() @IsString() @Length(1, 200) FUND_LEGAL_NAME?: string;
  @IsOptional() @IsString() FUND_SIRET?: string;
  @IsOptional() @IsString() @Length(1, 200) FUND_ADDRESS_LINE?: string;
  @IsOptional() @IsString() @Length(1, 20) FUND_POSTCODE?: string;
  @IsOptional() @IsString() @Length(1, 100) FUND_CITY?: string;
  @IsString() @Length(2, 2) FUND_COUNTRY: string = 'FR';

  /** Largest bank statement (camt.053/054) or status report (pain.002) accepted, in bytes. */
  @Transform(({ value }) => Number(value)) @IsInt() @Min(1024) BANK_FILE_MAX_BYTES: number = 50 * 1024 * 1024;

  /** `production` hides development helpers (the captured-mail page) and requires SMTP_URL. */
  @IsIn(['development', 'test', 'production']) NODE_ENV: string = 'development';

  /** smtp://user:pass@host:587 or smtps://…; unset in development: mails are logged and listed at /dev/mail. */
  @IsOptional() @IsString() SMTP_URL?: string;
  /** Sender of every mail: an address, or `Name <address>`. */
  @IsString() MAIL_FROM: string = 'Librery <no-reply@librery.local>';
  /** How often the worker looks for mail to send (ms). */
  @Transform(({ value }) => Number(value)) @IsInt() @Min(100) @Max(600000) MAIL_POLL_MS: number = 2000;

  /** ProConnect (OpenID Connect): issuer URL (discovery at <issuer>/.well-known/openid-configuration), client id and secret. */
  @IsOptional() @IsString() PROCONNECT_ISSUER?: string;
  @IsOptional() @IsString() PROCONNECT_CLIENT_ID?: string;
  @IsOptional() @IsString() PROCONNECT_CLIENT_SECRET?: string;
  /** A second OpenID Connect provider, e.g. a forge for maintainers; its button shows OIDC_MAINTAINERS_LABEL. */
  @IsOptional() @IsString() OIDC_MAINTAINERS_ISSUER?: string;
  @IsOptional() @IsString() OIDC_MAINTAINERS_CLIENT_ID?: string;
  @IsOptional() @IsString() OIDC_MAINTAINERS_CLIENT_SECRET?: string;
  @IsString() OIDC_MAINTAINERS_LABEL: string = 'Forge';
  /** Allows an OpenID Connect issuer over plain http (a local test or demo provider); never in production. */
  @Transform(({ value }) => value === true || value === 'true' || value === '1') OIDC_ALLOW_HTTP: boolean =
    false;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const config = plainToInstance(AppConfig, raw, { excludeExtraneousValues: false });
  const errors = validateSync(config, { skipMissingProperties: false, forbidUnknownValues: false });
  const lines = errors.map((e) => `${e.property}: ${Object.values(e.constraints ?? {}).join(', ')}`);
  if (config.FUND_IBAN !== undefined) {
    const iban = electronicFormatIBAN(config.FUND_IBAN) ?? '';
    if (!isValidIBAN(iban)) lines.push('FUND_IBAN: not a valid IBAN');
    else config.FUND_IBAN = iban;
    if (config.FUND_ACCOUNT_NAME === undefined) lines.push('FUND_ACCOUNT_NAME: required with FUND_IBAN');
  }
  if (config.FUND_SIRET !== undefined && !/^[0-9]{14}$/.test(config.FUND_SIRET.replace(/\s+/g, '')))
    lines.push('FUND_SIRET: 14 digits');
  else if (config.FUND_SIRET !== undefined) config.FUND_SIRET = config.FUND_SIRET.replace(/\s+/g, '');
  if (config.FUND_BIC !== undefined && !isValidBIC(config.FUND_BIC)) lines.push('FUND_BIC: not a valid BIC');
  if (config.MAIL_FROM !== undefined && !/^([^<>]*<)?[^@\s<>]+@[^@\s<>]+>?$/.test(config.MAIL_FROM.trim()))
    lines.push('MAIL_FROM: not an address or `Name <address>`');
  if (config.SMTP_URL !== undefined && !/^smtps?:\/\//.test(config.SMTP_URL))
    lines.push('SMTP_URL: must start with smtp:// or smtps://');
  if (config.NODE_ENV === 'production' && config.SMTP_URL === undefined)
    lines.push('SMTP_URL: required in production');
  if (config.NODE_ENV === 'production' && config.OIDC_ALLOW_HTTP)
    lines.push('OIDC_ALLOW_HTTP: never in production');
  for (const prefix of ['PROCONNECT', 'OIDC_MAINTAINERS'] as const) {
    const set = (['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET'] as const).filter(
      (k) => config[`${prefix}_${k}` as keyof AppConfig] !== undefined,
    );
    if (set.length > 0 && set.length < 3)
      lines.push(`${prefix}_ISSUER, ${prefix}_CLIENT_ID, ${prefix}_CLIENT_SECRET: set all three or none`);
  }
  if (lines.length > 0) throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  return config;
}
