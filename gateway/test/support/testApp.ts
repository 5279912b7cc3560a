import { sha256Hex } from 'govshare-contract';
import type { Express } from 'express';
import pino from 'pino';

import { createApp, type AppDeps } from '../../src/app';
import type { ChaincodeEventSource } from '../../src/fabric/chaincodeEvents';
import { createFabricMetrics, instrumentLedger } from '../../src/fabric/metrics';
import { createHttpMetrics } from '../../src/http/metrics';
import { createTokenAuthenticator } from '../../src/identity/tokenAuthenticator';
import { createAuditService } from '../../src/services/auditService';
import { createCertificateService } from '../../src/services/certificateService';
import { createDatasetService } from '../../src/services/datasetService';
import { createEventFeedService } from '../../src/services/eventFeed';
import { createGrantService } from '../../src/services/grantService';
import { createOrgRoles } from '../../src/services/orgRoles';
import { FakeEventSource } from './fakeEvents';
import { FakeLedger } from './fakeLedger';

export const OFFICER_TOKEN = 'officer-token-0123456789';
export const AUDITOR_TOKEN = 'auditor-token-9876543210';
export const APPROVER_TOKEN = 'approver-token-1122334455';
export const MSP_ID = 'EducationMSP';

export interface TestApp {
  readonly app: Express;
  readonly ledger: FakeLedger;
}

/** Deps a test may replace; the rest are built around the fake ledger. */
export type TestAppOverrides = Partial<
  Pick<AppDeps, 'idempotency' | 'options' | 'data' | 'offline' | 'authenticator' | 'users' | 'ledgerVerification' | 'tokens' | 'oidc'>
> & {
  /** The chaincode events the app's feeds read (the supervisor comes from the fake ledger's ReadOrgConfig). */
  readonly events?: ChaincodeEventSource;
};

/** The users every test app authenticates (unless a test brings its own authenticator). */
export const TEST_TOKEN_HOLDERS = [
  { id: 'education-officer', role: 'officer', tokenSha256: sha256Hex(OFFICER_TOKEN) },
  { id: 'education-auditor', role: 'auditor', tokenSha256: sha256Hex(AUDITOR_TOKEN) },
  { id: 'education-approver', role: 'approver', tokenSha256: sha256Hex(APPROVER_TOKEN) },
] as const;

export function buildTestApp(ledger = new FakeLedger(), overrides: TestAppOverrides = {}): TestApp {
  const metrics = createHttpMetrics();
  const instrumented = instrumentLedger(ledger, createFabricMetrics(metrics.registry));
  const app = createApp({
    logger: pino({ level: 'silent' }),
    metrics,
    authenticator: createTokenAuthenticator(MSP_ID, TEST_TOKEN_HOLDERS),
    readiness: ledger,
    datasets: createDatasetService(instrumented),
    grants: createGrantService(instrumented),
    audit: createAuditService(instrumented),
    certificates: createCertificateService(instrumented),
    ...overrides,
    events: createEventFeedService(overrides.events ?? new FakeEventSource(), createOrgRoles(instrumented)),
  });
  return { app, ledger };
}

export const validRegistration = {
  id: 'edu.enrolment-2025',
  title: 'School enrolment 2025',
  description: 'Pupils enrolled per school and year group',
  classification: 'INTERNAL',
  fingerprint: 'a'.repeat(64),
};
