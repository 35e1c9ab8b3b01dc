import { demoIban, siret } from './identifiers';

/**
 * The demo fund: real open-source projects and real-looking French public bodies. The amounts,
 * the people and the bank details are invented (valid check digits, no real account).
 */

export interface DemoProject {
  slug: string;
  name: string;
  description: string;
  repositoryUrl: string;
  websiteUrl: string;
  licence: string;
  purls: string[];
  maintainer: string;
  /** Admitted by the committee (the others stay proposed: their directed money waits for them). */
  admitted: boolean;
  /** Verified SEPA payout details; null: none yet (its money is carried over by disbursement runs). */
  payout: { accountHolder: string; iban: string; bic?: string } | null;
}

export const DEMO_PROJECTS: DemoProject[] = [
  {
    slug: 'postgresql',
    name: 'PostgreSQL',
    description: "The world's most advanced open-source relational database.",
    repositoryUrl: 'https://git.postgresql.org/git/postgresql.git',
    websiteUrl: 'https://www.postgresql.org',
    licence: 'PostgreSQL',
    purls: ['pkg:github/postgres/postgres', 'pkg:docker/postgres'],
    maintainer: 'Mainteneur PostgreSQL (démo)',
    admitted: true,
    payout: { accountHolder: 'PostgreSQL Europe', iban: demoIban('FR', 1) },
  },
  {
    slug: 'libreoffice',
    name: 'LibreOffice',
    description: 'The free and open-source office suite, successor of OpenOffice.org.',
    repositoryUrl: 'https://git.libreoffice.org/core',
    websiteUrl: 'https://www.libreoffice.org',
    licence: 'MPL-2.0',
    purls: ['pkg:github/libreoffice/core'],
    maintainer: 'Maintainer LibreOffice (demo)',
    admitted: true,
    payout: { accountHolder: 'The Document Foundation', iban: demoIban('DE', 2) },
  },
  {
    slug: 'openstreetmap-website',
    name: 'OpenStreetMap website',
    description:
      'The Rails application behind openstreetmap.org: editing, history and the API of the free world map.',
    repositoryUrl: 'https://github.com/openstreetmap/openstreetmap-website',
    websiteUrl: 'https://www.openstreetmap.org',
    licence: 'GPL-2.0-only',
    purls: ['pkg:github/openstreetmap/openstreetmap-website'],
    maintainer: 'Maintainer OpenStreetMap (demo)',
    admitted: true,
    payout: { accountHolder: 'OpenStreetMap France', iban: demoIban('FR', 3) },
  },
  {
    slug: 'nextcloud-server',
    name: 'Nextcloud Server',
    description: 'Self-hosted files, calendars and collaboration.',
    repositoryUrl: 'https://github.com/nextcloud/server',
    websiteUrl: 'https://nextcloud.com',
    licence: 'AGPL-3.0-or-later',
    purls: ['pkg:github/nextcloud/server', 'pkg:docker/nextcloud'],
    maintainer: 'Maintainer Nextcloud (demo)',
    admitted: true,
    payout: { accountHolder: 'Nextcloud Community e.V.', iban: demoIban('DE', 4) },
  },
  {
    slug: 'django',
    name: 'Django',
    description: 'The web framework for perfectionists with deadlines.',
    repositoryUrl: 'https://github.com/django/django',
    websiteUrl: 'https://www.djangoproject.com',
    licence: 'BSD-3-Clause',
    purls: ['pkg:pypi/django'],
    maintainer: 'Maintainer Django (demo)',
    admitted: true,
    payout: { accountHolder: 'Django Europe Stichting', iban: demoIban('NL', 5) },
  },
  {
    slug: 'vlc',
    name: 'VLC media player',
    description: 'The free cross-platform multimedia player by VideoLAN.',
    repositoryUrl: 'https://code.videolan.org/videolan/vlc',
    websiteUrl: 'https://www.videolan.org/vlc/',
    licence: 'GPL-2.0-or-later',
    purls: ['pkg:github/videolan/vlc'],
    maintainer: 'Mainteneur VLC (démo)',
    admitted: true,
    payout: { accountHolder: 'Association VideoLAN', iban: demoIban('FR', 6) },
  },
  {
    slug: 'qgis',
    name: 'QGIS',
    description: 'A free and open-source geographic information system.',
    repositoryUrl: 'https://github.com/qgis/QGIS',
    websiteUrl: 'https://qgis.org',
    licence: 'GPL-2.0-or-later',
    purls: ['pkg:github/qgis/qgis'],
    maintainer: 'Maintainer QGIS (demo)',
    admitted: true,
    payout: { accountHolder: 'QGIS.ORG Association', iban: demoIban('CH', 7) },
  },
  {
    slug: 'leaflet',
    name: 'Leaflet',
    description: 'The open-source JavaScript library for mobile-friendly interactive maps.',
    repositoryUrl: 'https://github.com/Leaflet/Leaflet',
    websiteUrl: 'https://leafletjs.com',
    licence: 'BSD-2-Clause',
    purls: ['pkg:npm/leaflet'],
    maintainer: 'Maintainer Leaflet (demo)',
    admitted: false,
    payout: null,
  },
  {
    slug: 'sympa',
    name: 'Sympa',
    description: 'Mailing list management software born in French universities (RENATER).',
    repositoryUrl: 'https://github.com/sympa-community/sympa',
    websiteUrl: 'https://www.sympa.community',
    licence: 'GPL-2.0-or-later',
    purls: ['pkg:github/sympa-community/sympa'],
    maintainer: 'Mainteneur Sympa (démo)',
    admitted: true,
    payout: null,
  },
];

