import { parseErrorCode } from 'govshare-contract';

import {
  EndorsementFailedError,
  FabricTimeoutError,
  FabricUnavailableError,
  GovshareChaincodeError,
  type NodeErrorDetail,
} from './errors';

/** Where in the transaction flow a fabric-gateway call failed. */
export type FabricStage = 'evaluate' | 'endorse' | 'submit' | 'commitStatus';

/** gRPC status codes we treat specially (https://grpc.io/docs/guides/status-codes/). */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_FAILED_PRECONDITION = 9;
const GRPC_UNAVAILABLE = 14;

/**
 * The peer's gateway found no set of reachable peers that satisfies the endorsement policy: a peer
 * has just restarted and has not yet learnt its neighbours through gossip, or too many are down.
 * That is a temporary outage (retry later), not a rejection of the transaction.
 */
function isNoEndorsersAvailable(error: GatewayErrorLike): boolean {
  return (
    error.code === GRPC_FAILED_PRECONDITION &&
    /no (combination of )?peers? (available|can be derived)|no peer combination can satisfy/i.test(error.message)
  );
}

/**
 * An endorsing peer the peer's gateway chose could not be reached (it was just killed or cut off, and gossip
 * has not yet declared it dead, so discovery still offers it): the gRPC error from dialling it. With one peer
 * per organisation there is no other peer of that org to try, so the endorsement fails although nothing
 * rejected the transaction and nothing was sent to the orderers.
 */
const ENDORSER_UNREACHABLE = /code = Unavailable|connection refused|connect: no route to host|transport is closing|error reading from server/i;

function allEndorsersUnreachable(error: GatewayErrorLike): boolean {
  return error.details.length > 0 && error.details.every((detail) => ENDORSER_UNREACHABLE.test(detail.message));
}

/** The shape of fabric-gateway's GatewayError and its subclasses, matched structurally. */
interface GatewayErrorLike {
  readonly code: number;
  readonly message: string;
  readonly details: readonly NodeErrorDetail[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function asGatewayError(err: unknown): GatewayErrorLike | undefined {
  if (!isRecord(err) || typeof err.code !== 'number') {
    return undefined;
  }
  const details = Array.isArray(err.details) ? (err.details as unknown[]) : [];
  return {
    code: err.code,
    message: typeof err.message === 'string' ? err.message : '',
    details: details.filter(isRecord).map((d) => ({
      address: typeof d.address === 'string' ? d.address : '',
      mspId: typeof d.mspId === 'string' ? d.mspId : '',
      message: typeof d.message === 'string' ? d.message : '',
    })),
  };
}

/**
 * The chaincode's error reaches us only as text: in each endorsing peer's detail message
 * ("chaincode response 500, DATASET_EXISTS: ...") or, for some calls, in the error message itself.
 */
export function findChaincodeError(texts: readonly string[]): { code: string; message: string } | undefined {
  for (const text of texts) {
    const code = parseErrorCode(text);
    if (code !== undefined) {
      const marker = `${code}:`;
      const message = text.slice(text.indexOf(marker) + marker.length).trim();
      return { code, message: message === '' ? code : message };
    }
  }
  return undefined;
}

/** The peer Gateway's answer when a BFT broadcast reached fewer than a quorum of the orderers (internal/pkg/gateway/submit.go). */
const BFT_PARTIAL_SUBMIT = /insufficient number of orderers could successfully process transaction/;

/** gRPC's answers when no connection to the peer existed, so nothing was sent. */
const NEVER_SENT = /No connection established|ECONNREFUSED|Name resolution failed/;

/** Translates an error thrown by fabric-gateway into our hierarchy; anything unrecognised is returned as is. */
export function translateFabricError(err: unknown, stage: FabricStage, txId?: string): unknown {
  const gatewayError = asGatewayError(err);
  if (gatewayError === undefined) {
    return err;
  }
  const options = { txId, details: gatewayError.details, cause: err };
  const texts = [...gatewayError.details.map((d) => d.message), gatewayError.message];

  const chaincodeError = findChaincodeError(texts);
  if (chaincodeError !== undefined) {
    return new GovshareChaincodeError(chaincodeError.code, chaincodeError.message, options);
  }
  if (stage === 'commitStatus') {
    // The transaction was already handed to the orderers: whatever stopped the status from reaching us
    // (deadline, lost connection, or the call CANCELLED while a restarted peer catches up), it may still
    // commit, so neither "retry later" (503) nor "failed" (502) is true. Report the unknown outcome with
    // the txId to look up. (A status that did arrive with an invalid code is a CommitFailedError, raised
    // by the submit flow, not here.)
    return new FabricTimeoutError(
      'The transaction was submitted but its outcome is unknown (it may still commit); look it up by txId before retrying',
      options,
    );
  }
  if (stage === 'submit' && gatewayError.code === GRPC_UNAVAILABLE && !texts.some((text) => NEVER_SENT.test(text))) {
    // The connection to the peer broke while it was handing the transaction to the orderers (e.g.
    // ECONNRESET when the peer dies): it may have reached them, so its outcome is unknown.
    return new FabricTimeoutError(
      'The connection broke while the transaction was being submitted; its outcome is unknown (it may still commit); look it up by txId before retrying',
      options,
    );
  }
  if (stage === 'submit' && texts.some((text) => BFT_PARTIAL_SUBMIT.test(text))) {
    // SmartBFT: the peer's Gateway sends the transaction to every consenter and fails when fewer than a
    // quorum accept it, but the ones that did keep it in their request pools, and a later leader may
    // still order it. So "not ordered" is not known: report the unknown outcome, never "retry".
    return new FabricTimeoutError(
      'Fewer than a quorum of the orderers accepted the transaction; some may have, so its outcome is unknown (it may still commit); look it up by txId before retrying',
      options,
    );
  }
  if (gatewayError.code === GRPC_DEADLINE_EXCEEDED) {
    return new FabricTimeoutError(`Fabric ${stage} timed out`, options);
  }
  if (isNoEndorsersAvailable(gatewayError)) {
    return new FabricUnavailableError(`No endorsing peers available during ${stage}; retry later`, options);
  }
  if ((stage === 'endorse' || stage === 'evaluate') && allEndorsersUnreachable(gatewayError)) {
    return new FabricUnavailableError(`An endorsing peer could not be reached during ${stage} (nothing was submitted); retry later`, options);
  }
  if (gatewayError.code === GRPC_UNAVAILABLE) {
    return new FabricUnavailableError(`Fabric peer unavailable during ${stage}`, options);
  }
  switch (stage) {
    case 'evaluate':
    case 'endorse':
      return new EndorsementFailedError(`Fabric ${stage} failed: ${gatewayError.message}`, options);
    case 'submit':
      return new FabricUnavailableError(`Ordering failed: ${gatewayError.message}`, options);
  }
}
