/** Architecture rules, checked by `npm run lint`. */
module.exports = {
  forbidden: [
    {
      name: 'libs-never-import-apps',
      comment: 'Domain code lives in libs; apps are the transport edges and depend on libs, never the reverse.',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'no-deep-imports-into-a-lib',
      comment: 'Apps use a lib through its index.ts (@app/<lib>), never through a deep path.',
      severity: 'error',
      from: { path: '^(apps|migrations|bench)/', pathNot: '\\.(spec|int-spec|e2e-spec)\\.ts$' },
      to: { path: '^libs/[^/]+/src/.+', pathNot: '^libs/[^/]+/src/index\\.ts$' },
    },
    {
      name: 'no-deep-imports-between-libs',
      comment: 'A lib uses another lib through its index.ts only.',
      severity: 'error',
      from: { path: '^libs/([^/]+)/', pathNot: '\\.(spec|int-spec|e2e-spec)\\.ts$' },
      to: { path: '^libs/[^/]+/src/.+', pathNot: ['^libs/$1/', '^libs/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'apps-do-not-import-each-other',
      severity: 'error',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/launcher/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|\\.data)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
