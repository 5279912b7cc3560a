import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * A signed transaction as it was handed to the orderers, kept so that a retry of the same request can look it up
 * on the ledger and, if it is not there, resubmit the very same bytes (the same txId: Fabric commits a txId at most
 * once, a second copy is invalidated as DUPLICATE_TXID). The bytes are fabric-gateway's PreparedTransaction: the
 * signed envelope that goes on the ledger anyway (transient data is never part of it) and nothing secret.
 */
export interface JournaledTransaction {
  /** The request's n-th submit (0-based): a request may submit several transactions in sequence. */
  readonly step: number;
  readonly txId: string;
  readonly txName: string;
  readonly transaction: Uint8Array;
}

/** Where an idempotent request keeps its transactions (the durable idempotency store behind it). */
export interface SubmitJournal {
  /** What an earlier attempt of this request submitted as its `step`-th transaction, if anything. */
  recorded(step: number): JournaledTransaction | undefined;
  /** Persists a signed transaction before it is sent to the orderers; a retry may then find it. */
  record(entry: JournaledTransaction): Promise<void>;
}

interface JournalScope {
  readonly journal: SubmitJournal;
  nextStep: number;
}

/*
 * The journal travels with the request through AsyncLocalStorage rather than as a parameter: the services between
 * the HTTP route and the ledger client speak the domain and know nothing of retries, and a submit made anywhere
 * in the request's async flow (including a second submit of the same use case) finds its step.
 */
const scopes = new AsyncLocalStorage<JournalScope>();

/** Runs `work` with `journal` recording every ledger submit it makes, in order. */
export function withSubmitJournal<T>(journal: SubmitJournal, work: () => Promise<T>): Promise<T> {
  return scopes.run({ journal, nextStep: 0 }, work);
}

/** The journal of the current request and the step number of the submit being made now; undefined outside one. */
export function takeJournalStep(): { readonly journal: SubmitJournal; readonly step: number } | undefined {
  const scope = scopes.getStore();
  if (scope === undefined) return undefined;
  const step = scope.nextStep;
  scope.nextStep += 1;
  return { journal: scope.journal, step };
}
