import type { X509Certificate } from 'node:crypto';

import * as grpc from '@grpc/grpc-js';
import { connect, hash, type Gateway, type Network } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';

import type { AuthenticatedUser } from '../identity/user';
import type { ChaincodeEventSource, LedgerEventStream } from './chaincodeEvents';
import type { SigningCredentials } from './credentials';
import { FabricUnavailableError, InvalidMessageError } from './errors';
import type { BlockStream, LedgerArchive } from './ledgerArchive';
import type { EvaluateOptions, LedgerClient, SubmitOptions, SubmitResult } from './ledgerClient';
import { applicationMspRoots, parseProcessedTransaction, type ChannelRecords, type RecordedTransaction } from './ledgerRecords';
import type { OfflineCommitStatus, OfflineIdentity, OfflineTransactions, Unsigned } from './offlineSigning';
import { DEFAULT_RETRY_POLICY, realRetryEnvironment, type RetryEnvironment, type RetryPolicy } from './retry';
import { takeJournalStep } from './submitJournal';
import {
  DEFAULT_LEDGER_DEADLINES,
  evaluateTransaction,
  submitTransaction,
  validationCodeName,
  type DurableSubmission,
  type LedgerDeadlines,
  type LedgerLookup,
} from './transactions';
import { translateFabricError, type FabricStage } from './translateError';

export interface FabricLedgerClientOptions {
  readonly peer: { readonly endpoint: string; readonly hostAlias: string; readonly tlsRootCert: Buffer };
  readonly channel: string;
  readonly chaincode: string;
  /** Signing credentials by user id: each request is signed by its caller's own identity. */
  readonly credentials: ReadonlyMap<string, SigningCredentials>;
  readonly readyTimeoutMs?: number;
  /** How long a submit and an evaluate may take before they answer 504 (default DEFAULT_LEDGER_DEADLINES). */
  readonly deadlines?: LedgerDeadlines;
  readonly retryPolicy?: RetryPolicy;
  readonly retryEnvironment?: RetryEnvironment;
  /** Called before each resubmission after an MVCC_READ_CONFLICT (for logs and metrics). */
  readonly onMvccRetry?: (txName: string, attempt: number, delayMs: number) => void;
}

/*
 * Per-call bounds of the offline-signing flow, where each step is its own HTTP request. The online flow
 * (submit, evaluate) passes its own overall deadline to every call instead (FabricLedgerClientOptions.deadlines).
 */
const EVALUATE_TIMEOUT_MS = 5_000;
const ENDORSE_TIMEOUT_MS = 15_000;
const SUBMIT_TIMEOUT_MS = 5_000;
const COMMIT_STATUS_TIMEOUT_MS = 60_000;
const DEFAULT_READY_TIMEOUT_MS = 2_000;
const RECONNECT_BACKOFF_INITIAL_MS = 250;
const RECONNECT_BACKOFF_MAX_MS = 2_000;

/** qscc answers an unknown transaction id with an error, not an empty result. */
function isUnknownTransaction(err: unknown): boolean {
  return err instanceof Error && /no such transaction ID/i.test(`${err.message} ${JSON.stringify((err as { details?: unknown }).details ?? '')}`);
}

const deadlineIn = (ms: number) => () => ({ deadline: Date.now() + ms });

/** Deserialises a message an app sent back; anything that does not parse is the app's error, not Fabric's. */
function parseMessage<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new InvalidMessageError(`the ${what} bytes are not a ${what} prepared by this gateway`, { cause: err });
  }
}

/** The production LedgerClient: one gRPC connection to the org's peer, one fabric-gateway Gateway per user. */
export class FabricLedgerClient implements LedgerClient, ChaincodeEventSource, OfflineTransactions, LedgerArchive, ChannelRecords {
  readonly #client: grpc.Client;
  readonly #gateways = new Map<string, Gateway>();
  readonly #options: FabricLedgerClientOptions;
  readonly #credentials: Map<string, SigningCredentials>;

