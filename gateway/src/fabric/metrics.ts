import { performance } from 'node:perf_hooks';

import { Counter, Histogram, type Registry } from 'prom-client';

import type { ChaincodeEventSource } from './chaincodeEvents';
import { GovshareChaincodeError } from './errors';
import type { LedgerArchive } from './ledgerArchive';
import type { LedgerClient } from './ledgerClient';
import type { ChannelRecords } from './ledgerRecords';
import type { OfflineTransactions } from './offlineSigning';

/**
 * Which adapter a call went through: the transactions adapter's submit and evaluate, the events adapter (opening a
 * stream), the block archive (deliver, qscc, cscc) and the offline-signing relay.
 */
export type LedgerCallKind = 'submit' | 'evaluate' | 'events' | 'archive' | 'offline';
/** ok; rejected by the chaincode with a govshare code; or failed in Fabric (endorsement, ordering, commit, timeout). */
export type LedgerCallOutcome = 'ok' | 'rejected' | 'failed';

export interface FabricMetrics {
  observeCall(transaction: string, kind: LedgerCallKind, outcome: LedgerCallOutcome, seconds: number): void;
  countMvccRetry(transaction: string): void;
}

/** Fabric call latency per transaction and kind, and MVCC retries, in the app's registry (served at /metrics). */
export function createFabricMetrics(registry: Registry): FabricMetrics {
  const calls = new Histogram({
    name: 'govshare_fabric_call_duration_seconds',
    help: 'Fabric call duration in seconds, by adapter kind and transaction or operation (a submit includes endorsement, ordering, commit and MVCC retries; an events or blocks call, opening its stream)',
    labelNames: ['transaction', 'kind', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60],
    registers: [registry],
  });
  const mvccRetries = new Counter({
    name: 'govshare_fabric_mvcc_retries_total',
    help: 'Transactions resubmitted after an MVCC_READ_CONFLICT, by transaction',
    labelNames: ['transaction'] as const,
    registers: [registry],
  });
  return {
    observeCall(transaction, kind, outcome, seconds) {
      calls.observe({ transaction, kind, outcome }, seconds);
    },
    countMvccRetry(transaction) {
      mvccRetries.inc({ transaction });
    },
  };
}

function outcomeOf(err: unknown): LedgerCallOutcome {
  return err instanceof GovshareChaincodeError ? 'rejected' : 'failed';
}

function timedSync<T>(metrics: FabricMetrics, transaction: string, kind: LedgerCallKind, call: () => T): T {
  const start = performance.now();
  try {
    const result = call();
    metrics.observeCall(transaction, kind, 'ok', (performance.now() - start) / 1000);
    return result;
  } catch (err) {
    metrics.observeCall(transaction, kind, outcomeOf(err), (performance.now() - start) / 1000);
    throw err;
  }
}

async function timed<T>(
  metrics: FabricMetrics,
  transaction: string,
  kind: LedgerCallKind,
  call: () => Promise<T>,
): Promise<T> {
  const start = performance.now();
  try {
    const result = await call();
    metrics.observeCall(transaction, kind, 'ok', (performance.now() - start) / 1000);
    return result;
  } catch (err) {
    metrics.observeCall(transaction, kind, outcomeOf(err), (performance.now() - start) / 1000);
    throw err;
  }
}

/*
 * Each adapter over Fabric is instrumented the same way: a wrapper that times every call into one histogram,
 * labelled by kind and by transaction (chaincode calls) or operation (the others), and otherwise passes through.
 */

/** Wraps any LedgerClient so that every submit and evaluate is timed; the wrapped client is otherwise untouched. */
export function instrumentLedger(ledger: LedgerClient, metrics: FabricMetrics): LedgerClient {
  return {
    submit: (user, txName, args, options) => timed(metrics, txName, 'submit', () => ledger.submit(user, txName, args, options)),
    evaluate: (user, txName, args, options) => timed(metrics, txName, 'evaluate', () => ledger.evaluate(user, txName, args, options)),
    checkReady: () => ledger.checkReady(),
    close: () => {
      ledger.close();
    },
  };
}

/** Times the opening of every chaincode event stream (the events themselves flow untimed). */
export function instrumentEvents(source: ChaincodeEventSource, metrics: FabricMetrics): ChaincodeEventSource {
  return {
    chaincodeEvents: (user, startBlock) => timed(metrics, 'chaincodeEvents', 'events', () => source.chaincodeEvents(user, startBlock)),
  };
}

/** Times every block-archive call: chain height, opening a block stream, validation codes, channel records. */
export function instrumentArchive(archive: LedgerArchive & ChannelRecords, metrics: FabricMetrics): LedgerArchive & ChannelRecords {
  return {
    chainHeight: (user) => timed(metrics, 'chainHeight', 'archive', () => archive.chainHeight(user)),
    blocks: (user, count) => timed(metrics, 'blocks', 'archive', () => archive.blocks(user, count)),
    validationCode: (user, txId) => timed(metrics, 'validationCode', 'archive', () => archive.validationCode(user, txId)),
    channelMspRoots: (user) => timed(metrics, 'channelMspRoots', 'archive', () => archive.channelMspRoots(user)),
    recordedTransaction: (user, txId) => timed(metrics, 'recordedTransaction', 'archive', () => archive.recordedTransaction(user, txId)),
  };
}

/** Times every step of the offline-signing relay; a prepared proposal is labelled with its transaction. */
export function instrumentOffline(offline: OfflineTransactions, metrics: FabricMetrics): OfflineTransactions {
  return {
    prepare: (identity, txName, args) => timedSync(metrics, txName, 'offline', () => offline.prepare(identity, txName, args)),
    endorseSigned: (identity, proposal, signature) =>
      timed(metrics, 'endorseSigned', 'offline', () => offline.endorseSigned(identity, proposal, signature)),
    submitSigned: (identity, transaction, signature) =>
      timed(metrics, 'submitSigned', 'offline', () => offline.submitSigned(identity, transaction, signature)),
    commitStatusSigned: (identity, commit, signature) =>
      timed(metrics, 'commitStatusSigned', 'offline', () => offline.commitStatusSigned(identity, commit, signature)),
  };
}
