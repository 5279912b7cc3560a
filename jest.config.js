/** One jest run covers every workspace; `--selectProjects` picks unit or integration. */
const tsJest = (tsconfig) => ({ '^.+\\.ts$': ['ts-jest', { tsconfig }] });
/** Tests run govshare-contract from its sources: no build step between an edit and a test run. */
const contractSources = { '^govshare-contract$': '<rootDir>/contract/src/index.ts' };

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'contract',
      testEnvironment: 'node',
      moduleNameMapper: contractSources,
      roots: ['<rootDir>/contract/test'],
      transform: tsJest('<rootDir>/contract/tsconfig.test.json'),
    },
    {
      displayName: 'chaincode',
      testEnvironment: 'node',
      moduleNameMapper: contractSources,
      roots: ['<rootDir>/chaincode/test'],
      transform: tsJest('<rootDir>/chaincode/tsconfig.test.json'),
    },
    {
      displayName: 'gateway',
      testEnvironment: 'node',
      moduleNameMapper: contractSources,
      roots: ['<rootDir>/gateway/test'],
      transform: tsJest('<rootDir>/gateway/tsconfig.test.json'),
    },
    {
      // The operator scripts on a new machine (no network needed).
      displayName: 'scripts',
      testEnvironment: 'node',
      moduleNameMapper: contractSources,
      roots: ['<rootDir>/test/scripts'],
      transform: tsJest('<rootDir>/test/scripts/tsconfig.json'),
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      moduleNameMapper: contractSources,
      roots: ['<rootDir>/test/integration'],
      transform: tsJest('<rootDir>/test/integration/tsconfig.json'),
      setupFilesAfterEnv: ['<rootDir>/test/integration/setup/jest-timeout.ts'],
    },
    {
      // Every organisation on its own host (network.sh up --hosts); scripts/test.sh runs it on a network of its own.
      displayName: 'multi-host',
      testEnvironment: 'node',
      moduleNameMapper: contractSources,
      roots: ['<rootDir>/test/multi-host'],
      transform: tsJest('<rootDir>/test/multi-host/tsconfig.json'),
      setupFilesAfterEnv: ['<rootDir>/test/integration/setup/jest-timeout.ts'],
    },
    {
      // Kills and restarts nodes under load: `npm test` runs it on a network of its own (scripts/test-faults.sh).
      displayName: 'faults',
      testEnvironment: 'node',
      moduleNameMapper: contractSources,
      roots: ['<rootDir>/test/faults'],
      transform: tsJest('<rootDir>/test/integration/tsconfig.json'),
      setupFilesAfterEnv: ['<rootDir>/test/faults/jest-timeout.ts'],
    },
  ],
};
