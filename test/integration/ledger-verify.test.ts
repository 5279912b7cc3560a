/**
 * scripts/verify-ledger.sh on the live network: the real chain (fetched from the Audit peer, with the
 * audit trail checked against qscc) verifies intact; copies with one byte changed in a block's data,
 * with a block removed, and with two blocks swapped are reported broken at the right block. The
 * gateways' GET /audit/ledger/verify runs the same verification over blocks streamed from their peer.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import { blockFilesIn } from '../../gateway/src/verification/chain';
import { connectAs } from './support/fabric';
import { api } from './support/http';
import { consensusMode, consenterDepartments, REPO_ROOT } from './support/network';
import { step } from './support/steps';

interface Run {
  readonly status: number | null;
  readonly output: string;
}

function verifyLedger(...args: string[]): Run {
  const result = spawnSync(path.join(REPO_ROOT, 'scripts', 'verify-ledger.sh'), args, { encoding: 'utf8', timeout: 300_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const work = mkdtempSync(path.join(tmpdir(), 'govshare-verify-'));
const fetched = path.join(work, 'fetched');

/** A copy of the fetched blocks, changed by `change` (given the copy's directory). */
function tamperedCopy(name: string, change: (directory: string) => void): string {
  const directory = path.join(work, name);
  cpSync(fetched, directory, { recursive: true });
  change(directory);
  return directory;
}

const blockFile = (directory: string, n: number): string => path.join(directory, `${String(n)}.block`);

/**
 * The chain as verify-ledger.sh fetched it from the audit peer (`--save`, into `fetched`), and the block the
 * tamper tests change: one with a successor, so that removing it leaves a gap.
 */
const fetchedChain = step('verify-ledger.sh fetches and saves the chain from the audit peer', () => {
  const run = verifyLedger('audit', '--save', fetched);
  const files = blockFilesIn(fetched);
  if (files.length < 3) throw new Error(`only ${String(files.length)} blocks were saved: ${run.output}`);
  return Promise.resolve({ run, target: files.length - 2 });
});