  constructor(options: FabricLedgerClientOptions) {
    this.#options = options;
    this.#credentials = new Map(options.credentials);
    this.#client = new grpc.Client(options.peer.endpoint, grpc.credentials.createSsl(options.peer.tlsRootCert), {
      'grpc.ssl_target_name_override': options.peer.hostAlias,
      // grpc-js keeps channelz statistics (call counters, trace events) on every call by default; nothing here
      // serves the channelz service that would read them.
      'grpc.enable_channelz': 0,
      // After the peer restarts, reconnect within a quarter second to two seconds: grpc-js's default backoff
      // (1 s growing 1.6x to 120 s) left the gateway answering 503 for up to ~10 s after its peer was back.
      'grpc.initial_reconnect_backoff_ms': RECONNECT_BACKOFF_INITIAL_MS,
      'grpc.max_reconnect_backoff_ms': RECONNECT_BACKOFF_MAX_MS,
    });
  }

  async submit(user: AuthenticatedUser, txName: string, args: readonly string[], options?: SubmitOptions): Promise<SubmitResult> {
    const environment = this.#options.retryEnvironment ?? realRetryEnvironment;
    const { onMvccRetry } = this.#options;
    const durable = this.#durableSubmission(user);
    return await submitTransaction(
      this.#networkFor(user).getContract(this.#options.chaincode),
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
        timeoutMs: this.#deadlines.submitMs,
        ...(durable === undefined ? {} : { durable }),
      },
    );
  }

  get #deadlines(): LedgerDeadlines {
    return this.#options.deadlines ?? DEFAULT_LEDGER_DEADLINES;
  }

  /**
   * Inside an idempotent request (a SubmitJournal is in scope), the submit keeps its signed transaction in the
   * request's journal before ordering it, and settles the one an earlier attempt sent before making a new one.
   */
  #durableSubmission(user: AuthenticatedUser): DurableSubmission | undefined {
    const scope = takeJournalStep();
    if (scope === undefined) return undefined;
    const { journal, step } = scope;
    const credentials = this.#credentialsOf(user);
    const gateway = this.#gatewayFor(user);
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
    const qscc = this.#networkFor(user).getContract('qscc');
    const query = async (txName: string): Promise<Uint8Array | undefined> => {
      try {
        return await qscc.newProposal(txName, { arguments: [this.#options.channel, txId] }).evaluate({ deadline });
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

  async evaluate(user: AuthenticatedUser, txName: string, args: readonly string[], options?: EvaluateOptions): Promise<Buffer> {
    const contract = this.#networkFor(user).getContract(this.#options.chaincode);
    return await evaluateTransaction(contract, txName, args, options, this.#deadlines.evaluateMs);
  }

  async chaincodeEvents(user: AuthenticatedUser, startBlock?: bigint): Promise<LedgerEventStream> {
    let events: Awaited<ReturnType<Network['getChaincodeEvents']>>;
    try {
      events = await this.#networkFor(user).getChaincodeEvents(
        this.#options.chaincode,
        startBlock === undefined ? {} : { startBlock },
      );
    } catch (err) {
      throw new FabricUnavailableError('Cannot open the chaincode event stream', { cause: err });
    }
    return {
      close: () => {
        events.close();
      },
      async *[Symbol.asyncIterator]() {
        for await (const event of events) {
          yield {
            eventName: event.eventName,
            txId: event.transactionId,
            blockNumber: event.blockNumber,
            payload: event.payload,
          };
        }
      },
    };
  }

  async chainHeight(user: AuthenticatedUser): Promise<bigint> {
    let info: Uint8Array;
    try {
      info = await this.#evaluateSystem(user, 'GetChainInfo', [this.#options.channel]);
    } catch (err) {
      throw translateFabricError(err, 'evaluate');
    }
    return BigInt(common.BlockchainInfo.deserializeBinary(info).getHeight());
  }

  async blocks(user: AuthenticatedUser, count: bigint): Promise<BlockStream> {
    let events: Awaited<ReturnType<Network['getBlockEvents']>>;
    try {
      events = await this.#networkFor(user).getBlockEvents({ startBlock: 0n });
    } catch (err) {
      throw new FabricUnavailableError('Cannot open the block stream', { cause: err });
    }
    return {
      close: () => {
        events.close();
      },
      async *[Symbol.asyncIterator]() {
        if (count <= 0n) return;
        try {
          for await (const block of events) {
            yield block;
            if (BigInt(block.getHeader()?.getNumber() ?? 0) >= count - 1n) return;
          }
        } finally {
          events.close();
        }
      },
    };
  }

  async validationCode(user: AuthenticatedUser, txId: string): Promise<number | undefined> {
    try {
      const processed = await this.#evaluateSystem(user, 'GetTransactionByID', [this.#options.channel, txId]);
      return peer.ProcessedTransaction.deserializeBinary(processed).getValidationcode();
    } catch (err) {
      if (isUnknownTransaction(err)) return undefined;
      throw translateFabricError(err, 'evaluate', txId);
    }
  }

  /** The application organisations' CAs in the channel configuration in force (cscc GetChannelConfig on our peer). */
  async channelMspRoots(user: AuthenticatedUser): Promise<Map<string, X509Certificate[]>> {
    try {
      const config = await this.#networkFor(user).getContract('cscc').evaluateTransaction('GetChannelConfig', this.#options.channel);
      return applicationMspRoots(config);
    } catch (err) {
      throw translateFabricError(err, 'evaluate');
    }
  }

  /** The transaction `txId` as our peer's ledger has it (signer, validation code, chaincode result, block), or undefined. */
  async recordedTransaction(user: AuthenticatedUser, txId: string): Promise<(RecordedTransaction & { readonly blockNumber: bigint }) | undefined> {
    let processed: Uint8Array;
    let block: Uint8Array;
    try {
      processed = await this.#evaluateSystem(user, 'GetTransactionByID', [this.#options.channel, txId]);
      block = await this.#evaluateSystem(user, 'GetBlockByTxID', [this.#options.channel, txId]);
    } catch (err) {
      if (isUnknownTransaction(err)) return undefined;
      throw translateFabricError(err, 'evaluate', txId);
    }
    const header = common.Block.deserializeBinary(block).getHeader();
    return { ...parseProcessedTransaction(processed), blockNumber: BigInt(header?.getNumber() ?? 0) };
  }

  /** Evaluates a query of the peer's ledger query system chaincode (qscc) with `user`'s identity; errors untranslated. */
  async #evaluateSystem(user: AuthenticatedUser, txName: string, args: readonly string[]): Promise<Uint8Array> {
    return await this.#networkFor(user).getContract('qscc').evaluateTransaction(txName, ...args);
  }

  prepare(identity: OfflineIdentity, txName: string, args: readonly string[]): Unsigned {
    const gateway = this.#offlineGateway(identity);
    try {
      const proposal = gateway.getNetwork(this.#options.channel).getContract(this.#options.chaincode).newProposal(txName, { arguments: [...args] });
      return { txId: proposal.getTransactionId(), bytes: proposal.getBytes(), digest: proposal.getDigest() };
    } finally {
      gateway.close();
    }
  }

  async endorseSigned(identity: OfflineIdentity, proposalBytes: Uint8Array, signature: Uint8Array): Promise<Unsigned & { readonly result: Uint8Array }> {
    return await this.#withOfflineGateway(identity, 'endorse', async (gateway) => {
      const proposal = parseMessage('proposal', () => gateway.newSignedProposal(proposalBytes, signature));
      const transaction = await proposal.endorse();
      return {
        txId: transaction.getTransactionId(),
        bytes: transaction.getBytes(),
        digest: transaction.getDigest(),
        result: transaction.getResult(),
      };
    });
  }

  async submitSigned(identity: OfflineIdentity, transactionBytes: Uint8Array, signature: Uint8Array): Promise<Unsigned> {
    return await this.#withOfflineGateway(identity, 'submit', async (gateway) => {
      const commit = await parseMessage('transaction', () => gateway.newSignedTransaction(transactionBytes, signature)).submit();
      return { txId: commit.getTransactionId(), bytes: commit.getBytes(), digest: commit.getDigest() };
    });
  }

  async commitStatusSigned(identity: OfflineIdentity, commitBytes: Uint8Array, signature: Uint8Array): Promise<OfflineCommitStatus> {
    return await this.#withOfflineGateway(identity, 'commitStatus', async (gateway) => {
      const commit = parseMessage('commit', () => gateway.newSignedCommit(commitBytes, signature));
      const status = await commit.getStatus();
      return {
        txId: commit.getTransactionId(),
        blockNumber: status.blockNumber,
        successful: status.successful,
        validationCode: validationCodeName(status.code),
      };
    });
  }

  /** A gateway without a signer for the app's identity: only pre-signed messages go through it. */
  #offlineGateway(identity: OfflineIdentity): Gateway {
    return connect({
      client: this.#client,
      identity: { mspId: identity.mspId, credentials: identity.certificate },
      hash: hash.sha256,
      evaluateOptions: deadlineIn(EVALUATE_TIMEOUT_MS),
      endorseOptions: deadlineIn(ENDORSE_TIMEOUT_MS),
      submitOptions: deadlineIn(SUBMIT_TIMEOUT_MS),
      commitStatusOptions: deadlineIn(COMMIT_STATUS_TIMEOUT_MS),
    });
  }

  async #withOfflineGateway<T>(identity: OfflineIdentity, stage: FabricStage, call: (gateway: Gateway) => Promise<T>): Promise<T> {
    const gateway = this.#offlineGateway(identity);
    try {
      return await call(gateway);
    } catch (err) {
      throw err instanceof InvalidMessageError ? err : translateFabricError(err, stage);
    } finally {
      gateway.close();
    }
  }

  checkReady(): Promise<void> {
    const timeoutMs = this.#options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      this.#client.waitForReady(Date.now() + timeoutMs, (err) => {
        if (err) {
          reject(new FabricUnavailableError(`Peer ${this.#options.peer.endpoint} not reachable: ${err.message}`));
        } else {
          resolve();
        }
      });
    });
  }

  /** Signs the requests of a user enrolled at run time (POST /admin/users) with its own identity. */
  addCredentials(userId: string, credentials: SigningCredentials): void {
    if (this.#credentials.has(userId)) throw new Error(`user ${userId} already has signing credentials`);
    this.#credentials.set(userId, credentials);
  }

  close(): void {
    for (const gateway of this.#gateways.values()) {
      gateway.close();
    }
    this.#gateways.clear();
    this.#client.close();
  }

  #credentialsOf(user: AuthenticatedUser): SigningCredentials {
    const credentials = this.#credentials.get(user.id);
    if (credentials === undefined) {
      throw new Error(`No Fabric signing credentials configured for user ${user.id}`);
    }
    return credentials;
  }

  #gatewayFor(user: AuthenticatedUser): Gateway {
    let gateway = this.#gateways.get(user.id);
    if (gateway === undefined) {
      const credentials = this.#credentialsOf(user);
      gateway = connect({
        client: this.#client,
        identity: credentials.identity,
        signer: credentials.signer,
        hash: credentials.hash,
        evaluateOptions: deadlineIn(this.#deadlines.evaluateMs),
        endorseOptions: deadlineIn(this.#deadlines.submitMs),
        submitOptions: deadlineIn(this.#deadlines.submitMs),
        commitStatusOptions: deadlineIn(this.#deadlines.submitMs),
      });
      this.#gateways.set(user.id, gateway);
    }
    return gateway;
  }

  #networkFor(user: AuthenticatedUser): Network {
    return this.#gatewayFor(user).getNetwork(this.#options.channel);
  }
}
