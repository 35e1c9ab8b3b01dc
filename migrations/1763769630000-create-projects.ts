import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The projects catalogue: projects and their versionless purls (one project per purl), the
 * append-only status history, control-verification challenges, payout details kept apart (never
 * in a public view), SBOM analyses with their packages, and the public aggregate of what public
 * money depends on.
 */
export class CreateProjects1763769630000 implements MigrationInterface {
  name = 'CreateProjects1763769630000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE projects (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        slug text NOT NULL,
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        repository_url text NOT NULL,
        website_url text,
        licence text NOT NULL,
        openness_level char(1) NOT NULL,
        funding_json_url text,
        publiccode_url text,
        status text NOT NULL DEFAULT 'proposed',
        proposed_by uuid,
        control_verified_at timestamptz,
        control_method text,
        funding_manifest jsonb,
        funding_manifest_checked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT projects_pkey PRIMARY KEY (id),
        CONSTRAINT projects_slug_key UNIQUE (slug),
        CONSTRAINT projects_slug_check CHECK (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'),
        CONSTRAINT projects_name_check CHECK (length(name) BETWEEN 1 AND 200),
        CONSTRAINT projects_description_check CHECK (length(description) <= 5000),
        CONSTRAINT projects_repository_url_check CHECK (repository_url ~ '^https?://'),
        CONSTRAINT projects_website_url_check CHECK (website_url IS NULL OR website_url ~ '^https?://'),
        CONSTRAINT projects_openness_level_check CHECK (openness_level IN ('A', 'B', 'C')),
        CONSTRAINT projects_status_check CHECK (status IN ('proposed', 'admitted', 'suspended', 'archived')),
        CONSTRAINT projects_control_method_check CHECK (
          control_method IS NULL OR control_method IN ('well_known_token', 'funding_manifest')),
        CONSTRAINT projects_control_verified_check CHECK ((control_verified_at IS NULL) = (control_method IS NULL))
      );
      CREATE INDEX projects_status_idx ON projects (status, slug);
      CREATE INDEX projects_name_lower_idx ON projects (lower(name) text_pattern_ops);

      CREATE TABLE project_purls (
        purl text NOT NULL,
        project_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT project_purls_pkey PRIMARY KEY (purl),
        CONSTRAINT project_purls_project_fkey FOREIGN KEY (project_id) REFERENCES projects (id),
        CONSTRAINT project_purls_purl_check CHECK (purl ~ '^pkg:[a-z0-9.+-]+/[^@?#]+$')
      );
      CREATE INDEX project_purls_project_idx ON project_purls (project_id);

      CREATE TABLE project_status_history (
        id bigint GENERATED ALWAYS AS IDENTITY,
        project_id uuid NOT NULL,
        from_status text,
        to_status text NOT NULL,
        reason text NOT NULL,
        actor_id uuid,
        actor_kind text NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT project_status_history_pkey PRIMARY KEY (id),
        CONSTRAINT project_status_history_project_fkey FOREIGN KEY (project_id) REFERENCES projects (id),
        CONSTRAINT project_status_history_reason_check CHECK (length(reason) BETWEEN 1 AND 2000)
      );
      CREATE INDEX project_status_history_project_idx ON project_status_history (project_id, id);
      CREATE TRIGGER project_status_history_immutable BEFORE UPDATE OR DELETE ON project_status_history
        FOR EACH ROW EXECUTE FUNCTION forbid_change();

      CREATE TABLE project_verification_challenges (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        project_id uuid NOT NULL,
        method text NOT NULL,
        token text NOT NULL,
        url text NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        verified_at timestamptz,
        last_checked_at timestamptz,
        last_error text,
        CONSTRAINT project_verification_challenges_pkey PRIMARY KEY (id),
        CONSTRAINT project_verification_challenges_project_fkey FOREIGN KEY (project_id) REFERENCES projects (id),
        CONSTRAINT project_verification_challenges_method_check CHECK (method IN ('well_known_token')),
        CONSTRAINT project_verification_challenges_token_key UNIQUE (token)
      );

