import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The donate pages' checkouts: one row per form submission (the form's idempotency key, kept
 * only as its SHA-256), so that a double submit opens one Stripe Checkout, a cancelled payment
 * shows the summary again with its values, and the statement key is shown once on return. The
 * statement key is kept sealed (AES-256-GCM) under a key derived from the form key, which only
 * the donor's browser holds (an HttpOnly cookie): the database alone cannot open it, and the
 * sealed copy is erased when it is shown.
 */
export class CreateGivingCheckouts1764720000000 implements MigrationInterface {
  name = 'CreateGivingCheckouts1764720000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE giving_checkouts (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        form_key_hash bytea NOT NULL,
        request_hash bytea NOT NULL,
        language text NOT NULL,
        form jsonb NOT NULL,
        donation_intent_id uuid,
        checkout_url text,
        sealed_statement_key bytea,
        revealed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT giving_checkouts_pkey PRIMARY KEY (id),
        CONSTRAINT giving_checkouts_form_key_hash_key UNIQUE (form_key_hash),
        CONSTRAINT giving_checkouts_donation_intent_key UNIQUE (donation_intent_id),
        CONSTRAINT giving_checkouts_donation_intent_fkey FOREIGN KEY (donation_intent_id) REFERENCES donation_intents (id),
        CONSTRAINT giving_checkouts_language_check CHECK (language IN ('fr', 'en')),
        CONSTRAINT giving_checkouts_form_check CHECK (jsonb_typeof(form) = 'object'),
        CONSTRAINT giving_checkouts_hashes_check CHECK (length(form_key_hash) = 32 AND length(request_hash) = 32),
        CONSTRAINT giving_checkouts_started_check CHECK ((donation_intent_id IS NULL) = (checkout_url IS NULL)),
        CONSTRAINT giving_checkouts_revealed_check CHECK (revealed_at IS NULL OR sealed_statement_key IS NULL)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE giving_checkouts');
  }
}
