export * from './projects.errors';
export * from './licence';
export * from './purl';
export * from './payout-details';
export * from './funding-manifest';
export * from './funding-manifest.schema';
export * from './sbom-reader';
export * from './sbom-analysis';