      CREATE TABLE project_payout_details (
        project_id uuid NOT NULL,
        kind text NOT NULL,
        account_holder text,
        iban text,
        bic text,
        country_code char(2),
        stripe_account_id text,
        revision integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid,
        verified_at timestamptz,
        verified_by uuid,
        CONSTRAINT project_payout_details_pkey PRIMARY KEY (project_id),
        CONSTRAINT project_payout_details_project_fkey FOREIGN KEY (project_id) REFERENCES projects (id),
        CONSTRAINT project_payout_details_kind_check CHECK (
          (kind = 'sepa' AND iban IS NOT NULL AND account_holder IS NOT NULL AND country_code IS NOT NULL AND stripe_account_id IS NULL)
          OR (kind = 'stripe' AND stripe_account_id IS NOT NULL AND iban IS NULL AND bic IS NULL)),
        CONSTRAINT project_payout_details_iban_check CHECK (iban IS NULL OR iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
        CONSTRAINT project_payout_details_stripe_check CHECK (stripe_account_id IS NULL OR stripe_account_id ~ '^acct_[A-Za-z0-9]+$')
      );

      CREATE TABLE sbom_analyses (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        organisation_id text,
        label text NOT NULL DEFAULT '',
        format text NOT NULL,
        spec_version text NOT NULL,
        bytes bigint NOT NULL,
        policy_version integer NOT NULL,
        rule text NOT NULL,
        direct_weight integer NOT NULL,
        transitive_weight integer NOT NULL,
        components integer NOT NULL,
        components_without_purl integer NOT NULL,
        packages_total integer NOT NULL,
        packages_matched integer NOT NULL,
        weight_total bigint NOT NULL,
        weight_matched bigint NOT NULL,
        directions jsonb NOT NULL,
        CONSTRAINT sbom_analyses_pkey PRIMARY KEY (id),
        CONSTRAINT sbom_analyses_policy_fkey FOREIGN KEY (policy_version) REFERENCES policies (version),
        CONSTRAINT sbom_analyses_format_check CHECK (format IN ('CycloneDX', 'SPDX')),
        CONSTRAINT sbom_analyses_counts_check CHECK (
          packages_matched BETWEEN 0 AND packages_total AND weight_matched BETWEEN 0 AND weight_total
          AND components >= 0 AND components_without_purl BETWEEN 0 AND components),
        CONSTRAINT sbom_analyses_directions_check CHECK (jsonb_typeof(directions) = 'array')
      );
      CREATE INDEX sbom_analyses_organisation_idx ON sbom_analyses (organisation_id, created_at);

      CREATE TABLE sbom_analysis_packages (
        analysis_id uuid NOT NULL,
        purl text NOT NULL,
        direct boolean NOT NULL,
        weight integer NOT NULL,
        dependents integer NOT NULL,
        occurrences integer NOT NULL,
        project_id uuid,
        CONSTRAINT sbom_analysis_packages_pkey PRIMARY KEY (analysis_id, purl),
        CONSTRAINT sbom_analysis_packages_analysis_fkey FOREIGN KEY (analysis_id) REFERENCES sbom_analyses (id),
        CONSTRAINT sbom_analysis_packages_weight_check CHECK (weight > 0 AND dependents >= 0 AND occurrences > 0)
      );
      CREATE TRIGGER sbom_analyses_immutable BEFORE UPDATE OR DELETE ON sbom_analyses
        FOR EACH ROW EXECUTE FUNCTION forbid_change();
      CREATE TRIGGER sbom_analysis_packages_immutable BEFORE UPDATE OR DELETE ON sbom_analysis_packages
        FOR EACH ROW EXECUTE FUNCTION forbid_change();

      -- What public money depends on: per package, how many analyses name it (and directly), kept
      -- in the same transaction as each analysis. Registration and money received are joined live.
      CREATE TABLE sbom_dependency_stats (
        purl text NOT NULL,
        analyses integer NOT NULL,
        direct_analyses integer NOT NULL,
        total_weight bigint NOT NULL,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT sbom_dependency_stats_pkey PRIMARY KEY (purl),
        CONSTRAINT sbom_dependency_stats_counts_check CHECK (
          analyses > 0 AND direct_analyses BETWEEN 0 AND analyses AND total_weight > 0)
      );
      CREATE INDEX sbom_dependency_stats_rank_idx ON sbom_dependency_stats (analyses DESC, total_weight DESC, purl);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE sbom_dependency_stats;
      DROP TABLE sbom_analysis_packages;
      DROP TABLE sbom_analyses;
      DROP TABLE project_payout_details;
      DROP TABLE project_verification_challenges;
      DROP TABLE project_status_history;
      DROP TABLE project_purls;
      DROP TABLE projects;
    `);
  }
}
