import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The double-entry ledger, enforced by the database (reference §8.2):
 * accounts with balance limits, append-only entries and postings, balances kept by trigger in the
 * same transaction (sharded for hot accounts), entries balanced per currency at COMMIT.
 */
export class CreateLedger1763769600000 implements MigrationInterface {
  name = 'CreateLedger1763769600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION forbid_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION USING ERRCODE = 'LG003', MESSAGE = format('%s rows are immutable', TG_TABLE_NAME);
      END $$;

      CREATE TABLE ledger_accounts (
        id bigint GENERATED ALWAYS AS IDENTITY,
        code text NOT NULL,
        currency char(3) NOT NULL,
        normal_side text NOT NULL,
        balance_limit text NOT NULL DEFAULT 'none',
        shard_count smallint NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ledger_accounts_pkey PRIMARY KEY (id),
        CONSTRAINT ledger_accounts_code_key UNIQUE (code),
        CONSTRAINT ledger_accounts_id_currency_key UNIQUE (id, currency),
        CONSTRAINT ledger_accounts_code_check CHECK (code ~ '^[a-z][a-z0-9_.:-]{0,199}$'),
        CONSTRAINT ledger_accounts_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
        CONSTRAINT ledger_accounts_normal_side_check CHECK (normal_side IN ('debit', 'credit')),
        CONSTRAINT ledger_accounts_balance_limit_check CHECK (
          balance_limit IN ('none', 'debits_must_not_exceed_credits', 'credits_must_not_exceed_debits')),
        CONSTRAINT ledger_accounts_shard_count_check CHECK (shard_count BETWEEN 1 AND 64)
      );

      CREATE TABLE ledger_account_balances (
        account_id bigint NOT NULL,
        shard smallint NOT NULL,
        debits_posted bigint NOT NULL DEFAULT 0,
        credits_posted bigint NOT NULL DEFAULT 0,
        debits_pending bigint NOT NULL DEFAULT 0,
        credits_pending bigint NOT NULL DEFAULT 0,
        CONSTRAINT ledger_account_balances_pkey PRIMARY KEY (account_id, shard),
        CONSTRAINT ledger_account_balances_account_fkey FOREIGN KEY (account_id) REFERENCES ledger_accounts (id),
        CONSTRAINT ledger_account_balances_non_negative_check CHECK (
          debits_posted >= 0 AND credits_posted >= 0 AND debits_pending >= 0 AND credits_pending >= 0)
      );

      CREATE TABLE ledger_entries (
        id bigint GENERATED ALWAYS AS IDENTITY,
        kind text NOT NULL,
        business_ref text NOT NULL,
        idempotency_key text NOT NULL,
        request_hash bytea NOT NULL,
        flow text NOT NULL DEFAULT 'posted',
        pending_entry_id bigint,
        reverses_entry_id bigint,
        policy_version integer,
        description text,
        metadata jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz NOT NULL DEFAULT now(),
        recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT ledger_entries_pkey PRIMARY KEY (id),
        CONSTRAINT ledger_entries_idempotency_key_key UNIQUE (idempotency_key),
        CONSTRAINT ledger_entries_pending_entry_fkey FOREIGN KEY (pending_entry_id) REFERENCES ledger_entries (id),
        CONSTRAINT ledger_entries_reverses_entry_fkey FOREIGN KEY (reverses_entry_id) REFERENCES ledger_entries (id),
        CONSTRAINT ledger_entries_kind_check CHECK (kind ~ '^[a-z][a-z0-9_.:-]{0,63}$'),
        CONSTRAINT ledger_entries_business_ref_check CHECK (length(business_ref) BETWEEN 1 AND 200),
        CONSTRAINT ledger_entries_idempotency_key_check CHECK (length(idempotency_key) BETWEEN 1 AND 255),
        CONSTRAINT ledger_entries_request_hash_check CHECK (octet_length(request_hash) = 32),
        CONSTRAINT ledger_entries_flow_check CHECK (flow IN ('posted', 'pending', 'post_pending', 'void_pending')),
        CONSTRAINT ledger_entries_pending_entry_check CHECK (
          (flow IN ('post_pending', 'void_pending')) = (pending_entry_id IS NOT NULL))
      );
      CREATE UNIQUE INDEX ledger_entries_reverses_entry_id_key ON ledger_entries (reverses_entry_id)
        WHERE reverses_entry_id IS NOT NULL;
      CREATE UNIQUE INDEX ledger_entries_pending_entry_id_key ON ledger_entries (pending_entry_id)
        WHERE pending_entry_id IS NOT NULL;
      CREATE INDEX ledger_entries_kind_business_ref_idx ON ledger_entries (kind, business_ref);

