// Jest runs the TypeScript sources as native ES modules (the project is ESM,
// and @kubernetes/client-node is ESM-only): ts-jest transpiles each file
// without type checking (`npm run typecheck` does that), and `.js` import
// specifiers are mapped back to their `.ts` sources. One Temporal dev server
// and one workflow bundle serve the whole run (test/support/global-setup.mjs).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  testTimeout: 120_000,
  maxWorkers: 2,
  verbose: true,
};
