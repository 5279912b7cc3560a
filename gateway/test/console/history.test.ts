import { datasetChanges, historyRows } from '../../console/src/lib/history';
import { grantAuditWindow, grantStages, recordsOfGrant } from '../../console/src/lib/grant';
import type { AuditRecord, Dataset, GrantView as Grant } from 'govshare-contract';

const stamp = (txId: string, timestamp: string, mspId = 'EducationMSP', id = 'education-officer') => ({ txId, timestamp, actor: { mspId, id } });

const v1: Dataset = {
  id: 'edu.x',
  ownerMsp: 'EducationMSP',
  title: 'Enrolment',
  description: '',
  themes: ['education'],
  keywords: [],
  classification: 'INTERNAL',
  fields: [
    { name: 'school', type: 'CODE', sensitivity: 'NONE' },
    { name: 'pupils', type: 'INTEGER', sensitivity: 'NONE' },
  ],
  fingerprint: 'a'.repeat(64),
  version: 1,
  contentVersion: 1,
  updateFrequency: 'ANNUAL',
  license: 'CC-BY-4.0',
  contactUnit: 'EDU.STATS',
  status: 'ACTIVE',
  created: stamp('tx1', '2026-11-01T00:00:00.000Z'),
  updated: stamp('tx1', '2026-11-01T00:00:00.000Z'),
};
const v2: Dataset = {
  ...v1,
  title: 'School enrolment',
  fields: [
    { name: 'school', type: 'CODE', sensitivity: 'NONE' },
    { name: 'pupils', type: 'INTEGER', sensitivity: 'PERSONAL' },
    { name: 'year', type: 'INTEGER', sensitivity: 'NONE' },
  ],
  version: 2,
  updated: stamp('tx2', '2026-11-02T00:00:00.000Z'),
};
const v3: Dataset = {
  ...v2,
  fields: v2.fields.filter((field) => field.name !== 'pupils'),
  status: 'RETIRED',
  version: 3,
  updated: stamp('tx3', '2026-11-03T00:00:00.000Z'),
};

describe('console dataset history', () => {
  it('says what each version changed, field by field, leaving out bookkeeping', () => {
    expect(datasetChanges(null, v1)).toEqual([{ property: '(dataset)', description: 'registered by EducationMSP as “Enrolment”' }]);
    expect(datasetChanges(v1, v2)).toEqual([
      { property: 'fields', description: 'changed pupils (INTEGER, NONE) → pupils (INTEGER, PERSONAL); added year (INTEGER, NONE)' },
      { property: 'title', description: 'Enrolment → School enrolment' },
    ]);
    expect(datasetChanges(v2, v3)).toEqual([
      { property: 'fields', description: 'removed pupils (INTEGER, PERSONAL)' },
      { property: 'status', description: 'ACTIVE → RETIRED' },
    ]);
    expect(datasetChanges(v1, { ...v1, version: 2, updated: stamp('tx9', '2026-11-09T00:00:00.000Z') })).toEqual([]);
  });

  it('compares each history entry (newest first) with the one before it', () => {
    const rows = historyRows([
      { txId: 'tx3', timestamp: v3.updated.timestamp, isDelete: false, value: v3 },
      { txId: 'tx2', timestamp: v2.updated.timestamp, isDelete: false, value: v2 },
      { txId: 'tx1', timestamp: v1.updated.timestamp, isDelete: false, value: v1 },
    ]);
    expect(rows.map((row) => row.changes.map((change) => change.property))).toEqual([['fields', 'status'], ['fields', 'title'], ['(dataset)']]);
  });
});

const grant: Grant = {
  id: 'g-1',
  datasetId: 'edu.x',
  ownerMsp: 'EducationMSP',
  requesterMsp: 'FinanceMSP',
  purpose: { code: 'AUDIT', text: 'check' },
  legalBasis: 'Act s.1',
  fields: ['school'],
  notBefore: '2026-11-01T00:00:00.000Z',
  notAfter: '2026-11-20T00:00:00.000Z',
  status: 'REVOKED',
  active: false,
  countersignatureRequired: true,
  requested: stamp('tr', '2026-11-01T10:00:00.000Z', 'FinanceMSP', 'finance-officer'),
  decided: { stamp: stamp('ta', '2026-11-01T11:00:00.000Z', 'EducationMSP', 'education-approver') },
  countersigned: stamp('tc', '2026-11-01T12:00:00.000Z', 'AuditMSP', 'audit-auditor'),
  closed: { stamp: stamp('tv', '2026-11-05T00:00:00.000Z', 'EducationMSP', 'education-approver'), reason: 'no longer needed' },
  updated: stamp('tv', '2026-11-05T00:00:00.000Z'),
};

describe('console grant lifecycle', () => {
  it('lists request, decision, countersignature and close in time order', () => {
    expect(grantStages(grant).map((stage) => [stage.label, stage.txId, stage.by])).toEqual([
      ['Requested', 'tr', 'finance-officer (FinanceMSP)'],
      ['Approved', 'ta', 'education-approver (EducationMSP)'],
      ['Countersigned by Audit', 'tc', 'audit-auditor (AuditMSP)'],
      ['Revoked', 'tv', 'education-approver (EducationMSP)'],
    ]);
  });

  it('names a denial and derives an expiry', () => {
    const open: Grant = { ...grant, closed: undefined, countersigned: undefined };
    expect(grantStages({ ...open, status: 'DENIED' }).map((stage) => stage.label)).toEqual(['Requested', 'Denied']);
    const expired = grantStages({ ...open, status: 'EXPIRED' });
    expect(expired.map((stage) => stage.label)).toEqual(['Requested', 'Approved', 'Expired']);
    expect(expired[2]).toMatchObject({ at: grant.notAfter });
  });

  it('reads the audit trail from the request on, within the 92 days the API allows', () => {
    const now = Date.parse('2026-11-27T00:00:00.000Z');
    expect(grantAuditWindow(grant, now)).toEqual({ from: '2026-11-01T09:59:59.000Z', to: '2026-11-27T00:01:00.000Z', truncated: false });
    const old = grantAuditWindow({ ...grant, requested: stamp('tr', '2026-01-01T00:00:00.000Z') }, now);
    expect(old.truncated).toBe(true);
    expect(Date.parse(old.to) - Date.parse(old.from)).toBe(92 * 86_400_000);
  });

  it("keeps only the grant's records", () => {
    const base = { type: 'ACCESS_REQUESTED', actorMsp: 'FinanceMSP', actorId: 'f', role: 'officer', txId: 't', timestamp: '', outcome: 'SUCCESS', details: {} } as const;
    const records: AuditRecord[] = [
      { ...base, id: '1', grantId: 'g-1' },
      { ...base, id: '2', grantId: 'g-2' },
      { ...base, id: '3' },
    ];
    expect(recordsOfGrant(records, 'g-1').map((r) => r.id)).toEqual(['1']);
  });
});
