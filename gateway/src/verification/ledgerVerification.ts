/**
 * One verification of a channel's ledger as an organisation sees it: the chain of blocks (hash chain,
 * data hashes, orderer signatures, optionally the trusted genesis block) and then the audit trail in
 * world state against it. Shared by the gateway's GET /audit/ledger/verify and scripts/verify-ledger.sh.
 */
import type { common } from '@hyperledger/fabric-protos';
import { LedgerVerification } from 'govshare-contract';

import { verifyAuditTrail, type AuditTrailSource } from './auditTrail';
import { ChainVerifier } from './chain';

const DAY = 86_400_000;
/** Audit records carry the proposal's timestamp, which a client's clock may set a little ahead. */
const CLOCK_SKEW_ALLOWANCE_MS = DAY;

/** The report's schema is part of govshare-contract: the web console reads the same shape. */
export { LedgerVerification };

export interface LedgerVerificationInput {
  readonly channel: string;
  readonly servedBy: string;
  /** How many blocks `blocks` yields (the peer's height when the verification started). */
  readonly height: number;
  /** Blocks 0 … height-1 in order; iteration stops at the first break. */
  readonly blocks: AsyncIterable<Uint8Array | common.Block> | Iterable<Uint8Array | common.Block>;
  readonly trustedGenesis?: Uint8Array | undefined;
  /** The audit trail to check against the chain; left out when undefined. */
  readonly audit?: AuditTrailSource | undefined;
  readonly now: () => number;
}

export async function verifyLedger(input: LedgerVerificationInput): Promise<LedgerVerification> {
  const started = input.now();
  const verifier = new ChainVerifier(input.trustedGenesis === undefined ? {} : { trustedGenesis: input.trustedGenesis });
  for await (const block of input.blocks) {
    if (!verifier.add(block)) break;
  }
  const chain = verifier.result();
  let auditTrail: LedgerVerification['auditTrail'] = { checked: false, records: 0, transactions: 0, newerThanChain: 0, mismatches: 0 };
  if (chain.intact && input.audit !== undefined) {
    const since = new Date(chain.genesisTime ?? started);
    const audit = await verifyAuditTrail(input.audit, since, new Date(input.now() + CLOCK_SKEW_ALLOWANCE_MS), chain.transactions);
    const first = audit.mismatches[0];
    auditTrail = {
      checked: true,
      records: audit.records,
      transactions: audit.transactions,
      newerThanChain: audit.newerThanCopy,
      mismatches: audit.mismatches.length,
      ...(first === undefined
        ? {}
        : { firstMismatch: { recordId: first.record.id, recordType: first.record.type, txId: first.record.txId, reason: first.reason } }),
    };
  }
  return {
    verdict: chain.intact && auditTrail.mismatches === 0 ? 'INTACT' : 'BROKEN',
    channel: input.channel,
    servedBy: input.servedBy,
    height: input.height,
    verifiedBlocks: chain.verifiedBlocks,
    signatures: chain.signatures,
    configBlocks: chain.configBlocks,
    transactions: chain.transactions.size,
    genesisTrusted: input.trustedGenesis !== undefined,
    ...(chain.ordering === undefined ? {} : { ordering: { ...chain.ordering, consenters: [...chain.ordering.consenters] } }),
    ...(chain.firstBreak === undefined ? {} : { firstBreak: chain.firstBreak }),
    auditTrail,
    startedAt: new Date(started).toISOString(),
    durationMs: Math.max(0, Math.round(input.now() - started)),
  };
}

/** The report as the operator script prints it: a line per check and the verdict last. */
export function describeVerification(report: LedgerVerification, auditor: string): string[] {
  const lines: string[] = [];
  const ordering = report.ordering;
  if (ordering?.type === 'BFT') {
    lines.push(
      `  ordering: SmartBFT, ${ordering.consenters.length} consenters (${ordering.consenters.map((c) => `${c.id} ${c.mspId}`).join(', ')}); ` +
        `every block needs valid signatures of ${ordering.quorum ?? '?'} of them` +
        (ordering.consenterSetChanges > 0 ? `; the consenter set changed in ${ordering.consenterSetChanges} configuration block(s), each followed` : ''),
    );
  } else if (ordering !== undefined) {
    lines.push(`  ordering: ${ordering.type}; every signature by an orderer organisation's certificate`);
  }
  if (report.firstBreak === undefined) {
    lines.push(
      `  hash chain, data hashes and ${report.signatures} orderer signatures: OK for blocks 0..${report.verifiedBlocks - 1} ` +
        `(${report.configBlocks} configuration blocks, ${report.transactions} transactions)` +
        (report.genesisTrusted ? '; block 0 is the genesis block the network was created with' : ''),
    );
  } else {
    lines.push(`  chain BROKEN at block ${report.firstBreak.block}: ${report.firstBreak.reason}`);
    lines.push(`  (blocks 0..${report.verifiedBlocks - 1} verified before the break)`);
  }
  const trail = report.auditTrail;
  if (trail.checked) {
    if (trail.firstMismatch === undefined) {
      lines.push(
        `  audit trail: ${trail.records} records visible to ${auditor} (${trail.transactions} transactions) all match VALID transactions` +
          (trail.newerThanChain > 0 ? ` (${trail.newerThanChain} committed after the verified blocks, VALID per the peer)` : ''),
      );
    } else {
      lines.push(`  audit trail BROKEN: ${trail.mismatches} of ${trail.records} records do not match a VALID transaction; first:`);
      lines.push(`    record ${trail.firstMismatch.recordId} (${trail.firstMismatch.recordType}): ${trail.firstMismatch.reason}`);
    }
  }
  lines.push(`VERDICT: ${report.verdict}`);
  return lines;
}
