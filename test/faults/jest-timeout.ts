// Fault tests run for minutes (load, kills, restarts); see test/integration/support/jest-timeout.ts.
jest.setTimeout(600_000);
