import type {
  CommitStatusLike,
  DurableSubmission,
  EndorsedLike,
  LedgerLookup,
  ProposalFactory,
  SubmittedLike,
  TransactionLike,
} from '../../src/fabric/transactions';

export const VALID = 0;
export const DUPLICATE_TXID = 9;
export const MVCC_READ_CONFLICT = 11;

interface Committed {
  readonly code: number;
  readonly blockNumber: bigint;
}

/**
 * A small fake of the Fabric flow behind ProposalFactory: proposals get txIds tx1, tx2, …; a submitted transaction
 * commits with the next code of `commitCodes` (VALID when none is left) in a new block, and a txId already on the
 * ledger commits again as DUPLICATE_TXID (as Fabric's validator does), so double commits are visible in `ledger`.
 * A "signed transaction" is its txId and result as bytes.
 */
export class FakeFabricFlow {
  readonly ledger = new Map<string, Committed>();
  readonly proposals: { txId: string; name: string; args: string[] }[] = [];
  /** Every txId handed to the orderers, in order (resubmissions included). */
  readonly ordered: string[] = [];
  readonly commitCodes: number[] = [];
  /** When set, a submitted transaction is ordered but its commit status never comes (the caller sees this error). */
  commitStatusFailure: Error | undefined;
  endorseError: Error | undefined;
  #height = 10n;

  readonly contract: ProposalFactory = {
    newProposal: (name, options) => {
      const txId = `tx${this.proposals.length + 1}`;
      this.proposals.push({ txId, name, args: options.arguments });
      return {
        getTransactionId: () => txId,
        evaluate: () => (this.endorseError === undefined ? Promise.resolve(Buffer.from('{"ok":true}')) : Promise.reject(this.endorseError)),
        endorse: () =>
          this.endorseError === undefined ? Promise.resolve(this.#endorsed(txId, `result-${txId}`)) : Promise.reject(this.endorseError),
      };
    },
  };

  /** A DurableSubmission over this fake whose journal is `journal` (the step's record, and what persist writes). */
  durable(journal: { recorded?: { txId: string; txName: string; transaction: Uint8Array } | undefined; persisted: Uint8Array[] }): DurableSubmission {
    return {
      recorded: journal.recorded,
      persist: (endorsed) => {
        journal.persisted.push(endorsed.getBytes());
        return Promise.resolve(endorsed);
      },
      recreate: (bytes) => {
        const { txId, result } = JSON.parse(Buffer.from(bytes).toString('utf8')) as { txId: string; result: string };
        return this.#endorsed(txId, result);
      },
      lookup: (txId): Promise<LedgerLookup | undefined> => {
        const committed = this.ledger.get(txId);
        return Promise.resolve(committed === undefined ? undefined : { validationCode: committed.code, blockNumber: committed.blockNumber });
      },
    };
  }

  /** The bytes a persisted transaction of `txId` would have. */
  static bytesOf(txId: string, result = `result-${txId}`): Uint8Array {
    return Buffer.from(JSON.stringify({ txId, result }), 'utf8');
  }

  /** Orders and commits `txId` now, as if a copy sent earlier arrived. */
  commit(txId: string): Committed {
    this.ordered.push(txId);
    this.#height += 1n;
    const existing = this.ledger.get(txId);
    const committed = { code: existing === undefined ? (this.commitCodes.shift() ?? VALID) : DUPLICATE_TXID, blockNumber: this.#height };
    if (existing === undefined) this.ledger.set(txId, committed);
    return committed;
  }

  #endorsed(txId: string, result: string): EndorsedLike {
    const bytes = FakeFabricFlow.bytesOf(txId, result);
    const transaction: TransactionLike = {
      submit: (): Promise<SubmittedLike> => {
        const committed = this.commit(txId);
        const status: CommitStatusLike = { successful: committed.code === VALID, code: committed.code, blockNumber: committed.blockNumber };
        return Promise.resolve({
          getResult: () => Buffer.from(result),
          getStatus: () => (this.commitStatusFailure === undefined ? Promise.resolve(status) : Promise.reject(this.commitStatusFailure)),
        });
      },
    };
    return {
      ...transaction,
      getTransactionId: () => txId,
      getBytes: () => bytes,
      getDigest: () => bytes,
      getResult: () => Buffer.from(result),
    };
  }
}
