import { X509Certificate } from 'node:crypto';

import { common, msp, peer } from '@hyperledger/fabric-protos';

import type { AuthenticatedUser } from '../identity/user';

/*
 * Reading what the ledger itself says, for receipts: the transaction a txId names (who signed it, its validation
 * code, what the chaincode returned) and the organisations' CAs in the channel configuration. Pure decoding of
 * the protobuf messages qscc and cscc answer with.
 */

const bytes = (value: Uint8Array | string): Buffer => (typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value));

/** The facts about the channel that receipts are checked against, as our own peer has them. */
export interface ChannelRecords {
  channelMspRoots(user: AuthenticatedUser): Promise<Map<string, X509Certificate[]>>;
  recordedTransaction(user: AuthenticatedUser, txId: string): Promise<(RecordedTransaction & { readonly blockNumber: bigint }) | undefined>;
}

export interface RecordedTransaction {
  /** Fabric's TxValidationCode: 0 is VALID. */
  readonly validationCode: number;
  readonly creatorMsp: string;
  /** The signer's certificate (PEM) as the transaction carries it. */
  readonly creatorCertificate: string;
  /** The chaincode's response payload, which the endorsers signed. */
  readonly chaincodeResult: Buffer;
}

/** Decodes a qscc GetTransactionByID answer (a ProcessedTransaction). */
export function parseProcessedTransaction(processedBytes: Uint8Array): RecordedTransaction {
  const processed = peer.ProcessedTransaction.deserializeBinary(processedBytes);
  const envelope = processed.getTransactionenvelope();
  if (envelope === undefined) throw new Error('the processed transaction has no envelope');
  const payload = common.Payload.deserializeBinary(bytes(envelope.getPayload()));
  const signatureHeader = common.SignatureHeader.deserializeBinary(bytes(payload.getHeader()?.getSignatureHeader() ?? new Uint8Array()));
  const creator = msp.SerializedIdentity.deserializeBinary(bytes(signatureHeader.getCreator()));
  const transaction = peer.Transaction.deserializeBinary(bytes(payload.getData()));
  const action = transaction.getActionsList()[0];
  if (action === undefined) throw new Error('the transaction has no action');
  const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(bytes(action.getPayload()));
  const responsePayload = peer.ProposalResponsePayload.deserializeBinary(
    bytes(actionPayload.getAction()?.getProposalResponsePayload() ?? new Uint8Array()),
  );
  const chaincodeAction = peer.ChaincodeAction.deserializeBinary(bytes(responsePayload.getExtension_asU8()));
  return {
    validationCode: processed.getValidationcode(),
    creatorMsp: creator.getMspid(),
    creatorCertificate: bytes(creator.getIdBytes()).toString('utf8'),
    chaincodeResult: bytes(chaincodeAction.getResponse()?.getPayload() ?? new Uint8Array()),
  };
}

/** The application organisations' root and intermediate CA certificates, by MSP id, from a cscc GetChannelConfig answer. */
export function applicationMspRoots(configBytes: Uint8Array): Map<string, X509Certificate[]> {
  const config = common.Config.deserializeBinary(configBytes);
  const application = config.getChannelGroup()?.getGroupsMap().get('Application');
  const roots = new Map<string, X509Certificate[]>();
  application?.getGroupsMap().forEach((group: common.ConfigGroup) => {
    const value = group.getValuesMap().get('MSP');
    if (value === undefined) return;
    const mspConfig = msp.MSPConfig.deserializeBinary(bytes(value.getValue()));
    const fabric = msp.FabricMSPConfig.deserializeBinary(bytes(mspConfig.getConfig()));
    roots.set(fabric.getName(), [...fabric.getRootCertsList_asU8(), ...fabric.getIntermediateCertsList_asU8()].map((pem) => new X509Certificate(pem)));
  });
  return roots;
}

/** Two PEM certificates are the same certificate (whitespace and line breaks aside). */
export function sameCertificate(a: string, b: string): boolean {
  try {
    return new X509Certificate(a).raw.equals(new X509Certificate(b).raw);
  } catch {
    return false;
  }
}
