export enum GovernanceErrorCode {
  /** A funding-round ballot whose points total neither 100 nor 0. */
  BallotTotal = 'governance.ballot_total',
  /** Points below zero, or not an integer. */
  NegativePoints = 'governance.negative_points',
  /** A ballot names a project or candidate that is not on the list. */
  UnknownCandidate = 'governance.unknown_candidate',
  /** College weights not in basis points summing to 10000, or outside the SCIC bounds. */
  InvalidWeights = 'governance.invalid_weights',
  /** A tally input that is malformed (duplicate ids, bad fraction, missing grade…). */
  InvalidInput = 'governance.invalid_input',
  /** A proxy that would be transitive, cross colleges or exceed the cap. */
  InvalidProxy = 'governance.invalid_proxy',
  /** A ballot outside the voting window, or an action in the wrong lifecycle state. */
  WindowClosed = 'governance.window_closed',
  InvalidState = 'governance.invalid_state',
  /** The caller may not vote (not a member, other college, no proxy) or act. */
  NotAllowed = 'governance.not_allowed',
  NotFound = 'governance.not_found',
  /** A receipt or a chain that does not verify. */
  ChainMismatch = 'governance.chain_mismatch',
}

export class GovernanceError extends Error {
  constructor(
    readonly code: GovernanceErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'GovernanceError';
  }
}
