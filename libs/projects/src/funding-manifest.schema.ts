/**
 * JSON Schema (draft 2020-12 subset understood by ajv) of the FLOSS/fund `funding.json` manifest,
 * major version v1, written from the field list and limits of the FLOSS/fund reference validator
 * (see ../shared/reference/funding-platforms.md §5): entity, projects, funding channels, plans
 * and history. Unknown properties are tolerated (the format grows by minor versions).
 */
const wellKnownUrl = {
  type: 'object',
  required: ['url'],
  properties: {
    url: { type: 'string', minLength: 10, maxLength: 1024, pattern: '^https?://' },
    wellKnown: {
      type: 'string',
      maxLength: 1024,
      pattern: '^(https?://.*/\\.well-known/funding-manifest-urls/?)?$',
    },
  },
} as const;

const id = {
  type: 'string',
  minLength: 3,
  maxLength: 32,
  pattern: '^[a-z0-9](?:[a-z0-9]|-(?!-))*[a-z0-9]$',
} as const;

export const FUNDING_MANIFEST_SCHEMA = {
  $id: 'https://fundingjson.org/schema/v1.json',
  type: 'object',
  required: ['version', 'entity', 'projects', 'funding'],
  properties: {
    version: { type: 'string', pattern: '^v1(\\.\\d+){0,2}$' },
    entity: {
      type: 'object',
      required: ['type', 'role', 'name', 'email', 'webpageUrl'],
      properties: {
        type: { enum: ['individual', 'group', 'organisation', 'other'] },
        role: { enum: ['owner', 'steward', 'maintainer', 'contributor', 'other'] },
        name: { type: 'string', minLength: 2, maxLength: 256 },
        email: { type: 'string', format: 'email', maxLength: 256 },
        phone: { type: 'string', maxLength: 32 },
        description: { type: 'string', maxLength: 2000 },
        webpageUrl: wellKnownUrl,
      },
    },
    projects: {
      type: 'array',
      maxItems: 100,
      items: {
        type: 'object',
        required: ['guid', 'name', 'description', 'webpageUrl', 'repositoryUrl', 'licenses', 'tags'],
        properties: {
          guid: id,
          name: { type: 'string', minLength: 1, maxLength: 256 },
          description: { type: 'string', minLength: 5, maxLength: 2056 },
          webpageUrl: wellKnownUrl,
          repositoryUrl: wellKnownUrl,
          licenses: {
            type: 'array',
            minItems: 1,
            maxItems: 5,
            items: { type: 'string', minLength: 2, maxLength: 64 },
          },
          tags: {
            type: 'array',
            minItems: 1,
            maxItems: 10,
            items: {
              type: 'string',
              minLength: 2,
              maxLength: 32,
              pattern: '^\\p{L}(?:[\\p{L}\\d]|-(?!-))*\\p{L}$',
            },
          },
        },
      },
    },
    funding: {
      type: 'object',
      required: ['channels', 'plans'],
      properties: {
        channels: {
          type: 'array',
          maxItems: 100,
          items: {
            type: 'object',
            required: ['guid', 'type'],
            properties: {
              guid: id,
              type: { enum: ['bank', 'payment-provider', 'cheque', 'cash', 'other'] },
              address: { type: 'string', maxLength: 512 },
              description: { type: 'string', maxLength: 512 },
            },
          },
        },
        plans: {
          type: 'array',
          minItems: 1,
          maxItems: 30,
          items: {
            type: 'object',
            required: ['guid', 'status', 'name', 'amount', 'currency', 'frequency', 'channels'],
            properties: {
              guid: id,
              status: { enum: ['active', 'inactive'] },
              name: { type: 'string', minLength: 3, maxLength: 256 },
              description: { type: 'string', maxLength: 512 },
              amount: { type: 'number', minimum: 0, maximum: 1000000000 },
              currency: { type: 'string', pattern: '^[A-Z]{3}$' },
              frequency: { enum: ['one-time', 'weekly', 'fortnightly', 'monthly', 'yearly', 'other'] },
              channels: { type: 'array', items: id },
            },
          },
        },
        history: {
          type: 'array',
          maxItems: 50,
          items: {
            type: 'object',
            required: ['year'],
            properties: {
              year: { type: 'integer', minimum: 1970, maximum: 2075 },
              income: { type: 'number', minimum: 0, maximum: 1000000000 },
              expenses: { type: 'number', minimum: 0, maximum: 1000000000 },
              taxes: { type: 'number', minimum: 0, maximum: 1000000000 },
              currency: { type: 'string', pattern: '^[A-Z]{3}$' },
              description: { type: 'string', maxLength: 1024 },
            },
          },
        },
      },
    },
  },
} as const;
