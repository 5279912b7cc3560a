import { StatusCode } from '@hyperledger/fabric-gateway';

import { CommitFailedError } from './errors';
import type { EvaluateOptions, SubmitOptions, SubmitResult } from './ledgerClient';
import { DEFAULT_RETRY_POLICY, realRetryEnvironment, retryOnMvccConflict, type RetryEnvironment, type RetryPolicy } from './retry';
import { translateFabricError, type FabricStage } from './translateError';

/*
 * The slice of fabric-gateway's Contract → Proposal → Transaction → SubmittedTransaction chain that we use,
 * declared structurally so the flow can be unit-tested without a network. fabric-gateway's Contract satisfies it.
 */
export interface CommitStatusLike {
  readonly successful: boolean;
  readonly code: number;
  readonly blockNumber: bigint;
}
/** A gRPC deadline (ms since the epoch) for one call. */
export interface CallDeadline {
  readonly deadline: number;
}
export interface SubmittedLike {
  getResult(): Uint8Array;
  getStatus(options?: CallDeadline): Promise<CommitStatusLike>;
}
export interface TransactionLike {
  submit(options?: CallDeadline): Promise<SubmittedLike>;
}
/** An endorsed transaction not yet signed: fabric-gateway signs lazily, or we sign it to keep it (DurableSubmission). */
export interface EndorsedLike extends TransactionLike {
  getTransactionId(): string;
  getBytes(): Uint8Array;
  getDigest(): Uint8Array;
  getResult(): Uint8Array;
}
export interface ProposalLike {
  getTransactionId(): string;
  endorse(options?: CallDeadline): Promise<EndorsedLike>;
  evaluate(options?: CallDeadline): Promise<Uint8Array>;
}
export interface ProposalFactory {
  newProposal(
    transactionName: string,
    options: { arguments: string[]; transientData?: Record<string, Uint8Array>; endorsingOrganizations?: string[] },
  ): ProposalLike;
}

/** Where a transaction is on the ledger, as the peer's ledger (qscc) reports it. */
export interface LedgerLookup {
  readonly validationCode: number;
  readonly blockNumber: bigint;
}

/**
 * What an idempotent request's submit needs beyond the plain flow: the transaction an earlier attempt sent (if any),
 * a way to sign and persist a new one before it is ordered, to rebuild a persisted one, and to look one up.
 */
export interface DurableSubmission {
  /** The transaction an earlier attempt of this request sent at this step. */
  readonly recorded: { readonly txId: string; readonly txName: string; readonly transaction: Uint8Array } | undefined;
  /** Signs the endorsed transaction, persists the signed bytes, and answers the signed transaction to submit. */
  persist(endorsed: EndorsedLike, txName: string): Promise<TransactionLike>;
  /** The persisted signed transaction, ready to be submitted again (same txId, same signature). */
  recreate(transaction: Uint8Array): TransactionLike & { getResult(): Uint8Array };
  /** The transaction's validation code and block, or undefined when the peer's ledger does not hold it. */
  lookup(txId: string, deadline: number): Promise<LedgerLookup | undefined>;
}

/** How long a submit (endorse, order, commit, MVCC retries included) or an evaluate may take before it answers 504. */
export interface LedgerDeadlines {
  readonly submitMs: number;
  readonly evaluateMs: number;
}

export const DEFAULT_LEDGER_DEADLINES: LedgerDeadlines = { submitMs: 8_000, evaluateMs: 3_000 };

const VALIDATION_CODE_NAMES = new Map<number, string>(
  Object.entries(StatusCode).map(([name, code]) => [code as number, name]),
);

/** Fabric's TxValidationCode name for a commit status code, e.g. 11 → MVCC_READ_CONFLICT. */
export function validationCodeName(code: number): string {
  return VALIDATION_CODE_NAMES.get(code) ?? `UNKNOWN_VALIDATION_CODE_${code}`;
}

async function atStage<T>(stage: FabricStage, txId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw translateFabricError(err, stage, txId);
  }
}

/** Options of one submit: the private-data flow's, its deadline, and the journal of an idempotent request. */
export interface SubmitFlowOptions extends SubmitOptions {
  /** The whole submit (every attempt) must answer within this many ms; default DEFAULT_LEDGER_DEADLINES.submitMs. */
  readonly timeoutMs?: number;
  readonly durable?: DurableSubmission;
}

const VALID_CODE = StatusCode.VALID as number;
const DUPLICATE_TXID_CODE = StatusCode.DUPLICATE_TXID as number;
const MVCC_READ_CONFLICT_CODE = StatusCode.MVCC_READ_CONFLICT as number;