export interface DemoDeclaration {
  projectTitle: string;
  /** Budget excluding VAT, in cents. */
  budgetExclVat: string;
  legalCommitment: string;
  /** Project slug → weight. */
  directions: Record<string, number>;
  /** Receipts booked by the treasurer, as fractions of the amount due in per-mille (1000 = paid in full). */
  receipts: number[];
}

export interface DemoOrganisation {
  siret: string;
  name: string;
  declarations: DemoDeclaration[];
}

/** The first organisation's SIRET marks a database that already holds the demo. */
export const DEMO_MARKER_SIRET = siret('13002526', '0001');

export const DEMO_ORGANISATIONS: DemoOrganisation[] = [
  {
    siret: DEMO_MARKER_SIRET,
    name: 'Direction interministérielle du numérique (DINUM)',
    declarations: [
      {
        projectTitle: 'Suite numérique des agents publics',
        budgetExclVat: '420000000',
        legalCommitment: '1300012345',
        directions: { 'nextcloud-server': 3, libreoffice: 2, postgresql: 1 },
        receipts: [1000],
      },
      {
        projectTitle: 'Plateforme de données ouvertes',
        budgetExclVat: '180000000',
        legalCommitment: '1300012377',
        directions: { postgresql: 2, django: 2, qgis: 1 },
        receipts: [500, 500],
      },
    ],
  },
  {
    siret: siret('21690123', '0001'),
    name: 'Ville de Lyon',
    declarations: [
      {
        projectTitle: 'Système d’information géographique municipal',
        budgetExclVat: '95000000',
        legalCommitment: '2024EJ00841',
        directions: { qgis: 3, 'openstreetmap-website': 2, leaflet: 1 },
        receipts: [1000],
      },
    ],
  },
  {
    siret: siret('20005379', '0001'),
    name: 'Région Occitanie',
    declarations: [
      {
        projectTitle: 'Espace numérique de travail des lycées',
        budgetExclVat: '260000000',
        legalCommitment: '2026-OCC-0193',
        directions: { 'nextcloud-server': 2, libreoffice: 2, sympa: 1 },
        receipts: [600],
      },
    ],
  },
  {
    siret: siret('26330004', '0001'),
    name: 'Centre hospitalier universitaire de Bordeaux',
    declarations: [
      {
        projectTitle: 'Entrepôt de données de santé',
        budgetExclVat: '140000000',
        legalCommitment: 'CHU-2026-0042',
        directions: { postgresql: 3, django: 1 },
        receipts: [1000],
      },
    ],
  },
  {
    siret: siret('13000545', '0001'),
    name: 'Université de Strasbourg',
    declarations: [
      {
        projectTitle: 'Plateforme pédagogique et listes de diffusion',
        budgetExclVat: '60000000',
        legalCommitment: 'UNISTRA-2026-117',
        directions: { sympa: 2, vlc: 1, django: 1 },
        receipts: [1000],
      },
    ],
  },
  {
    siret: siret('22330001', '0001'),
    name: 'Département de la Gironde',
    declarations: [
      {
        projectTitle: 'Portail des démarches en ligne',
        budgetExclVat: '75000000',
        legalCommitment: 'CD33-2026-0310',
        directions: { django: 2, postgresql: 1, vlc: 1 },
        receipts: [],
      },
    ],
  },
];

export interface DemoDonation {
  amount: string;
  mode: 'one_time' | 'monthly' | 'yearly';
  publicName?: string;
  /** Project slug → weight (none: the donor leaves it all to the committee). */
  directions: Record<string, number>;
  /** Cents refunded to the donor afterwards (one-time gifts only). */
  refund?: string;
  /** The donor then asks to be forgotten (GDPR): the administrator erases them. */
  erase?: boolean;
}

export const DEMO_DONATIONS: DemoDonation[] = [
  { amount: '5000', mode: 'one_time', publicName: 'Camille Martin', directions: { vlc: 1 } },
  { amount: '2500', mode: 'one_time', directions: { 'openstreetmap-website': 1 }, refund: '1000' },
  {
    amount: '10000',
    mode: 'one_time',
    publicName: 'Hugo Bernard',
    directions: { libreoffice: 1, 'nextcloud-server': 1 },
  },
  { amount: '1500', mode: 'monthly', directions: { qgis: 1 } },
  {
    amount: '25000',
    mode: 'one_time',
    publicName: 'Coopérative Code Commun',
    directions: { postgresql: 2, django: 1 },
  },
  { amount: '2000', mode: 'one_time', directions: {} },
  { amount: '12000', mode: 'yearly', directions: { leaflet: 1, 'openstreetmap-website': 1 } },
  { amount: '3000', mode: 'one_time', publicName: 'Élise Effacée', directions: { vlc: 1 }, erase: true },
];

/** Committee seats: college → member display names. */
export const DEMO_COMMITTEE: Record<string, string[]> = {
  commoners: ['Alice Moreau (commoners)', 'Karim Haddad (commoners)', 'Léa Dubois (commoners)'],
  public: ['Sophie Laurent (public)', 'Thomas Petit (public)'],
  private: ['Julien Roux (private)'],
  scientific: ['Nadia Benali (scientific)'],
};

/** The fund's own bank account, debtor of the SEPA transfers. */
export const FUND_ACCOUNT = { name: 'Fonds Librery (demo)', iban: demoIban('FR', 42), bic: 'BNPAFRPPXXX' };
