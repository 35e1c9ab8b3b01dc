/** One Jest run for every tier: unit specs beside the code, integration and e2e specs on real services. */
const swcFor = (tsx) => [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true, tsx },
      transform: { legacyDecorator: true, decoratorMetadata: true, react: { runtime: 'automatic' } },
      target: 'es2022',
    },
    module: { type: 'commonjs' },
  },
];
const swc = swcFor(false);
// ESM-only packages that Jest's CommonJS runtime needs turned into CommonJS by swc.
const esm = ['stream-json', 'stream-chain', 'openid-client', 'oauth4webapi', 'jose'];

module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '.*\\.(spec|int-spec|e2e-spec)\\.ts$',
  transform: {
    '^.+\\.ts$': swc,
    '^.+\\.tsx$': swcFor(true),
    [`^.+/node_modules/(${esm.join('|')})/.+\\.js$`]: swc,
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esm.join('|')})/)`],
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  moduleNameMapper: { '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src' },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  testTimeout: 60000,
  maxWorkers: process.env.CI ? 2 : '50%',
  // On two cores Jest runs in band: a server a suite leaves open must not keep CI waiting forever
  // (find it with `npx jest --detectOpenHandles`).
  forceExit: true,
};
