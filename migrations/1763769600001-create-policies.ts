import { MigrationInterface, QueryRunner } from 'typeorm';

/** Versioned, time-stamped policies; the default one (levy 2 %, 50/50/0) seeded here. */
export class CreatePolicies1763769600001 implements MigrationInterface {
  name = 'CreatePolicies1763769600001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policies (
        version integer NOT NULL,
        effective_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        currency char(3) NOT NULL DEFAULT 'EUR',
        levy_rate_bps integer NOT NULL,
        directed_share_bps integer NOT NULL,
        pool_share_bps integer NOT NULL,
        operating_fee_bps integer NOT NULL,
        minimum_payout bigint NOT NULL,
        claim_deadline_days integer NOT NULL,
        licence_allow_list jsonb NOT NULL,
        governance jsonb NOT NULL,
        sbom jsonb NOT NULL,
        adopted_by text NOT NULL,
        CONSTRAINT policies_pkey PRIMARY KEY (version),
        CONSTRAINT policies_effective_at_key UNIQUE (effective_at),
        CONSTRAINT policies_version_check CHECK (version > 0),
        CONSTRAINT policies_levy_rate_check CHECK (levy_rate_bps BETWEEN 0 AND 10000),
        CONSTRAINT policies_shares_check CHECK (
          directed_share_bps >= 0 AND pool_share_bps >= 0 AND operating_fee_bps >= 0
          AND directed_share_bps + pool_share_bps + operating_fee_bps = 10000),
        CONSTRAINT policies_minimum_payout_check CHECK (minimum_payout >= 0),
        CONSTRAINT policies_claim_deadline_check CHECK (claim_deadline_days > 0),
        CONSTRAINT policies_licence_allow_list_check CHECK (jsonb_typeof(licence_allow_list) = 'array')
      );
      CREATE TRIGGER policies_immutable BEFORE UPDATE OR DELETE ON policies
        FOR EACH ROW EXECUTE FUNCTION forbid_change();
    `);
    await q.query(
      `INSERT INTO policies (version, effective_at, levy_rate_bps, directed_share_bps, pool_share_bps,
         operating_fee_bps, minimum_payout, claim_deadline_days, licence_allow_list, governance, sbom, adopted_by)
       VALUES (1, '2026-01-01T00:00:00Z', 200, 5000, 5000, 0, 5000, 730, $1, $2, $3, 'founding statutes')`,
      [JSON.stringify(LICENCES), JSON.stringify(GOVERNANCE), JSON.stringify(SBOM)],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE policies');
  }
}

/** OSI-approved licences plus the French administration's list (CeCILL-B/C, Etalab-2.0, EUPL, EPL). */
const LICENCES = ["0BSD","AAL","AFL-1.1","AFL-1.2","AFL-2.0","AFL-2.1","AFL-3.0","AGPL-3.0","AGPL-3.0-only","AGPL-3.0-or-later","ALGLIB-Documentation","APL-1.0","APSL-1.0","APSL-1.1","APSL-1.2","APSL-2.0","Apache-1.1","Apache-2.0","Artistic-1.0","Artistic-1.0-Perl","Artistic-1.0-cl8","Artistic-2.0","BSD-1-Clause","BSD-2-Clause","BSD-2-Clause-Patent","BSD-3-Clause","BSD-3-Clause-LBNL","BSD-3-Clause-Open-MPI","BSL-1.0","BlueOak-1.0.0","CAL-1.0","CAL-1.0-Combined-Work-Exception","CATOSL-1.1","CC0-1.0","CDDL-1.0","CECILL-2.1","CECILL-B","CECILL-C","CERN-OHL-P-2.0","CERN-OHL-S-2.0","CERN-OHL-W-2.0","CNRI-Python","CPAL-1.0","CPL-1.0","CUA-OPL-1.0","ECL-1.0","ECL-2.0","EFL-1.0","EFL-2.0","EPL-1.0","EPL-2.0","EUDatagrid","EUPL-1.1","EUPL-1.2","Entessa","Fair","Frameworx-1.0","GPL-2.0","GPL-2.0+","GPL-2.0-only","GPL-2.0-or-later","GPL-3.0","GPL-3.0+","GPL-3.0-only","GPL-3.0-or-later","GPL-3.0-with-GCC-exception","HPND","ICU","IPA","IPL-1.0","ISC","Intel","Jam","LGPL-2.0","LGPL-2.0+","LGPL-2.0-only","LGPL-2.0-or-later","LGPL-2.1","LGPL-2.1+","LGPL-2.1-only","LGPL-2.1-or-later","LGPL-3.0","LGPL-3.0+","LGPL-3.0-only","LGPL-3.0-or-later","LPL-1.0","LPL-1.02","LPPL-1.3c","LiLiQ-P-1.1","LiLiQ-R-1.1","LiLiQ-Rplus-1.1","MIT","MIT-0","MIT-Modern-Variant","MPL-1.0","MPL-1.1","MPL-2.0","MPL-2.0-no-copyleft-exception","MS-PL","MS-RL","MirOS","Motosoto","MulanPSL-2.0","Multics","NASA-1.3","NCSA","NGPL","NPOSL-3.0","NTP","Naumen","Nokia","OCLC-2.0","OFL-1.1","OFL-1.1-RFN","OFL-1.1-no-RFN","OGTSL","OLDAP-2.8","OLFL-1.3","OSC-1.0","OSET-PL-2.1","OSL-1.0","OSL-2.0","OSL-2.1","OSL-3.0","PHP-3.0","PHP-3.01","PostgreSQL","Python-2.0","QPL-1.0","RPL-1.1","RPL-1.5","RPSL-1.0","RSCPL","SISSL","SPL-1.0","SimPL-2.0","Sleepycat","UCL-1.0","UPL-1.0","Unicode-3.0","Unicode-DFS-2016","Unlicense","VSL-1.0","W3C","W3C-20150513","Watcom-1.0","WordNet","Xnet","ZPL-2.0","ZPL-2.1","Zlib","etalab-2.0","wxWindows"];

const GOVERNANCE = {
  colleges: [
    { id: 'commoners', weightBp: 4000 },
    { id: 'public', weightBp: 2500 },
    { id: 'private', weightBp: 1500 },
    { id: 'scientific', weightBp: 2000 },
  ],
  collegeWeightBounds: { minBp: 1000, maxBp: 5000 },
  motions: {
    ordinary: { quorum: '1/4', majority: { kind: 'simple' } },
    policy: { quorum: '1/3', majority: { kind: 'qualified', num: 2, den: 3 } },
    statute: { quorum: '1/2', majority: { kind: 'qualified', num: 2, den: 3 } },
  },
  abstentionPolicy: 'excluded',
  emptyCollegePolicy: 'redistribute',
  collegeAggregation: 'proportional',
  globalQuorum: null,
  maxProxiesPerMember: 2,
  ballotPublicity: 'pseudonymous',
};

/** SBOM weighting: a direct dependency weighs 3, a transitive one 1 (depth ≥ 2), per component. */
const SBOM = { directWeight: 3, transitiveWeight: 1, maxBytes: 20971520 };
