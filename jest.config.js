/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // TypeScript first: `../index` is index.ts, not the root index.js that hands Zapier the compiled dist/.
  moduleFileExtensions: ['ts', 'js', 'json', 'node'],
  // tsc type-checks everything in `npm test`; ts-jest only transpiles, which keeps the suite fast.
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  testTimeout: 10000,
};
