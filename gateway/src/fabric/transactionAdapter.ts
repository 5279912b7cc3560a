import { common, peer } from '@hyperledger/fabric-protos';

import type { AuthenticatedUser } from '../identity/user';
import type { FabricConnection } from './connection';
import type { EvaluateOptions, LedgerClient, SubmitOptions, SubmitResult } from './ledgerClient';
import { isUnknownTransaction } from './qscc';
import { DEFAULT_RETRY_POLICY, realRetryEnvironment, type RetryEnvironment, type RetryPolicy } from './retry';
import { takeJournalStep } from './submitJournal';
import { evaluateTransaction, submitTransaction, type DurableSubmission, type LedgerLookup } from './transactions';

export interface FabricTransactionsOptions {
  readonly retryPolicy?: RetryPolicy;
  readonly retryEnvironment?: RetryEnvironment;
  /** Called before each resubmission after an MVCC_READ_CONFLICT (for logs and metrics). */
  readonly onMvccRetry?: (txName: string, attempt: number, delayMs: number) => void;
}

/** The transactions adapter (LedgerClient): submits and evaluates the govshare chaincode as each caller. */
export class FabricTransactions implements LedgerClient {
  readonly #connection: FabricConnection;
  readonly #options: FabricTransactionsOptions;

  constructor(connection: FabricConnection, options: FabricTransactionsOptions = {}) {
    this.#connection = connection;
    this.#options = options;
  }

  async submit(user: AuthenticatedUser, txName: string, args: readonly string[], options?: SubmitOptions): Promise<SubmitResult> {
    const environment = this.#options.retryEnvironment ?? realRetryEnvironment;
    const { onMvccRetry } = this.#options;
    const durable = this.#durableSubmission(user);
    return await submitTransaction(
      this.#connection.contractFor(user),
      txName,
      args,
      this.#options.retryPolicy ?? DEFAULT_RETRY_POLICY,
      onMvccRetry === undefined
        ? environment
        : {
            ...environment,
            onRetry: (attempt, delayMs, err) => {
              environment.onRetry?.(attempt, delayMs, err);
              onMvccRetry(txName, attempt, delayMs);
            },
          },
      {
        ...options,
        timeoutMs: this.#connection.deadlines.submitMs,
        ...(durable === undefined ? {} : { durable }),
      },
    );
  }

  async evaluate(user: AuthenticatedUser, txName: string, args: readonly string[], options?: EvaluateOptions): Promise<Buffer> {
    return await evaluateTransaction(this.#connection.contractFor(user), txName, args, options, this.#connection.deadlines.evaluateMs);
  }

  checkReady(): Promise<void> {
    return this.#connection.checkReady();
  }

  /** Closes the shared connection, and with it every adapter over it. */
  close(): void {
    this.#connection.close();
  }

  /**
   * Inside an idempotent request (a SubmitJournal is in scope), the submit keeps its signed transaction in the
   * request's journal before ordering it, and settles the one an earlier attempt sent before making a new one.
   */
  #durableSubmission(user: AuthenticatedUser): DurableSubmission | undefined {
    const scope = takeJournalStep();
    if (scope === undefined) return undefined;
    const { journal, step } = scope;
    const credentials = this.#connection.credentialsOf(user);
    const gateway = this.#connection.gatewayFor(user);
    return {
      recorded: journal.recorded(step),
      persist: async (endorsed, txName) => {
        const signed = gateway.newSignedTransaction(endorsed.getBytes(), await credentials.signer(endorsed.getDigest()));
        await journal.record({ step, txId: signed.getTransactionId(), txName, transaction: signed.getBytes() });
        return signed;
      },
      recreate: (transaction) => gateway.newTransaction(transaction),
      lookup: (txId, deadline) => this.#lookup(user, txId, deadline),
    };
  }

  /** Where `txId` is on this peer's ledger (qscc), or undefined when the ledger does not hold it. */
  async #lookup(user: AuthenticatedUser, txId: string, deadline: number): Promise<LedgerLookup | undefined> {
    const qscc = this.#connection.contractFor(user, 'qscc');
    const query = async (txName: string): Promise<Uint8Array | undefined> => {
      try {
        return await qscc.newProposal(txName, { arguments: [this.#connection.channel, txId] }).evaluate({ deadline });
      } catch (err) {
        if (isUnknownTransaction(err)) return undefined;
        throw err;
      }
    };
    const processed = await query('GetTransactionByID');
    if (processed === undefined) return undefined;
    const block = await query('GetBlockByTxID');
    if (block === undefined) return undefined;
    return {
      validationCode: peer.ProcessedTransaction.deserializeBinary(processed).getValidationcode(),
      blockNumber: BigInt(common.Block.deserializeBinary(block).getHeader()?.getNumber() ?? 0),
    };
  }
}
