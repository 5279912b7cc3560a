/**
 * The audit trail against the ledger: every audit record in world state must name a transaction that
 * the peer reports VALID (qscc GetTransactionByID) and, when the transaction is in the verified copy of
 * the chain, that the block's own validation flags mark VALID too.
 */
import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { VALID, type TransactionInChain } from './verify';

export interface AuditClientOptions {
  readonly peerEndpoint: string;
  readonly tlsRootCertFile: string;
  readonly mspId: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly channel: string;
  readonly chaincode: string;
}

export interface AuditRecordRef {
  readonly id: string;
  readonly txId: string;
  readonly type: string;
}

export interface AuditMismatch {
  readonly record: AuditRecordRef;
  readonly reason: string;
}

export interface AuditResult {
  readonly records: number;
  readonly transactions: number;
  /** Valid per qscc but committed after the verified copy's last block. */
  readonly newerThanCopy: number;
  readonly mismatches: readonly AuditMismatch[];
}

const DAY = 86_400_000;
/** QueryAudit accepts windows of at most 92 days. */
const WINDOW = 92 * DAY;

interface AuditPage {
  readonly records: readonly AuditRecordRef[];
  readonly bookmark: string;
}

function isAuditPage(value: unknown): value is AuditPage {
  return typeof value === 'object' && value !== null && Array.isArray((value as { records?: unknown }).records) &&
    typeof (value as { bookmark?: unknown }).bookmark === 'string';
}

function openGateway(options: AuditClientOptions): { gateway: Gateway; close: () => void } {
  const client = new grpc.Client(options.peerEndpoint, grpc.credentials.createSsl(readFileSync(options.tlsRootCertFile)), {
    'grpc.ssl_target_name_override': 'localhost',
  });
  const gateway = connect({
    client,
    identity: { mspId: options.mspId, credentials: readFileSync(options.certFile) },
    signer: signers.newPrivateKeySigner(createPrivateKey(readFileSync(options.keyFile))),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 30_000 }),
  });
  return { gateway, close: () => { gateway.close(); client.close(); } };
}

function codeName(code: number): string {
  return Object.entries(peer.TxValidationCode).find(([, value]) => value === code)?.[0] ?? 'unknown';
}

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

export async function verifyAuditTrail(
  options: AuditClientOptions,
  since: Date,
  chain: ReadonlyMap<string, TransactionInChain>,
): Promise<AuditResult> {
  const { gateway, close } = openGateway(options);
  try {
    const network = gateway.getNetwork(options.channel);
    const contract = network.getContract(options.chaincode);
    const records: AuditRecordRef[] = [];
    const end = Date.now() + DAY;
    for (let from = Math.floor(since.getTime() / DAY) * DAY; from < end; from += WINDOW) {
      let bookmark = '';
      do {
        const query = { from: new Date(from).toISOString(), to: new Date(Math.min(from + WINDOW, end)).toISOString(), pageSize: 100, bookmark };
        const page: unknown = JSON.parse(Buffer.from(await contract.evaluateTransaction('QueryAudit', JSON.stringify(query))).toString('utf8'));
        if (!isAuditPage(page)) throw new Error('QueryAudit returned an unexpected answer');
        records.push(...page.records);
        bookmark = page.bookmark;
      } while (bookmark !== '');
    }
    const qscc = network.getContract('qscc');
    const mismatches: AuditMismatch[] = [];
    const txIds = [...new Set(records.map((record) => record.txId))];
    const codes = new Map<string, number | string>();
    await forEachLimited(txIds, 16, async (txId) => {
      try {
        const answer = await qscc.evaluateTransaction('GetTransactionByID', options.channel, txId);
        codes.set(txId, peer.ProcessedTransaction.deserializeBinary(answer).getValidationcode());
      } catch (error) {
        codes.set(txId, error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error));
      }
    });
    let newerThanCopy = 0;
    for (const record of records) {
      const code = codes.get(record.txId);
      const inChain = chain.get(record.txId);
      if (typeof code !== 'number') {
        mismatches.push({ record, reason: `the peer knows no transaction ${record.txId} (${code ?? 'no answer'})` });
      } else if (code !== VALID) {
        mismatches.push({ record, reason: `transaction ${record.txId} has validation code ${code} (${codeName(code)}), not VALID` });
      } else if (inChain === undefined) {
        newerThanCopy += 1;
      } else if (inChain.validationCode !== VALID) {
        mismatches.push({ record, reason: `transaction ${record.txId} is flagged ${inChain.validationCode} in block ${inChain.block} of the verified chain` });
      }
    }
    return { records: records.length, transactions: txIds.length, newerThanCopy, mismatches };
  } finally {
    close();
  }
}
