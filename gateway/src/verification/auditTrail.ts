/**
 * The audit trail against the ledger: every audit record in world state must name a transaction that
 * the peer reports VALID (qscc GetTransactionByID) and, when the transaction is in the verified copy of
 * the chain, that the block's own validation flags mark VALID too.
 */
import { validationCodeName } from '../fabric/transactions';
import { VALID, type TransactionInChain } from './chain';

export interface AuditRecordRef {
  readonly id: string;
  readonly txId: string;
  readonly type: string;
}

export interface AuditPageRef {
  readonly records: readonly AuditRecordRef[];
  readonly bookmark: string;
}

/** Where the audit records and the peer's view of their transactions come from (the caller's identity decides visibility). */
export interface AuditTrailSource {
  /** One page of the audit records visible to the caller in [from, to) (ISO instants), oldest first. */
  auditPage(from: string, to: string, bookmark: string): Promise<AuditPageRef>;
  /** The transaction's validation code as the peer recorded it, or why the peer does not know it. */
  validationCode(txId: string): Promise<number | { readonly unknown: string }>;
}

export interface AuditMismatch {
  readonly record: AuditRecordRef;
  readonly reason: string;
}

export interface AuditResult {
  readonly records: number;
  readonly transactions: number;
  /** Valid per the peer but committed after the verified copy's last block. */
  readonly newerThanCopy: number;
  readonly mismatches: readonly AuditMismatch[];
}

const DAY = 86_400_000;
/** QueryAudit accepts windows of at most 92 days. */
const WINDOW = 92 * DAY;
/** Transactions looked up at once: enough to hide the round trips, few enough not to crowd the peer. */
const LOOKUPS_IN_FLIGHT = 16;

/** Runs `work` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next] as T;
      next += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Every audit record visible to the source's caller from `since` (UTC day start) up to `until`. */
async function auditRecordsBetween(source: AuditTrailSource, since: Date, until: Date): Promise<AuditRecordRef[]> {
  const records: AuditRecordRef[] = [];
  const end = until.getTime();
  for (let from = Math.floor(since.getTime() / DAY) * DAY; from < end; from += WINDOW) {
    const to = new Date(Math.min(from + WINDOW, end)).toISOString();
    let bookmark = '';
    do {
      const page = await source.auditPage(new Date(from).toISOString(), to, bookmark);
      records.push(...page.records);
      bookmark = page.bookmark;
    } while (bookmark !== '');
  }
  return records;
}

export async function verifyAuditTrail(
  source: AuditTrailSource,
  since: Date,
  until: Date,
  chain: ReadonlyMap<string, TransactionInChain>,
): Promise<AuditResult> {
  const records = await auditRecordsBetween(source, since, until);
  const txIds = [...new Set(records.map((record) => record.txId))];
  const codes = new Map<string, number | { readonly unknown: string }>();
  await forEachLimited(txIds, LOOKUPS_IN_FLIGHT, async (txId) => {
    codes.set(txId, await source.validationCode(txId));
  });
  const mismatches: AuditMismatch[] = [];
  let newerThanCopy = 0;
  for (const record of records) {
    const code = codes.get(record.txId) ?? { unknown: 'no answer' };
    const inChain = chain.get(record.txId);
    if (typeof code !== 'number') {
      mismatches.push({ record, reason: `the peer knows no transaction ${record.txId} (${code.unknown})` });
    } else if (code !== VALID) {
      mismatches.push({ record, reason: `transaction ${record.txId} has validation code ${code} (${validationCodeName(code)}), not VALID` });
    } else if (inChain === undefined) {
      newerThanCopy += 1;
    } else if (inChain.validationCode !== VALID) {
      mismatches.push({ record, reason: `transaction ${record.txId} is flagged ${inChain.validationCode} in block ${inChain.block} of the verified chain` });
    }
  }
  return { records: records.length, transactions: txIds.length, newerThanCopy, mismatches };
}