      CREATE TABLE ledger_postings (
        id bigint GENERATED ALWAYS AS IDENTITY,
        entry_id bigint NOT NULL,
        account_id bigint NOT NULL,
        currency char(3) NOT NULL,
        direction char(1) NOT NULL,
        amount bigint NOT NULL,
        CONSTRAINT ledger_postings_pkey PRIMARY KEY (id),
        CONSTRAINT ledger_postings_entry_fkey FOREIGN KEY (entry_id) REFERENCES ledger_entries (id),
        CONSTRAINT ledger_postings_account_currency_fkey FOREIGN KEY (account_id, currency)
          REFERENCES ledger_accounts (id, currency),
        CONSTRAINT ledger_postings_direction_check CHECK (direction IN ('D', 'C')),
        CONSTRAINT ledger_postings_amount_check CHECK (amount > 0)
      );
      CREATE INDEX ledger_postings_entry_id_idx ON ledger_postings (entry_id);
      CREATE INDEX ledger_postings_account_id_entry_id_idx ON ledger_postings (account_id, entry_id);

      -- Accounts never change once created; their balance shards are created with them.
      CREATE FUNCTION ledger_account_created() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO ledger_account_balances (account_id, shard)
          SELECT NEW.id, s FROM generate_series(0, NEW.shard_count - 1) AS s;
        RETURN NULL;
      END $$;
      CREATE TRIGGER ledger_accounts_created AFTER INSERT ON ledger_accounts
        FOR EACH ROW EXECUTE FUNCTION ledger_account_created();
      CREATE TRIGGER ledger_accounts_immutable BEFORE UPDATE OR DELETE ON ledger_accounts
        FOR EACH ROW EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

      -- Balances change only through postings (the trigger below runs at depth 1).
      CREATE FUNCTION ledger_balance_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN RETURN NEW; END IF;
        RAISE EXCEPTION USING ERRCODE = 'LG003', MESSAGE = 'ledger balances change only through postings';
      END $$;
      CREATE TRIGGER ledger_account_balances_guard BEFORE UPDATE OR DELETE ON ledger_account_balances
        FOR EACH ROW EXECUTE FUNCTION ledger_balance_guard();
      CREATE TRIGGER ledger_account_balances_no_truncate BEFORE TRUNCATE ON ledger_account_balances
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

      CREATE TRIGGER ledger_entries_immutable BEFORE UPDATE OR DELETE ON ledger_entries
        FOR EACH ROW EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER ledger_postings_immutable BEFORE UPDATE OR DELETE ON ledger_postings
        FOR EACH ROW EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
        FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();

