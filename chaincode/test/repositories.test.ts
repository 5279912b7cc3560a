import './support/quiet-fabric-logs';
import { enrolmentIdFromX509Id } from '../src/contracts/context';
import { isoFromTimestamp } from '../src/ledger/time';
import { AuditRepository, dayOf, daysOfWindow, decodeAuditCursor, encodeAuditCursor } from '../src/repositories/audit';
import { DatasetRepository, datasetIndexEntries } from '../src/repositories/datasets';
import { caller, dataset, errorOf } from './support/domain-fixtures';
import { AUDITOR, EDU_OFFICER, FakeLedger } from './support/fake-context';

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


describe('audit window queries cost a page, not the day', () => {
  const DAY_START = Date.UTC(2026, 2, 1, 0, 0, 0, 0);
  const AUDITOR_CALLER = caller('AuditMSP', 'auditor');

  /** One audit record per second from the day's start: `count` of them, as RegisterDataset would write. */
  async function fillDay(ledger: FakeLedger, count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) {
      const tx = ledger.tx({ identity: EDU_OFFICER, timestamp: new Date(DAY_START + i * 1000), txId: `t${String(i).padStart(6, '0')}` });
      await new AuditRepository(tx.ctx, tx.ctx.tx, 'AuditMSP').record(
        { type: 'DATASET_REGISTERED', outcome: 'SUCCESS', datasetId: `ds-${String(i % 7)}`, subjectOwnerMsp: 'EducationMSP' },
        'DatasetRegistered',
        { datasetId: `ds-${String(i % 7)}`, ownerMsp: 'EducationMSP' },
      );
    }
  }
  const at = (second: number): string => new Date(DAY_START + second * 1000).toISOString();
  /** Every key the peer handed out during the transaction, over all its iterators. */
  const keysRead = (tx: ReturnType<FakeLedger['tx']>): number => tx.iterators.reduce((sum, iterator) => sum + iterator.size, 0);

  it.each([500, 5000])('a 10-second window late in a day of %i records reads at most one page of keys', async (count) => {
    const ledger = new FakeLedger();
    await fillDay(ledger, count);
    const tx = ledger.tx({ identity: AUDITOR });
    const page = await new AuditRepository(tx.ctx, tx.ctx.tx, 'AuditMSP').query(
      { from: at(count - 20), to: at(count - 10), pageSize: 50, bookmark: '' },
      AUDITOR_CALLER,
    );
    expect(page.records.map((r) => r.timestamp)).toEqual(Array.from({ length: 10 }, (_, i) => at(count - 20 + i)));
    expect(page.bookmark).toBe('');
    // One page from the window's start (its 10 records, then the rest of the page past `to`, where the
    // walk stops), whatever the number of records before the window.
    expect(keysRead(tx)).toBeLessThanOrEqual(50);
  });

  it('pages a window through the dataset and actor indexes from its start, and refuses an inner bookmark outside the day', async () => {
    const ledger = new FakeLedger();
    await fillDay(ledger, 300);
    const query = async (q: { datasetId?: string; actorMsp?: string; bookmark?: string }) => {
      const tx = ledger.tx({ identity: AUDITOR });
      return new AuditRepository(tx.ctx, tx.ctx.tx, 'AuditMSP').query({ from: at(200), to: at(260), pageSize: 4, bookmark: '', ...q }, AUDITOR_CALLER);
    };
    for (const q of [{ datasetId: 'ds-3' }, { actorMsp: 'EducationMSP' }, {}]) {
      const seen: string[] = [];
      let bookmark = '';
      do {
        const page = await query({ ...q, bookmark });
        seen.push(...page.records.map((r) => r.timestamp));
        bookmark = page.bookmark;
      } while (bookmark !== '');
      const expected = Array.from({ length: 60 }, (_, i) => 200 + i).filter((s) => q.datasetId === undefined || s % 7 === 3).map(at);
      expect(seen).toEqual(expected);
    }
    // A forged inner bookmark becomes the peer's start key: one outside the day's index is refused.
    const forged = encodeAuditCursor({ day: '2026-03-01', inner: '\u0000dataset\u0000' });
    await expect(query({ bookmark: forged })).rejects.toThrow(/^INVALID_ARGUMENT: bookmark: /);
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
