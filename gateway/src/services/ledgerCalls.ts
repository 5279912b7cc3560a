import {
  encodeArguments,
  type AnyTransaction,
  type CallArgumentsOf,
  type ResultOf,
} from 'govshare-contract';

import type { LedgerClient, SubmitOptions } from '../fabric/ledgerClient';
import type { AuthenticatedUser } from '../identity/user';
import { committed, parseLedgerJson, type Committed } from './ledgerJson';

/** A submit resolves with the committed value and where it was committed; an evaluate with the value. */
export type CallResult<T extends AnyTransaction> = T['kind'] extends 'submit' ? Committed<ResultOf<T>> : ResultOf<T>;

/**
 * Typed calls of the transaction table (govshare-contract): `ledger.call(user, RegisterDataset, { registration })`.
 * Arguments are encoded as the table says, the kind (submit or evaluate) comes from the table, and the reply is
 * checked against the table's result schema, so a contract drift fails loudly here.
 */
export interface TypedLedger {
  call<T extends AnyTransaction>(user: AuthenticatedUser, tx: T, args: CallArgumentsOf<T>, options?: SubmitOptions): Promise<CallResult<T>>;
  /**
   * Runs a transaction's chaincode on the peer as an evaluation, never ordered: the chaincode's own
   * checks (permission, state) answer as they would for the real submit and nothing is written, so
   * work that must not happen for a refused call (storing an upload) can wait for that answer.
   */
  simulate<T extends AnyTransaction>(user: AuthenticatedUser, tx: T, args: CallArgumentsOf<T>): Promise<ResultOf<T>>;
}

export function typedLedger(ledger: LedgerClient): TypedLedger {
  return {
    async call<T extends AnyTransaction>(user: AuthenticatedUser, tx: T, args: CallArgumentsOf<T>, options?: SubmitOptions) {
      const wire = encodeArguments(tx, args);
      if (tx.kind === 'submit') {
        return committed(tx.result, await ledger.submit(user, tx.name, wire, options), tx.name) as CallResult<T>;
      }
      return parseLedgerJson(tx.result, await ledger.evaluate(user, tx.name, wire), tx.name) as CallResult<T>;
    },
    async simulate<T extends AnyTransaction>(user: AuthenticatedUser, tx: T, args: CallArgumentsOf<T>) {
      return parseLedgerJson(tx.result, await ledger.evaluate(user, tx.name, encodeArguments(tx, args)), tx.name) as ResultOf<T>;
    },
  };
}