      -- An entry opens for postings only in the transaction that inserts it; a post or void
      -- must resolve a pending entry.
      CREATE FUNCTION ledger_entry_opened() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.pending_entry_id IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM ledger_entries WHERE id = NEW.pending_entry_id AND flow = 'pending') THEN
          RAISE EXCEPTION USING ERRCODE = 'LG004', MESSAGE = 'only a pending entry can be posted or voided';
        END IF;
        PERFORM set_config('ledger.open_' || NEW.id, NEW.flow, true);
        RETURN NEW;
      END $$;
      CREATE TRIGGER ledger_entries_opened BEFORE INSERT ON ledger_entries
        FOR EACH ROW EXECUTE FUNCTION ledger_entry_opened();

      -- Each posting moves its account's balance in the same transaction. Postings that can only
      -- increase what an account may spend go to one shard (chosen by connection, so concurrent
      -- writers of a hot account do not queue on one row); postings that can break a limit lock
      -- every shard of the account and check the limit on the sum.
      CREATE FUNCTION ledger_posting_applied() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        entry_flow text;
        acct record;
        d_posted bigint := 0; c_posted bigint := 0; d_pending bigint := 0; c_pending bigint := 0;
        risky boolean;
        target smallint;
        totals record;
      BEGIN
        -- set by ledger_entry_opened in the transaction that inserted the entry, holding its flow
        entry_flow := current_setting('ledger.open_' || NEW.entry_id, true);
        IF entry_flow IS NULL OR entry_flow = '' THEN
          RAISE EXCEPTION USING ERRCODE = 'LG003', MESSAGE = 'postings can only be added with their entry';
        END IF;
        SELECT code, balance_limit, shard_count INTO acct FROM ledger_accounts WHERE id = NEW.account_id;
        IF entry_flow = 'posted' THEN
          IF NEW.direction = 'D' THEN d_posted := NEW.amount; ELSE c_posted := NEW.amount; END IF;
        ELSIF entry_flow = 'pending' THEN
          IF NEW.direction = 'D' THEN d_pending := NEW.amount; ELSE c_pending := NEW.amount; END IF;
        ELSIF entry_flow = 'post_pending' THEN
          IF NEW.direction = 'D' THEN d_pending := -NEW.amount; d_posted := NEW.amount;
          ELSE c_pending := -NEW.amount; c_posted := NEW.amount; END IF;
        ELSE
          IF NEW.direction = 'D' THEN d_pending := -NEW.amount; ELSE c_pending := -NEW.amount; END IF;
        END IF;
        risky := (acct.balance_limit = 'debits_must_not_exceed_credits' AND d_posted + d_pending > 0)
              OR (acct.balance_limit = 'credits_must_not_exceed_debits' AND c_posted + c_pending > 0);
        IF risky OR d_pending <> 0 OR c_pending <> 0 THEN
          target := 0;
          IF risky AND acct.shard_count > 1 THEN
            PERFORM 1 FROM ledger_account_balances WHERE account_id = NEW.account_id ORDER BY shard FOR UPDATE;
          END IF;
        ELSE
          target := pg_backend_pid() % acct.shard_count;
        END IF;
        UPDATE ledger_account_balances
           SET debits_posted = debits_posted + d_posted, credits_posted = credits_posted + c_posted,
               debits_pending = debits_pending + d_pending, credits_pending = credits_pending + c_pending
         WHERE account_id = NEW.account_id AND shard = target;
        IF risky THEN
          SELECT sum(debits_posted) AS dp, sum(credits_posted) AS cp, sum(debits_pending) AS dpe,
                 sum(credits_pending) AS cpe
            INTO totals FROM ledger_account_balances WHERE account_id = NEW.account_id;
          IF (acct.balance_limit = 'debits_must_not_exceed_credits' AND totals.dp + totals.dpe > totals.cp)
             OR (acct.balance_limit = 'credits_must_not_exceed_debits' AND totals.cp + totals.cpe > totals.dp) THEN
            RAISE EXCEPTION USING ERRCODE = 'LG001', MESSAGE = 'balance limit exceeded', DETAIL = acct.code;
          END IF;
        END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER ledger_postings_applied AFTER INSERT ON ledger_postings
        FOR EACH ROW EXECUTE FUNCTION ledger_posting_applied();

      -- At COMMIT: every entry has at least two postings, balances per currency, and a post or
      -- void repeats exactly the postings of the pending entry it resolves.
      CREATE FUNCTION ledger_entry_checked() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        n bigint;
        unbalanced text;
      BEGIN
        SELECT sum(c), min(CASE WHEN net <> 0 THEN currency END) INTO n, unbalanced
          FROM (SELECT currency, count(*) AS c,
                       sum(CASE direction WHEN 'D' THEN amount ELSE -amount END) AS net
                  FROM ledger_postings WHERE entry_id = NEW.id GROUP BY currency) per_currency;
        IF coalesce(n, 0) < 2 THEN
          RAISE EXCEPTION USING ERRCODE = 'LG002', MESSAGE = 'an entry needs at least two postings',
            DETAIL = NEW.id::text;
        END IF;
        IF unbalanced IS NOT NULL THEN
          RAISE EXCEPTION USING ERRCODE = 'LG002', MESSAGE = 'entry is not balanced in ' || unbalanced,
            DETAIL = NEW.id::text;
        END IF;
        IF NEW.pending_entry_id IS NOT NULL AND EXISTS (
          (SELECT account_id, currency, direction, amount FROM ledger_postings WHERE entry_id = NEW.id
           EXCEPT ALL
           SELECT account_id, currency, direction, amount FROM ledger_postings WHERE entry_id = NEW.pending_entry_id)
          UNION ALL
          (SELECT account_id, currency, direction, amount FROM ledger_postings WHERE entry_id = NEW.pending_entry_id
           EXCEPT ALL
           SELECT account_id, currency, direction, amount FROM ledger_postings WHERE entry_id = NEW.id)) THEN
          RAISE EXCEPTION USING ERRCODE = 'LG004', MESSAGE = 'a post or void must repeat the pending postings',
            DETAIL = NEW.id::text;
        END IF;
        RETURN NULL;
      END $$;
      CREATE CONSTRAINT TRIGGER ledger_entries_checked AFTER INSERT ON ledger_entries
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_checked();
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE ledger_postings, ledger_entries, ledger_account_balances, ledger_accounts;
      DROP FUNCTION ledger_entry_checked, ledger_posting_applied, ledger_entry_opened, ledger_balance_guard,
        ledger_account_created, forbid_change;
    `);
  }
}
