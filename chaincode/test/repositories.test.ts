import './support/quiet-fabric-logs';
import { enrolmentIdFromX509Id } from '../src/contracts/context';
import { isoFromTimestamp } from '../src/ledger/time';
import { dayOf, daysOfWindow, decodeAuditCursor, encodeAuditCursor } from '../src/repositories/audit';
import { DatasetRepository, datasetIndexEntries } from '../src/repositories/datasets';
import { dataset, errorOf } from './support/domain-fixtures';
import { FakeLedger } from './support/fake-context';

describe('dataset indexes', () => {
  it('indexes owner, classification and every theme', () => {
    expect(datasetIndexEntries(dataset({ themes: ['schools', 'education'] }))).toEqual([
      ['classification', 'RESTRICTED'],
      ['owner', 'EducationMSP'],
      ['theme', 'education'],
      ['theme', 'schools'],
    ]);
  });

  it('save(before, after) removes the entries the change drops and adds the new ones, nothing else', async () => {
    const ledger = new FakeLedger();
    const before = dataset({ themes: ['education', 'schools'] });
    const after = dataset({ themes: ['schools', 'pupils'], classification: 'SECRET' });
    await new DatasetRepository(ledger.tx().ctx).save(undefined, before);
    const change = ledger.tx();
    await new DatasetRepository(change.ctx).save(before, after);
    const printable = (keys: string[]) => keys.map((k) => k.split('\u0000').filter(Boolean).join('/'));
    expect(printable(ledger.keysOf('dataset~theme'))).toEqual(['dataset~theme/pupils/edu.enrolment', 'dataset~theme/schools/edu.enrolment']);
    expect(printable(ledger.keysOf('dataset~classification'))).toEqual(['dataset~classification/SECRET/edu.enrolment']);
    // The record, one deleted and one added theme entry, the classification entry replaced; the owner entry untouched.
    expect(change.writes).toHaveLength(5);
  });
});

describe('audit time buckets', () => {
  it('lists every UTC day a window touches, end exclusive', () => {
    expect(dayOf('2026-03-01T23:59:59.999Z')).toBe('2026-03-01');
    expect(daysOfWindow('2026-02-27T10:00:00.000Z', '2026-03-02T00:00:00.000Z')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(daysOfWindow('2026-03-01T10:00:00.000Z', '2026-03-01T10:00:00.001Z')).toEqual(['2026-03-01']);
  });

  it('round-trips a cursor and rejects a forged bookmark', () => {
    const cursor = { day: '2026-03-01', inner: '\u0000audit~time\u00002026-03-01\u0000x\u0000' };
    expect(decodeAuditCursor(encodeAuditCursor(cursor))).toEqual(cursor);
    expect(decodeAuditCursor('')).toBeUndefined();
    expect(errorOf(() => decodeAuditCursor('not-a-bookmark'))).toMatch(/^INVALID_ARGUMENT: bookmark: /);
    expect(errorOf(() => decodeAuditCursor(Buffer.from('["x","y"]').toString('base64url')))).toMatch(/^INVALID_ARGUMENT: /);
  });
});


describe('transaction facts', () => {
  it('reads the CN of the subject, not of the issuer, from a fabric x509 id', () => {
    expect(
      enrolmentIdFromX509Id('x509::/C=US/O=Hyperledger/OU=client/CN=alice::/C=US/O=org1.example.com/CN=ca.org1'),
    ).toBe('alice');
    expect(enrolmentIdFromX509Id('x509::/OU=client/CN=a\\/b/O=x::/CN=ca')).toBe('a/b');
  });

  it('falls back to the whole id when the subject has no CN', () => {
    expect(enrolmentIdFromX509Id('x509::/O=NoCommonName::/CN=ca')).toBe('x509::/O=NoCommonName::/CN=ca');
  });

  it('formats a protobuf timestamp as ISO 8601 UTC with milliseconds', () => {
    expect(isoFromTimestamp(1736933400, 123_456_789)).toBe('2025-01-15T09:30:00.123Z');
    expect(isoFromTimestamp(0, 0)).toBe('1970-01-01T00:00:00.000Z');
  });
});
