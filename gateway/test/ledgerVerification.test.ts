import { common } from '@hyperledger/fabric-protos';
import { Timestamp } from 'google-protobuf/google/protobuf/timestamp_pb';
import request from 'supertest';

import { QueryAudit } from 'govshare-contract';
import type { BlockStream, LedgerArchive } from '../src/fabric/ledgerArchive';
import type { AuthenticatedUser } from '../src/identity/user';
import { createLedgerVerificationService, type LedgerVerificationService } from '../src/services/ledgerVerificationService';
import { blockDataHash, ChainVerifier } from '../src/verification/chain';
import type { LedgerVerification } from '../src/verification/ledgerVerification';
import { auditRecord } from './support/fixtures';
import { FakeLedger } from './support/fakeLedger';
import { AUDITOR_TOKEN, buildTestApp, OFFICER_TOKEN } from './support/testApp';

const ENDORSER_TRANSACTION = 3;
const VALID = 0;
const MVCC_READ_CONFLICT = 11;
const GENESIS_TIME = new Date('2026-11-01T00:00:00Z');
const NOW = Date.parse('2026-11-27T12:00:00Z');

/** A block 0 carrying one endorser transaction per id (block 0 is trusted by position: no orderer signature). */
function blockZero(txIds: readonly string[], flags: readonly number[] = txIds.map(() => VALID)): common.Block {
  const envelopes = txIds.map((txId) => {
    const channelHeader = new common.ChannelHeader();
    channelHeader.setType(ENDORSER_TRANSACTION);
    channelHeader.setChannelId('govchannel');
    channelHeader.setTxId(txId);
    channelHeader.setTimestamp(Timestamp.fromDate(GENESIS_TIME));
    const header = new common.Header();
    header.setChannelHeader(channelHeader.serializeBinary());
    const payload = new common.Payload();
    payload.setHeader(header);
    const envelope = new common.Envelope();
    envelope.setPayload(payload.serializeBinary());
    return envelope.serializeBinary();
  });
  const block = new common.Block();
  const data = new common.BlockData();
  data.setDataList(envelopes);
  block.setData(data);
  const header = new common.BlockHeader();
  header.setNumber(0);
  header.setDataHash(blockDataHash(block));
  block.setHeader(header);
  const metadata = new common.BlockMetadata();
  metadata.setMetadataList([new Uint8Array(), new Uint8Array(), Uint8Array.from(flags)]);
  block.setMetadata(metadata);
  return block;
}

class FakeArchive implements LedgerArchive {
  readonly codes = new Map<string, number>();
  blocksOpened = 0;
  closed = 0;
  constructor(readonly chain: readonly common.Block[]) {}

  chainHeight(): Promise<bigint> {
    return Promise.resolve(BigInt(this.chain.length));
  }

  blocks(_user: AuthenticatedUser, count: bigint): Promise<BlockStream> {
    this.blocksOpened += 1;
    const blocks = this.chain.slice(0, Number(count));
    return Promise.resolve({
      close: () => {
        this.closed += 1;
      },
      async *[Symbol.asyncIterator]() {
        for (const block of blocks) {
          await Promise.resolve();
          yield block;
        }
      },
    });
  }

  validationCode(_user: AuthenticatedUser, txId: string): Promise<number | undefined> {
    return Promise.resolve(this.codes.get(txId));
  }
}

const auditor: AuthenticatedUser = { id: 'audit-auditor', role: 'auditor', mspId: 'AuditMSP' };

function ledgerWithAudit(txIds: readonly string[]): FakeLedger {
  return new FakeLedger().on(QueryAudit, ({ query }) => {
    // Records fall in the first window only, so a second window must not repeat them.
    const inWindow = Date.parse(query.from) <= GENESIS_TIME.getTime() && GENESIS_TIME.getTime() < Date.parse(query.to);
    return {
      records: inWindow ? txIds.map((txId, index) => auditRecord({ id: `audit-${String(index)}`, txId })) : [],
      bookmark: '',
      fetchedRecordsCount: txIds.length,
    };
  });
}

function service(archive: LedgerArchive, ledger: FakeLedger, trustedGenesis?: Uint8Array): LedgerVerificationService {
  return createLedgerVerificationService({ ledger, archive, channel: 'govchannel', peerMsp: 'AuditMSP', trustedGenesis, now: () => NOW });
}

