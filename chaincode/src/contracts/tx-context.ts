import type { Context } from 'fabric-contract-api';
import { type Caller, enrolmentIdFromX509Id, isoFromTimestamp, type TxInfo } from '../domain/tx';

/** The one place that reads the caller from the client certificate. */
export function callerOf(ctx: Context): Caller {
  return {
    mspId: ctx.clientIdentity.getMSPID(),
    id: enrolmentIdFromX509Id(ctx.clientIdentity.getID()),
    role: ctx.clientIdentity.getAttributeValue('role'),
  };
}

/**
 * Transaction id, time and caller. Time comes only from the proposal timestamp: the endorsers'
 * clocks differ, and any difference would make their read/write sets disagree.
 */
export function txInfoOf(ctx: Context): TxInfo {
  const { seconds, nanos } = ctx.stub.getTxTimestamp();
  return {
    txId: ctx.stub.getTxID(),
    timestamp: isoFromTimestamp(seconds.toNumber(), nanos),
    caller: callerOf(ctx),
  };
}