async function lookupAt(durable: DurableSubmission, txId: string, deadline: number): Promise<LedgerLookup | undefined> {
  return await atStage('evaluate', txId, () => durable.lookup(txId, deadline));
}

/**
 * Settles the transaction an earlier attempt of this request sent: its result when it is VALID on the ledger,
 * undefined when it certainly took no effect (committed invalid), so that the caller submits a new one.
 * A transaction the peer's ledger does not hold is submitted again as the very same signed bytes: if the
 * first copy is still on its way, Fabric commits only one of them (the other is DUPLICATE_TXID).
 */
async function resume(durable: DurableSubmission, txName: string, deadline: number): Promise<SubmitResult | undefined> {
  const recorded = durable.recorded;
  if (recorded === undefined) return undefined;
  if (recorded.txName !== txName) {
    throw new Error(`the retried request submits ${txName} where its first attempt submitted ${recorded.txName} (${recorded.txId})`);
  }
  const { txId } = recorded;
  const transaction = durable.recreate(recorded.transaction);
  const resultOf = (blockNumber: bigint): SubmitResult => ({ result: Buffer.from(transaction.getResult()), txId, blockNumber });

  const found = await lookupAt(durable, txId, deadline);
  if (found !== undefined) {
    return found.validationCode === VALID_CODE ? resultOf(found.blockNumber) : undefined;
  }
  const submitted = await atStage('submit', txId, () => transaction.submit({ deadline }));
  const status = await atStage('commitStatus', txId, () => submitted.getStatus({ deadline }));
  if (status.successful) return resultOf(status.blockNumber);
  if (status.code === DUPLICATE_TXID_CODE) {
    // The first copy was committed meanwhile: its own status decides.
    const first = await lookupAt(durable, txId, deadline);
    return first?.validationCode === VALID_CODE ? resultOf(first.blockNumber) : undefined;
  }
  if (status.code === MVCC_READ_CONFLICT_CODE) return undefined;
  const codeName = validationCodeName(status.code);
  throw new CommitFailedError(codeName, `Transaction ${txId} was committed as ${codeName}`, { txId });
}

/**
 * Endorse → submit → wait for commit; resolves only once the transaction is VALID. Retries MVCC conflicts only.
 * With `options.durable` (an idempotent request) the transaction an earlier attempt sent is settled first, and a
 * new transaction is signed and persisted before it is ordered.
 */
export async function submitTransaction(
  contract: ProposalFactory,
  txName: string,
  args: readonly string[],
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  env: RetryEnvironment = realRetryEnvironment,
  options: SubmitFlowOptions = {},
): Promise<SubmitResult> {
  const deadline = Date.now() + (options.timeoutMs ?? DEFAULT_LEDGER_DEADLINES.submitMs);
  const { durable } = options;
  if (durable !== undefined) {
    const resumed = await resume(durable, txName, deadline);
    if (resumed !== undefined) return resumed;
  }
  const proposalOptions = {
    arguments: [...args],
    ...(options.transient === undefined ? {} : { transientData: { ...options.transient } }),
    ...(options.endorsingOrganizations === undefined ? {} : { endorsingOrganizations: [...options.endorsingOrganizations] }),
  };
  return await retryOnMvccConflict(
    async () => {
      // A new proposal (and txId) on every attempt: an invalidated transaction cannot be resubmitted.
      const proposal = contract.newProposal(txName, proposalOptions);
      const txId = proposal.getTransactionId();
      const endorsed = await atStage('endorse', txId, () => proposal.endorse({ deadline }));
      const transaction = durable === undefined ? endorsed : await durable.persist(endorsed, txName);
      const submitted = await atStage('submit', txId, () => transaction.submit({ deadline }));
      const status = await atStage('commitStatus', txId, () => submitted.getStatus({ deadline }));
      if (!status.successful) {
        const codeName = validationCodeName(status.code);
        throw new CommitFailedError(codeName, `Transaction ${txId} was committed as ${codeName}`, { txId });
      }
      return { result: Buffer.from(submitted.getResult()), txId, blockNumber: status.blockNumber };
    },
    policy,
    env,
  );
}

export async function evaluateTransaction(
  contract: ProposalFactory,
  txName: string,
  args: readonly string[],
  options: EvaluateOptions = {},
  timeoutMs: number = DEFAULT_LEDGER_DEADLINES.evaluateMs,
): Promise<Buffer> {
  const proposal = contract.newProposal(txName, {
    arguments: [...args],
    ...(options.endorsingOrganizations === undefined ? {} : { endorsingOrganizations: [...options.endorsingOrganizations] }),
  });
  const deadline = Date.now() + timeoutMs;
  const result = await atStage('evaluate', proposal.getTransactionId(), () => proposal.evaluate({ deadline }));
  return Buffer.from(result);
}
