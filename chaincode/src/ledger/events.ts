import type { Context } from 'fabric-contract-api';
import type { ChaincodeEventPayload, EventName } from '../model';
import { toJsonBytes } from './json';

/** Fabric keeps only the last event of a transaction: each transaction calls this exactly once. */
export function emitEvent(ctx: Context, name: EventName, payload: ChaincodeEventPayload): void {
  ctx.stub.setEvent(name, toJsonBytes(payload));
}
