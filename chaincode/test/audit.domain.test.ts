import { buildAuditRecord, canReadAudit } from '../src/domain/audit';
import { parseArgument } from '../src/domain/validation';
import { AuditQuery, AuditRecord } from 'govshare-contract';
import { caller, errorOf, T0, txAt } from './support/domain-fixtures';

const tx = txAt(T0, caller('JusticeMSP', 'officer'), 'tx-audit');
const record = buildAuditRecord(
  { type: 'DATA_ACCESSED', outcome: 'DENIED', datasetId: 'edu.enrolment', subjectOwnerMsp: 'EducationMSP', grantId: 'g1', details: { reason: 'EXPIRED' } },
  tx,
);

describe('buildAuditRecord', () => {
  it('takes id, actor, role, txId and timestamp from the transaction', () => {
    expect(record).toEqual({
      id: 'tx-audit',
      type: 'DATA_ACCESSED',
      datasetId: 'edu.enrolment',
      subjectOwnerMsp: 'EducationMSP',
      grantId: 'g1',
      actorMsp: 'JusticeMSP',
      actorId: 'justice-officer',
      role: 'officer',
      txId: 'tx-audit',
      timestamp: T0,
      outcome: 'DENIED',
      details: { reason: 'EXPIRED' },
    });
    expect(AuditRecord.parse(record)).toEqual(record);
  });
});

describe('canReadAudit', () => {
  it.each<[string, ReturnType<typeof caller>, boolean]>([
    ['the Audit org auditor', caller('AuditMSP', 'auditor'), true],
    ['an Audit org officer (not an auditor)', caller('AuditMSP', 'officer'), false],
    ['the actor org', caller('JusticeMSP', 'approver'), true],
    ['the dataset owner', caller('EducationMSP', 'officer'), true],
    ['an uninvolved department', caller('FinanceMSP', 'auditor'), false],
  ])('%s: %s', (_name, who, allowed) => {
    expect(canReadAudit(who, record, 'AuditMSP')).toBe(allowed);
  });
});

describe('AuditQuery', () => {
  const window = { from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' };
  it('defaults page size and bookmark', () => {
    expect(parseArgument(AuditQuery, window)).toEqual({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-02T00:00:00.000Z', pageSize: 50, bookmark: '' });
  });
  it.each<[unknown, RegExp]>([
    [{ ...window, datasetId: 'a', actorMsp: 'JusticeMSP' }, /actorMsp: give datasetId or actorMsp/],
    [{ from: window.to, to: window.from }, /to: must be after from/],
    [{ from: '2026-01-01T00:00:00Z', to: '2026-06-01T00:00:00Z' }, /to: the window must be at most 92 days/],
    [{ ...window, pageSize: 0 }, /pageSize: /],
    [{ ...window, pageSize: 101 }, /pageSize: /],
  ])('rejects %j', (input, message) => {
    expect(errorOf(() => parseArgument(AuditQuery, input))).toMatch(message);
  });
});
