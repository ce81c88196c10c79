// Unit tests only (test/unit: pure code, no servers): the same transform as
// jest.config.js without its global setup, so a change to pure code is checked
// in seconds. `npm test` runs these too, with everything else.
import base from './jest.config.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
};
