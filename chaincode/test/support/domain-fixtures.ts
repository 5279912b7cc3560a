import type { Caller, TxInfo } from '../../src/domain/tx';
import type { Dataset, Grant } from 'govshare-contract';

export function caller(mspId: string, role: string | null = 'officer'): Caller {
  return { mspId, id: `${mspId.replace(/MSP$/, '').toLowerCase()}-${role ?? 'norole'}`, role };
}

export function txAt(timestamp: string, who: Caller = caller('EducationMSP'), txId = 'a'.repeat(64)): TxInfo {
  return { txId, timestamp, caller: who };
}

export const T0 = '2026-03-01T12:00:00.000Z';
export const stamp = (tx: TxInfo) => ({ txId: tx.txId, timestamp: tx.timestamp, actor: { mspId: tx.caller.mspId, id: tx.caller.id } });

export function dataset(overrides: Partial<Dataset> = {}): Dataset {
  const created = stamp(txAt(T0));
  return {
    id: 'edu.enrolment',
    ownerMsp: 'EducationMSP',
    title: 'School enrolment',
    description: '',
    themes: ['education'],
    keywords: [],
    classification: 'RESTRICTED',
    fields: [
      { name: 'school_id', type: 'CODE', sensitivity: 'NONE' },
      { name: 'year_group', type: 'INTEGER', sensitivity: 'NONE' },
      { name: 'pupil_count', type: 'INTEGER', sensitivity: 'NONE' },
    ],
    fingerprint: 'f'.repeat(64),
    version: 1,
    contentVersion: 1,
    updateFrequency: 'ANNUAL',
    license: 'CC-BY-4.0',
    contactUnit: 'EDU.STATISTICS',
    status: 'ACTIVE',
    created,
    updated: created,
    ...overrides,
  };
}

export function grant(overrides: Partial<Grant> = {}): Grant {
  const requested = stamp(txAt(T0, caller('JusticeMSP'), 'g'.repeat(8)));
  return {
    id: 'grant-1',
    datasetId: 'edu.enrolment',
    ownerMsp: 'EducationMSP',
    requesterMsp: 'JusticeMSP',
    purpose: { code: 'LAW_ENFORCEMENT', text: 'Attendance check' },
    legalBasis: 'Criminal Procedure Act s.12',
    fields: ['pupil_count', 'school_id'],
    notBefore: '2026-03-01T00:00:00.000Z',
    notAfter: '2026-04-01T00:00:00.000Z',
    status: 'PENDING',
    countersignatureRequired: false,
    requested,
    updated: requested,
    ...overrides,
  };
}

/** The message of the GovshareError `call` throws. */
export function errorOf(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (error instanceof Error) return error.message;
  }
  throw new Error('expected an error');
}
