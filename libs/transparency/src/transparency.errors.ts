export enum TransparencyErrorCode {
  /** A leaf index at or beyond the tree size, or a size larger than the tree. */
  OutOfRange = 'transparency.out_of_range',
  /** A malformed proof request: size 0 for a consistency proof, size1 > size2, negative numbers. */
  InvalidProofRequest = 'transparency.invalid_proof_request',
  /** A perfect-subtree hash the proof needs is not in the store: the store is damaged. */
  MissingSubtree = 'transparency.missing_subtree',
  /** A leaf that is not a valid canonical leaf of a known format version. */
  InvalidLeaf = 'transparency.invalid_leaf',
  /** A signing seed or verifier key that cannot be parsed. */
  InvalidKey = 'transparency.invalid_key',
  /** A signed note or checkpoint that cannot be parsed. */
  InvalidNote = 'transparency.invalid_note',
  /** A new checkpoint that is not consistent with the previous one: never signed. */
  InconsistentCheckpoint = 'transparency.inconsistent_checkpoint',
  /** A query parameter of the public API that is malformed. */
  InvalidQuery = 'transparency.invalid_query',
  /** A public resource (project, round, entry) that does not exist. */
  NotFound = 'transparency.not_found',
}

export class TransparencyError extends Error {
  constructor(
    readonly code: TransparencyErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'TransparencyError';
  }
}