beforeAll(async () => {
  // At least one audit record and a few transaction blocks beyond the channel's configuration.
  const session = connectAs('education', 'officer');
  try {
    const id = `verify-${Date.now().toString(36)}`;
    const fingerprint = createHash('sha256').update(id).digest('hex');
    await session.contract.submitTransaction('RegisterDataset', JSON.stringify({ id, title: 'Ledger check', description: 'Dataset for the ledger verification test', classification: 'INTERNAL', fingerprint }));
  } finally {
    session.close();
  }
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('verify-ledger.sh', () => {
  test('the real chain, fetched from the audit peer, is intact and every audit record is a VALID transaction', async () => {
    const { run } = await fetchedChain();
    expect(run.output).toContain('VERDICT: INTACT');
    expect(run.output).toMatch(/audit trail: [1-9]\d* records visible to AuditMSP .* all match VALID transactions/);
    // Signatures are checked against the ordering in force: in BFT mode a quorum of the departments' consenters.
    if (consensusMode() === 'bft') {
      const n = consenterDepartments().length;
      expect(run.output).toMatch(new RegExp(`ordering: SmartBFT, ${String(n)} consenters \\(1 EducationMSP, 2 FinanceMSP, 3 JusticeMSP, 4 AuditMSP.*\\); every block needs valid signatures of ${String(Math.ceil((n + Math.floor((n - 1) / 3) + 1) / 2))} of them`));
    } else {
      expect(run.output).toContain('ordering: etcdraft');
    }
    expect(run.status).toBe(0);
  });

  test('a department verifies from its own peer too', () => {
    const run = verifyLedger('finance', '--no-audit');
    expect(run.output).toContain('VERDICT: INTACT');
    expect(run.status).toBe(0);
  });

  test('one byte changed in a block’s data is a break at that block', async () => {
    const { target } = await fetchedChain();
    const directory = tamperedCopy('flipped', (dir) => {
      const raw = Buffer.from(readFileSync(blockFile(dir, target)));
      const entry = common.Block.deserializeBinary(raw).getData()?.getDataList_asU8()[0];
      if (entry === undefined) throw new Error(`block ${String(target)} has no data`);
      const offset = raw.indexOf(Buffer.from(entry));
      // The entry's last byte is inside the transaction's signature: the block still decodes.
      raw[offset + entry.length - 1] = (raw[offset + entry.length - 1] ?? 0) ^ 0x01;
      writeFileSync(blockFile(dir, target), raw);
    });
    const run = verifyLedger('--blocks-dir', directory, '--no-audit');
    expect(run.output).toContain(`chain BROKEN at block ${String(target)}: the header's data_hash does not match`);
    expect(run.output).toContain('VERDICT: BROKEN');
    expect(run.status).toBe(1);
  });

  test('a removed block is a break at that block', async () => {
    const { target } = await fetchedChain();
    const directory = tamperedCopy('removed', (dir) => {
      unlinkSync(blockFile(dir, target));
    });
    const run = verifyLedger('--blocks-dir', directory, '--no-audit');
    expect(run.output).toContain(`chain BROKEN at block ${String(target)}: expected block ${String(target)}, found block ${String(target + 1)}`);
    expect(run.status).toBe(1);
  });

  test('two blocks swapped is a break at the first of them', async () => {
    const { target } = await fetchedChain();
    const directory = tamperedCopy('swapped', (dir) => {
      const a = readFileSync(blockFile(dir, target - 1));
      writeFileSync(blockFile(dir, target - 1), readFileSync(blockFile(dir, target)));
      writeFileSync(blockFile(dir, target), a);
    });
    const run = verifyLedger('--blocks-dir', directory, '--no-audit');
    expect(run.output).toContain(`chain BROKEN at block ${String(target - 1)}`);
    expect(run.status).toBe(1);
  });

  test('an unchanged copy verifies intact offline', async () => {
    await fetchedChain();
    const run = verifyLedger('--blocks-dir', fetched, '--no-audit');
    expect(run.output).toContain('VERDICT: INTACT');
    expect(run.status).toBe(0);
  });
});

describe('GET /api/v1/audit/ledger/verify', () => {
  interface Verification {
    verdict: string;
    servedBy: string;
    height: number;
    verifiedBlocks: number;
    signatures: number;
    genesisTrusted: boolean;
    firstBreak?: unknown;
    auditTrail: { checked: boolean; records: number; mismatches: number };
  }

  test("the audit gateway's auditor gets INTACT for the whole chain from the Audit peer and every audit record", async () => {
    const response = await api('audit', 'GET', '/api/v1/audit/ledger/verify', { role: 'auditor' });
    expect(response.status).toBe(200);
    const report = response.body as unknown as Verification;
    expect(report).toMatchObject({ verdict: 'INTACT', servedBy: 'AuditMSP', genesisTrusted: true, auditTrail: { checked: true, mismatches: 0 } });
    expect(report.firstBreak).toBeUndefined();
    expect(report.verifiedBlocks).toBe(report.height);
    expect(report.height).toBeGreaterThanOrEqual(blockFilesIn(fetched).length);
    expect(report.signatures).toBeGreaterThanOrEqual(report.height - 1);
    expect(report.auditTrail.records).toBeGreaterThan(0);
  });

  test("a department's auditor verifies from its own peer and checks only the records it may see", async () => {
    const [own, all] = await Promise.all([
      api('finance', 'GET', '/api/v1/audit/ledger/verify', { role: 'auditor' }),
      api('audit', 'GET', '/api/v1/audit/ledger/verify', { role: 'auditor' }),
    ]);
    expect(own.status).toBe(200);
    const report = own.body as unknown as Verification;
    expect(report).toMatchObject({ verdict: 'INTACT', servedBy: 'FinanceMSP', auditTrail: { checked: true, mismatches: 0 } });
    expect(report.auditTrail.records).toBeLessThan((all.body as unknown as Verification).auditTrail.records);
  });

  test('an officer is refused with 403 FORBIDDEN', async () => {
    const response = await api('audit', 'GET', '/api/v1/audit/ledger/verify', { role: 'officer' });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ code: 'FORBIDDEN' });
  });
});
