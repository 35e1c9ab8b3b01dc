export const PROJECT_STATUSES = ['proposed', 'admitted', 'suspended', 'archived'] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/** DINUM openness levels: A contributive, B open, C published. */
export const OPENNESS_LEVELS = ['A', 'B', 'C'] as const;
export type OpennessLevel = (typeof OPENNESS_LEVELS)[number];

/** Allowed status moves; admission will become a committee decision (governance). */
export const STATUS_TRANSITIONS: Readonly<Record<ProjectStatus, readonly ProjectStatus[]>> = {
  proposed: ['admitted', 'archived'],
  admitted: ['suspended', 'archived'],
  suspended: ['admitted', 'archived'],
  archived: [],
};

/** Statuses that may receive directed money (a proposed project's funds wait for its admission). */
export const FUNDABLE_STATUSES: readonly ProjectStatus[] = ['proposed', 'admitted'];

export interface ProposeProjectInput {
  readonly slug: string;
  readonly name: string;
  readonly description?: string;
  readonly repositoryUrl: string;
  readonly websiteUrl?: string | null;
  readonly licence: string;
  readonly purls?: readonly string[];
  readonly opennessLevel: OpennessLevel;
  readonly fundingJsonUrl?: string | null;
  readonly publiccodeUrl?: string | null;
}

export type UpdateProjectInput = Partial<Omit<ProposeProjectInput, 'slug'>>;

export interface FundingManifestSummary {
  readonly url: string;
  readonly checkedAt: Date;
  readonly entity: {
    readonly type: string;
    readonly role: string;
    readonly name: string;
    readonly webpageUrl: string;
  };
  readonly projects: readonly {
    readonly guid: string;
    readonly name: string;
    readonly repositoryUrl: string;
    readonly webpageUrl: string;
    readonly licenses: readonly string[];
  }[];
  readonly plans: readonly {
    readonly guid: string;
    readonly name: string;
    readonly status: string;
    readonly amount: number;
    readonly currency: string;
    readonly frequency: string;
  }[];
}

/** A project as anyone may see it: no payout details, no maintainer identities. */
export interface ProjectView {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly description: string;
  readonly repositoryUrl: string;
  readonly websiteUrl: string | null;
  readonly licence: string;
  readonly purls: readonly string[];
  readonly opennessLevel: OpennessLevel;
  readonly fundingJsonUrl: string | null;
  readonly publiccodeUrl: string | null;
  readonly status: ProjectStatus;
  readonly controlVerified: boolean;
  readonly controlMethod: string | null;
  readonly payoutVerified: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface ProjectPage extends ProjectView {
  readonly fundingManifest: FundingManifestSummary | null;
  readonly statusHistory: readonly {
    readonly from: ProjectStatus | null;
    readonly to: ProjectStatus;
    readonly reason: string;
    readonly at: Date;
  }[];
  /** Money credited to the project's directed and allocated accounts so far, in cents (EUR). */
  readonly received: { readonly directed: bigint; readonly allocated: bigint; readonly currency: string };
}

export interface ProjectSearch {
  readonly q?: string;
  readonly licence?: string;
  readonly purl?: string;
  readonly status?: ProjectStatus;
  readonly limit?: number;
  /** Keyset cursor: the last slug of the previous page. */
  readonly after?: string;
}

export interface PayoutDetailsView {
  readonly projectId: string;
  readonly kind: 'sepa' | 'stripe';
  readonly accountHolder: string | null;
  /** Masked: country and last four characters only. */
  readonly iban: string | null;
  readonly bic: string | null;
  readonly stripeAccountId: string | null;
  readonly revision: number;
  readonly verified: boolean;
  readonly updatedAt: Date;
  readonly verifiedAt: Date | null;
}

export interface DirectionFromAnalysis {
  readonly projectId: string;
  readonly weight: bigint;
}

export interface FundableProject {
  readonly id: string;
  readonly slug: string;
  readonly status: ProjectStatus;
}
