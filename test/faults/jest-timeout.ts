// Fault tests run for minutes (load, kills, restarts); see test/integration/setup/jest-timeout.ts.
jest.setTimeout(600_000);
