import type { AuditRecord, Certificate, Dataset, GrantView, TxStamp } from 'govshare-contract';

export const sha = (char: string): string => char.repeat(64);

export function stamp(txId = 'tx0000', mspId = 'EducationMSP'): TxStamp {
  return { txId, timestamp: '2026-01-01T00:00:00.000Z', actor: { mspId, id: 'someone' } };
}

export function dataset(overrides: Partial<Dataset> = {}): Dataset {
  return {
    id: 'jus.convictions',
    ownerMsp: 'JusticeMSP',
    title: 'Convictions',
    description: 'Convictions per district',
    themes: ['justice'],
    keywords: [],
    classification: 'RESTRICTED',
    fields: [
      { name: 'district', type: 'CODE', sensitivity: 'NONE' },
      { name: 'year', type: 'INTEGER', sensitivity: 'NONE' },
      { name: 'convictions', type: 'INTEGER', sensitivity: 'NONE' },
      { name: 'judge', type: 'STRING', sensitivity: 'PERSONAL' },
    ],
    fingerprint: sha('a'),
    version: 1,
    contentVersion: 1,
    updateFrequency: 'ANNUAL',
    license: 'UNSPECIFIED',
    contactUnit: 'JUS.STATISTICS',
    status: 'ACTIVE',
    created: stamp('tx0000', 'JusticeMSP'),
    updated: stamp('tx0000', 'JusticeMSP'),
    ...overrides,
  };
}

export function grant(overrides: Partial<GrantView> = {}): GrantView {
  return {
    id: 'grant1',
    datasetId: 'jus.convictions',
    ownerMsp: 'JusticeMSP',
    requesterMsp: 'EducationMSP',
    purpose: { code: 'OFFICIAL_STATISTICS', text: 'School safety statistics' },
    legalBasis: 'Statistics Act s.12',
    fields: ['convictions', 'district'],
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    status: 'PENDING',
    active: false,
    countersignatureRequired: false,
    requested: stamp('grant1'),
    updated: stamp('grant1'),
    ...overrides,
  };
}

export function auditRecord(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id: 'tx0100',
    type: 'ACCESS_REQUESTED',
    datasetId: 'jus.convictions',
    subjectOwnerMsp: 'JusticeMSP',
    grantId: 'grant1',
    actorMsp: 'EducationMSP',
    actorId: 'education-officer',
    role: 'officer',
    txId: 'tx0100',
    timestamp: '2026-01-02T00:00:00.000Z',
    outcome: 'SUCCESS',
    details: {},
    ...overrides,
  };
}

export function certificate(overrides: Partial<Certificate> = {}): Certificate {
  return {
    documentSha256: sha('d'),
    type: 'DIPLOMA',
    issuerMsp: 'EducationMSP',
    subjectPseudonym: sha('e'),
    notAfter: '2030-01-01T00:00:00.000Z',
    status: 'ISSUED',
    issued: stamp('tx0200'),
    ...overrides,
  };
}
