import type { Context } from 'fabric-contract-api';
import { canonicalJsonBytes, type ChaincodeEventPayload, type EventName } from 'govshare-contract';

/** Fabric keeps only the last event of a transaction: each transaction calls this exactly once. */
export function emitEvent(ctx: Context, name: EventName, payload: ChaincodeEventPayload): void {
  ctx.stub.setEvent(name, canonicalJsonBytes(payload));
}