describe('ledger verification service', () => {
  it('finds an intact chain whose audit records all name VALID transactions', async () => {
    const archive = new FakeArchive([blockZero(['tx-a', 'tx-b'])]);
    archive.codes.set('tx-a', VALID).set('tx-b', VALID);

    const report = await service(archive, ledgerWithAudit(['tx-a', 'tx-b', 'tx-a']), blockZero(['tx-a', 'tx-b']).serializeBinary()).verify(auditor);

    expect(report).toMatchObject({
      verdict: 'INTACT',
      height: 1,
      verifiedBlocks: 1,
      transactions: 2,
      genesisTrusted: true,
      auditTrail: { checked: true, records: 3, transactions: 2, newerThanChain: 0, mismatches: 0 },
    });
    expect(report.firstBreak).toBeUndefined();
    expect(archive.closed).toBe(1);
  });

  it('counts records of transactions committed after the verified blocks as newer, not broken', async () => {
    const archive = new FakeArchive([blockZero(['tx-a'])]);
    archive.codes.set('tx-a', VALID).set('tx-later', VALID);

    const report = await service(archive, ledgerWithAudit(['tx-a', 'tx-later'])).verify(auditor);

    expect(report.verdict).toBe('INTACT');
    expect(report.auditTrail).toMatchObject({ records: 2, newerThanChain: 1, mismatches: 0 });
  });

  it.each([
    ['the peer knows no such transaction', ['tx-a'], [VALID], new Map<string, number>(), /knows no transaction tx-a/],
    ['the peer recorded it invalid', ['tx-a'], [VALID], new Map([['tx-a', MVCC_READ_CONFLICT]]), /validation code 11 \(MVCC_READ_CONFLICT\), not VALID/],
    ['the block flags it invalid', ['tx-a'], [MVCC_READ_CONFLICT], new Map([['tx-a', VALID]]), /flagged 11 in block 0/],
  ])('reports an audit record as a break when %s', async (_case, txIds, flags, codes, reason) => {
    const archive = new FakeArchive([blockZero(txIds, flags)]);
    codes.forEach((code, txId) => archive.codes.set(txId, code));

    const report = await service(archive, ledgerWithAudit(['tx-a'])).verify(auditor);

    expect(report.verdict).toBe('BROKEN');
    expect(report.auditTrail.mismatches).toBe(1);
    expect(report.auditTrail.firstMismatch).toMatchObject({ recordId: 'audit-0', txId: 'tx-a', reason: expect.stringMatching(reason) as unknown });
  });

  it('reports altered block data at that block and leaves the audit trail unchecked', async () => {
    const block = blockZero(['tx-a', 'tx-b']);
    block.getData()?.setDataList([blockZero(['tx-evil']).getData()?.getDataList_asU8()[0] ?? new Uint8Array()]);
    const ledger = ledgerWithAudit(['tx-a']);

    const report = await service(new FakeArchive([block]), ledger).verify(auditor);

    expect(report).toMatchObject({ verdict: 'BROKEN', verifiedBlocks: 0, firstBreak: { block: 0, reason: expect.stringContaining('data_hash') as unknown } });
    expect(report.auditTrail.checked).toBe(false);
    expect(ledger.calls).toHaveLength(0);
  });

  it('refuses a block 0 other than the trusted genesis block', async () => {
    const report = await service(new FakeArchive([blockZero(['tx-a'])]), ledgerWithAudit([]), blockZero(['tx-other']).serializeBinary()).verify(auditor);

    expect(report.firstBreak).toEqual({ block: 0, reason: 'block 0 is not the genesis block this network was created with' });
  });

  it('shares one running verification between concurrent calls of the same user', async () => {
    const archive = new FakeArchive([blockZero(['tx-a'])]);
    archive.codes.set('tx-a', VALID);
    const verification = service(archive, ledgerWithAudit(['tx-a']));

    const [first, second] = await Promise.all([verification.verify(auditor), verification.verify(auditor)]);
    await verification.verify(auditor);

    expect(first).toBe(second);
    expect(archive.blocksOpened).toBe(2);
  });
});

describe('ChainVerifier', () => {
  it('reports bytes that are not a block as a break at their position', () => {
    const verifier = new ChainVerifier();
    expect(verifier.add(blockZero(['tx-a']).serializeBinary())).toBe(true);
    expect(verifier.add(Buffer.from('not a block'))).toBe(false);
    expect(verifier.result()).toMatchObject({ intact: false, verifiedBlocks: 1, firstBreak: { block: 1 } });
  });

  it('calls an empty chain broken', () => {
    expect(new ChainVerifier().result()).toMatchObject({ intact: false, firstBreak: { block: 0, reason: 'no blocks' } });
  });

  it('reports a block in the wrong position', () => {
    const verifier = new ChainVerifier();
    const misplaced = blockZero(['tx-a']);
    misplaced.getHeader()?.setNumber(3);
    expect(verifier.add(misplaced)).toBe(false);
    expect(verifier.result().firstBreak?.reason).toMatch(/expected block 0, found block 3/);
  });
});

describe('GET /api/v1/audit/ledger/verify', () => {
  const report: LedgerVerification = {
    verdict: 'INTACT',
    channel: 'govchannel',
    servedBy: 'EducationMSP',
    height: 12,
    verifiedBlocks: 12,
    signatures: 11,
    configBlocks: 1,
    transactions: 12,
    genesisTrusted: true,
    auditTrail: { checked: true, records: 4, transactions: 4, newerThanChain: 0, mismatches: 0 },
    startedAt: '2026-11-27T12:00:00.000Z',
    durationMs: 40,
  };

  it('answers the verification of the calling auditor, not cached by clients', async () => {
    const callers: string[] = [];
    const { app } = buildTestApp(undefined, {
      ledgerVerification: {
        verify: (user) => {
          callers.push(user.id);
          return Promise.resolve(report);
        },
      },
    });

    const res = await request(app).get('/api/v1/audit/ledger/verify').set({ Authorization: `Bearer ${AUDITOR_TOKEN}` });

    expect(res.status).toBe(200);
    expect(res.body).toEqual(report);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(callers).toEqual(['education-auditor']);
  });

  it('refuses callers who are not auditors with 403 FORBIDDEN', async () => {
    let called = false;
    const { app } = buildTestApp(undefined, {
      ledgerVerification: {
        verify: () => {
          called = true;
          return Promise.resolve(report);
        },
      },
    });

    const res = await request(app).get('/api/v1/audit/ledger/verify').set({ Authorization: `Bearer ${OFFICER_TOKEN}` });

    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(called).toBe(false);
  });

  it('answers 503 on a gateway without ledger verification', async () => {
    const res = await request(buildTestApp().app).get('/api/v1/audit/ledger/verify').set({ Authorization: `Bearer ${AUDITOR_TOKEN}` });

    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'LEDGER_VERIFICATION_DISABLED' });
  });

  it('needs a bearer token', async () => {
    const res = await request(buildTestApp().app).get('/api/v1/audit/ledger/verify');
    expect(res.status).toBe(401);
  });
});
