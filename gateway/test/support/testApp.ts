import type { Express } from 'express';
import pino from 'pino';

import { createApp } from '../../src/app';
import { createHttpMetrics } from '../../src/http/metrics';
import { createTokenAuthenticator, sha256Hex } from '../../src/identity/tokenAuthenticator';
import { createDatasetService } from '../../src/services/datasetService';
import { FakeLedger } from './fakeLedger';

export const OFFICER_TOKEN = 'officer-token-0123456789';
export const AUDITOR_TOKEN = 'auditor-token-9876543210';
export const MSP_ID = 'EducationMSP';

export interface TestApp {
  readonly app: Express;
  readonly ledger: FakeLedger;
}

export function buildTestApp(ledger = new FakeLedger()): TestApp {
  const app = createApp({
    logger: pino({ level: 'silent' }),
    metrics: createHttpMetrics(),
    authenticator: createTokenAuthenticator(MSP_ID, [
      { id: 'education-officer', role: 'officer', tokenSha256: sha256Hex(OFFICER_TOKEN) },
      { id: 'education-auditor', role: 'auditor', tokenSha256: sha256Hex(AUDITOR_TOKEN) },
    ]),
    readiness: ledger,
    datasets: createDatasetService(ledger),
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
