import { performance } from 'node:perf_hooks';

import { Counter, Histogram, type Registry } from 'prom-client';

import { GovshareChaincodeError } from './errors';
import type { LedgerClient } from './ledgerClient';

export type LedgerCallKind = 'submit' | 'evaluate';
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
    help: 'Ledger call duration in seconds (a submit includes endorsement, ordering, commit and MVCC retries)',
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
