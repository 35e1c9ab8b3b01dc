import { DataSource } from 'typeorm';
import { OidcTestAccount } from '@app/testing';
import { DemoContext } from './demo-steps';
import { DEMO_COMMITTEE, DEMO_MARKER_SIRET, DEMO_ORGANISATIONS } from './demo-data';

/** The password of every demo person at the local identity provider (the ProConnect stand-in). */
export const DEMO_IDP_PASSWORD = 'librery-demo';

/** The ProConnect stand-in's client for the demo (registered with the demo's redirect URIs). */
export const DEMO_OIDC_CLIENT = {
  id: 'librery-demo',
  secret: 'librery-demo-client-secret-not-for-production',
};

export interface DemoPerson {
  /** What they do in the fund, as printed. */
  readonly role: 'buyer' | 'donor' | 'maintainer' | 'committee_member' | 'treasurer' | 'admin';
  readonly label: string;
  readonly email: string;
  readonly givenName: string;
  readonly usualName: string;
  /** The SIRET ProConnect would send for them (public agents only). */
  readonly siret?: string;
  readonly organisationLabel?: string;
}

/** One person per role; names invented. */
export const DEMO_PEOPLE: readonly DemoPerson[] = [
  {
    role: 'buyer',
    label: `buyer for ${DEMO_ORGANISATIONS[0].name}`,
    email: 'camille.martin@dinum.demo.librery.example',
    givenName: 'Camille',
    usualName: 'Martin',
    siret: DEMO_MARKER_SIRET,
    organisationLabel: DEMO_ORGANISATIONS[0].name,
  },
  {
    role: 'donor',
    label: 'donor',
    email: 'dominique.leroy@demo.librery.example',
    givenName: 'Dominique',
    usualName: 'Leroy',
  },
  {
    role: 'maintainer',
    label: 'maintainer of PostgreSQL',
    email: 'maintainer@postgresql.demo.librery.example',
    givenName: 'Morgan',
    usualName: 'Lefebvre',
  },
  {
    role: 'committee_member',
    label: 'committee member (commoners)',
    email: 'alice.moreau@demo.librery.example',
    givenName: 'Alice',
    usualName: 'Moreau',
  },
  {
    role: 'treasurer',
    label: 'treasurer',
    email: 'tresorerie@demo.librery.example',
    givenName: 'Claire',
    usualName: 'Fontaine',
  },
  {
    role: 'admin',
    label: 'administrator',
    email: 'admin@demo.librery.example',
    givenName: 'Yann',
    usualName: 'Kerjean',
  },
];

/** The identity provider's accounts of the demo people (same addresses, one password). */
export function demoIdpAccounts(): OidcTestAccount[] {
  return DEMO_PEOPLE.map((p) => ({
    sub: `demo-${p.role}`,
    email: p.email,
    password: DEMO_IDP_PASSWORD,
    given_name: p.givenName,
    usual_name: p.usualName,
    siret: p.siret,
    organization_label: p.organisationLabel,
    idp_id: 'librery-demo-idp',
  }));
}

/**
 * Gives each demo person a user with their address and their role, through the API as an
 * administrator would (scoped roles on the demo's first organisation, PostgreSQL and the
 * commoners' college). A person whose address already has a user is left as is.
 */
export async function ensureDemoPeople(ctx: DemoContext, db: DataSource): Promise<void> {
  const [organisation] = (await db.query('SELECT id FROM organisations WHERE siret = $1', [
    DEMO_MARKER_SIRET,
  ])) as {
    id: string;
  }[];
  const [project] = (await db.query(`SELECT id FROM projects WHERE slug = 'postgresql'`)) as { id: string }[];
  const college = Object.keys(DEMO_COMMITTEE)[0];
  let created = 0;
  for (const person of DEMO_PEOPLE) {
    const existing = (await db.query('SELECT id FROM users WHERE lower(email) = lower($1)', [
      person.email,
    ])) as unknown[];
    if (existing.length > 0) continue;
    const scopeId =
      person.role === 'buyer' ? organisation?.id : person.role === 'maintainer' ? project?.id : undefined;
    const roles =
      person.role === 'committee_member' ? [] : [{ role: person.role, ...(scopeId ? { scopeId } : {}) }];
    const user = await ctx.api.post<{ id: string }>('/users', ctx.adminToken, {
      email: person.email,
      displayName: `${person.givenName} ${person.usualName}`,
      roles,
    });
    if (person.role === 'committee_member')
      await ctx.api.post('/governance/members', ctx.adminToken, {
        userId: user.id,
        collegeId: college,
        termEnd: new Date(Date.now() + 365 * 86_400_000).toISOString(),
      });
    created += 1;
  }
  if (created > 0) ctx.log(`demo people: ${created} users with an address, one per role`);
}
