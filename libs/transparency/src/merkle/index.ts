export * from './compact-range';
export * from './hash';
export * from './memory-tree';
export * from './proofs';
export * from './subtree-source';
export * from './tree-math';
export * from './verify';
export * from './streaming-root';
