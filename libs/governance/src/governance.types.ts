import type { MajorityRule, MotionPolicies, RequiredCollegeMajorities } from './tally/motion-tally';

export type MotionKind = 'ordinary' | 'policy' | 'statute';
export const MOTION_KINDS: readonly MotionKind[] = ['ordinary', 'policy', 'statute'];
export type MotionMethod = 'yes-no' | 'majority-judgment' | 'schulze';
export const MOTION_METHODS: readonly MotionMethod[] = ['yes-no', 'majority-judgment', 'schulze'];
export type VoteState = 'draft' | 'open' | 'closed' | 'tallied';
export type VoteType = 'motion' | 'round';
export type YesNoChoice = 'for' | 'against' | 'abstain';

/** What a passed motion does, applied once in the tally transaction. */
export type MotionEffect =
  | { type: 'none' }
  | { type: 'admit-project' | 'suspend-project' | 'archive-project'; projectId: string }
  | { type: 'adopt-policy'; effectiveAt: string; changes: PolicyChanges }
  | { type: 'open-funding-round'; round: NewRound };

export interface PolicyChanges {
  levyRateBps?: number;
  directedShareBps?: number;
  poolShareBps?: number;
  operatingFeeBps?: number;
  minimumPayout?: string;
  claimDeadlineDays?: number;
  licenceAllowList?: string[];
  governance?: Record<string, unknown>;
}

export interface NewRound {
  title: string;
  /** Cents, decimal string. */
  budget: string;
  /** Project ids; omitted: every project admitted at the opening. Named ones must be admitted then. */
  candidates?: string[];
  /** Project id → cap in cents. */
  caps?: Record<string, string>;
  /** "N/D" or null. */
  threshold?: string | null;
  opensAt?: string;
  closesAt: string;
}

/** The governance rules a vote runs under, copied from the policy when it opens (recorded with it). */
export interface VoteSettings {
  policyVersion: number;
  colleges: { id: string; weightBp: number }[];
  /** Per-college turnout quorum "N/D" (ordinary motions), or null. */
  collegeQuorum: string | null;
  globalQuorum: string | null;
  majority: MajorityRule;
  abstentionPolicy: MotionPolicies['abstentionPolicy'];
  emptyCollegePolicy: MotionPolicies['emptyCollegePolicy'];
  collegeAggregation: MotionPolicies['collegeAggregation'];
  requiredCollegeMajorities: RequiredCollegeMajorities | null;
  maxProxiesPerMember: number;
  ballotPublicity: 'named' | 'pseudonymous';
}

export interface MemberView {
  id: string;
  userId: string;
  collegeId: string;
  termStart: Date;
  termEnd: Date;
  endedAt: Date | null;
  appointedBy: string | null;
  appointedAt: Date;
}

export interface BallotReceipt {
  voteId: string;
  receipt: string;
  height: number;
  previous: string;
  nonce: string;
  credential: string;
  castAt: Date;
}

export interface PublicBallot {
  height: number;
  credential: string;
  /** Only when the policy makes ballots named. */
  voterUserId?: string;
  castByProxy: boolean;
  college: string;
  ballot: { election: string; credential: string; choice: unknown; nonce: string; previous: string };
  receipt: string;
}
