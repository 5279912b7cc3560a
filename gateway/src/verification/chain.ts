/**
 * Verifies a copy of a channel's blocks the way a Fabric peer trusts them, without trusting the
 * peer that served them: the hash chain, every header's data hash, and the orderers' signatures,
 * checked against the ordering configuration in force (from the genesis block on, following every
 * configuration block):
 *   - etcdraft: every signature by a certificate of an orderer organisation's CA;
 *   - BFT (SmartBFT): valid signatures of at least a quorum of the consenters in force, Fabric's rule
 *     (common/policies.ComputeBFTQuorum, the policy configtxgen derives: ⌈(n + f + 1) / 2⌉ of n with
 *     f = ⌊(n − 1) / 3⌋, so 3 of 4 and 4 of 5), and no signature by anyone else. A configuration block
 *     is signed by the consenters of the configuration before it, and its consenter set applies from
 *     the next block on.
 */
import { common, msp, orderer } from '@hyperledger/fabric-protos';
import { verify as verifySignature, X509Certificate } from 'node:crypto';
import { readdirSync } from 'node:fs';
import path from 'node:path';

import { sha256 as sha256Of } from 'govshare-contract';
import { blockHeaderBytes } from '../fabric/der';

/** common.BlockMetadataIndex and common.HeaderType values used here. */
const SIGNATURES = 0;
const TRANSACTIONS_FILTER = 2;
const HEADER_TYPE_CONFIG = 1;
/** peer.TxValidationCode.VALID */
export const VALID = 0;

export interface ChainBreak {
  /** The block at which the chain stops being trustworthy (the expected block number at that position). */
  readonly block: number;
  readonly reason: string;
}

export interface TransactionInChain {
  readonly block: number;
  readonly validationCode: number;
}

/** The ordering configuration in force after the verified blocks. */
export interface OrderingInForce {
  /** ConsensusType of the channel: 'BFT' or 'etcdraft'. */
  readonly type: string;
  /** BFT: the consenters by id with their MSP ids; empty for etcdraft. */
  readonly consenters: readonly { readonly id: number; readonly mspId: string }[];
  /** BFT: signatures of distinct consenters each block needs. */
  readonly quorum?: number;
  /** Configuration blocks after block 0 that changed the consenter set. */
  readonly consenterSetChanges: number;
}

export interface ChainResult {
  readonly intact: boolean;
  /** Blocks verified before the first break (all of them when intact). */
  readonly verifiedBlocks: number;
  readonly firstBreak?: ChainBreak;
  /** Signatures checked, over all verified blocks. */
  readonly signatures: number;
  readonly configBlocks: number;
  /** Every transaction of the verified blocks, by id, with its validation code from the block metadata. */
  readonly transactions: ReadonlyMap<string, TransactionInChain>;
  /** Timestamp of the genesis block's channel header (ISO), when it could be read. */
  readonly genesisTime?: string;
  readonly ordering?: OrderingInForce;
}

export interface ChainOptions {
  /** The genesis block as the operator created it: when given, block 0 must be exactly this block. */
  readonly trustedGenesis?: Uint8Array;
}

/** Trusted roots per orderer organisation (MSP id), from the channel configuration in force. */
type OrdererOrgs = Map<string, { roots: X509Certificate[]; intermediates: X509Certificate[] }>;

interface Consenter {
  readonly id: number;
  readonly mspId: string;
  readonly certificate: X509Certificate;
}

/** What a block's signatures are checked against: the ordering part of the configuration in force. */
interface OrdererTrust {
  readonly type: string;
  readonly orgs: OrdererOrgs;
  /** BFT only: the consenter set by id. */
  readonly consenters: ReadonlyMap<number, Consenter>;
}

const BFT = 'BFT';

/** Fabric's quorum of a BFT consenter set (common/policies/bft.go, ComputeBFTQuorum). */
export function bftQuorum(consenters: number): number {
  const f = Math.floor((consenters - 1) / 3);
  return Math.ceil((consenters + f + 1) / 2);
}

class Broken extends Error {}

function bytes(value: Uint8Array | string): Buffer {
  return typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.from(value);
}

const sha256 = (...parts: Uint8Array[]): Buffer => Buffer.from(sha256Of(...parts));

function decode<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new Broken(`${what} does not decode: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function headerBytesOf(header: common.BlockHeader): Buffer {
  return blockHeaderBytes(BigInt(header.getNumber()), bytes(header.getPreviousHash()), bytes(header.getDataHash()));
}

/** The hash of a block header as the next block's previous_hash must name it. */
export function blockHeaderHash(header: common.BlockHeader): Buffer {
  return sha256(headerBytesOf(header));
}

/** SHA-256 over the concatenation of the block's data entries (protoutil.ComputeBlockDataHash). */
export function blockDataHash(block: common.Block): Buffer {
  return sha256(...(block.getData()?.getDataList() ?? []).map(bytes));
}

function channelHeaderOf(envelopeBytes: Uint8Array): common.ChannelHeader | undefined {
  try {
    const payload = common.Payload.deserializeBinary(bytes(common.Envelope.deserializeBinary(envelopeBytes).getPayload()));
    const header = payload.getHeader();
    return header === undefined ? undefined : common.ChannelHeader.deserializeBinary(bytes(header.getChannelHeader()));
  } catch {
    return undefined;
  }
}

/** The ordering configuration of a configuration block: consensus type, orderer orgs' CAs, consenters. */
function ordererTrustOf(block: common.Block): OrdererTrust {
  const envelope = common.Envelope.deserializeBinary(bytes(block.getData()?.getDataList()[0] ?? new Uint8Array()));
  const payload = common.Payload.deserializeBinary(bytes(envelope.getPayload()));
  const config = common.ConfigEnvelope.deserializeBinary(bytes(payload.getData())).getConfig();
  const ordererGroup = config?.getChannelGroup()?.getGroupsMap().get('Orderer');
  if (ordererGroup === undefined) throw new Broken('the configuration block has no Orderer group');
  const orgs: OrdererOrgs = new Map();
  ordererGroup.getGroupsMap().forEach((group: common.ConfigGroup) => {
    const value = group.getValuesMap().get('MSP');
    if (value === undefined) return;
    const mspConfig = msp.MSPConfig.deserializeBinary(bytes(value.getValue()));
    const fabric = msp.FabricMSPConfig.deserializeBinary(bytes(mspConfig.getConfig()));
    orgs.set(fabric.getName(), {
      roots: fabric.getRootCertsList_asU8().map((pem) => new X509Certificate(pem)),
      intermediates: fabric.getIntermediateCertsList_asU8().map((pem) => new X509Certificate(pem)),
    });
  });
  if (orgs.size === 0) throw new Broken('the configuration block names no orderer organisation');
  const values = ordererGroup.getValuesMap();
  const consensus = values.get('ConsensusType');
  if (consensus === undefined) throw new Broken('the configuration block has no ConsensusType');
  const type = orderer.ConsensusType.deserializeBinary(bytes(consensus.getValue())).getType();
  const consenters = new Map<number, Consenter>();
  if (type === BFT) {
    const mapping = values.get('Orderers');
    if (mapping === undefined) throw new Broken('the BFT configuration has no consenter mapping (Orderers)');
    for (const entry of common.Orderers.deserializeBinary(bytes(mapping.getValue())).getConsenterMappingList()) {
      let certificate: X509Certificate;
      try {
        certificate = new X509Certificate(bytes(entry.getIdentity()));
      } catch {
        throw new Broken(`consenter ${entry.getId()}'s identity is not a certificate`);
      }
      if (consenters.has(entry.getId())) throw new Broken(`consenter id ${entry.getId()} appears twice in the consenter mapping`);
      if (!chainsToOrdererCa(certificate, entry.getMspId(), orgs)) {
        throw new Broken(`consenter ${entry.getId()} (${entry.getMspId()}) does not chain to an orderer organisation's CA`);
      }
      consenters.set(entry.getId(), { id: entry.getId(), mspId: entry.getMspId(), certificate });
    }
    if (consenters.size === 0) throw new Broken('the BFT configuration names no consenter');
  }
  return { type, orgs, consenters };
}

/** The signer certificate chains (directly or through one intermediate) to a root of its orderer org. */
function chainsToOrdererCa(cert: X509Certificate, mspId: string, orgs: OrdererOrgs): boolean {
  const org = orgs.get(mspId);
  if (org === undefined) return false;
  const issuedBy = (child: X509Certificate, parent: X509Certificate): boolean =>
    child.checkIssued(parent) && child.verify(parent.publicKey);
  if (org.roots.some((root) => issuedBy(cert, root))) return true;
  return org.intermediates.some((mid) => issuedBy(cert, mid) && org.roots.some((root) => issuedBy(mid, root)));
}

const subjectOf = (cert: X509Certificate): string => cert.subject.replace(/\n/g, ',');

/** A consenter named by a signature: by id (SmartBFT's IdentifierHeader) or by its full identity. */
function consenterOf(index: number, signature: common.MetadataSignature, trust: OrdererTrust): { consenter: Consenter; header: Buffer } {
  const signatureHeaderBytes = bytes(signature.getSignatureHeader());
  if (signatureHeaderBytes.length === 0) {
    const identifierBytes = bytes(signature.getIdentifierHeader());
    if (identifierBytes.length === 0) throw new Broken(`signature ${index} names no signer`);
    const id = decode(`signature ${index}'s identifier header`, () => common.IdentifierHeader.deserializeBinary(identifierBytes)).getIdentifier();
    const consenter = trust.consenters.get(id);
    if (consenter === undefined) {
      throw new Broken(`signature ${index} is by consenter id ${id}, not one of the consenters in force (${[...trust.consenters.keys()].join(', ')})`);
    }
    return { consenter, header: identifierBytes };
  }
  const creator = decode(`signature ${index}'s header`, () =>
    msp.SerializedIdentity.deserializeBinary(bytes(common.SignatureHeader.deserializeBinary(signatureHeaderBytes).getCreator())),
  );
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(bytes(creator.getIdBytes()));
  } catch {
    throw new Broken(`signature ${index}: the signer's certificate does not parse`);
  }
  const consenter = [...trust.consenters.values()].find((c) => c.mspId === creator.getMspid() && c.certificate.raw.equals(cert.raw));
  if (consenter === undefined) throw new Broken(`signature ${index} is by ${subjectOf(cert)} (${creator.getMspid()}), not a consenter in force`);
  return { consenter, header: signatureHeaderBytes };
}

function signaturesOf(block: common.Block): common.Metadata {
  const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
  const signaturesBytes = metadata[SIGNATURES];
  if (signaturesBytes === undefined || signaturesBytes.length === 0) throw new Broken('no SIGNATURES metadata');
  const signatures = decode('the SIGNATURES metadata', () => common.Metadata.deserializeBinary(signaturesBytes));
  if (signatures.getSignaturesList().length === 0) throw new Broken('the block carries no orderer signature');
  return signatures;
}

/** BFT: every signature valid and by a consenter in force, and distinct consenters reaching the quorum. */
function verifyBftSignatures(block: common.Block, number: number, headerBytes: Buffer, trust: OrdererTrust): number {
  const signatures = signaturesOf(block);
  const value = bytes(signatures.getValue());
  const signers = new Set<number>();
  signatures.getSignaturesList().forEach((signature, index) => {
    const { consenter, header } = consenterOf(index, signature, trust);
    if (!verifySignature('sha256', Buffer.concat([value, header, headerBytes]), consenter.certificate.publicKey, bytes(signature.getSignature()))) {
      throw new Broken(`signature ${index} (consenter ${consenter.id}, ${consenter.mspId}) does not verify over block ${number}'s header`);
    }
    signers.add(consenter.id);
  });
  const quorum = bftQuorum(trust.consenters.size);
  if (signers.size < quorum) {
    throw new Broken(
      `signed by ${signers.size} distinct consenter${signers.size === 1 ? '' : 's'} (${[...signers].sort((a, b) => a - b).join(', ')}); ` +
        `the quorum of the ${trust.consenters.size} consenters in force is ${quorum}`,
    );
  }
  return signatures.getSignaturesList().length;
}

/** etcdraft: every signature valid and by a certificate of an orderer organisation. */
function verifyCftSignatures(block: common.Block, number: number, headerBytes: Buffer, trust: OrdererTrust): number {
  const signatures = signaturesOf(block);
  const list = signatures.getSignaturesList();
  list.forEach((signature, index) => {
    const signatureHeaderBytes = bytes(signature.getSignatureHeader());
    if (signatureHeaderBytes.length === 0) {
      throw new Broken(`signature ${index} names its signer by consenter id only (BFT), but the channel's orderers are ${trust.type}`);
    }
    const creator = decode(`signature ${index}'s header`, () =>
      msp.SerializedIdentity.deserializeBinary(bytes(common.SignatureHeader.deserializeBinary(signatureHeaderBytes).getCreator())),
    );
    const mspId = creator.getMspid();
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(bytes(creator.getIdBytes()));
    } catch {
      throw new Broken(`signature ${index}: the signer's certificate does not parse`);
    }
    if (!chainsToOrdererCa(cert, mspId, trust.orgs)) {
      throw new Broken(`signature ${index}: signer ${subjectOf(cert)} (${mspId}) does not chain to an orderer organisation's CA`);
    }
    const signed = Buffer.concat([bytes(signatures.getValue()), signatureHeaderBytes, headerBytes]);
    if (!verifySignature('sha256', signed, cert.publicKey, bytes(signature.getSignature()))) {
      throw new Broken(`signature ${index} by ${mspId} does not verify over block ${number}'s header`);
    }
  });
  return list.length;
}

function verifySignatures(block: common.Block, number: number, trust: OrdererTrust): number {
  const header = block.getHeader();
  if (header === undefined) throw new Broken('no header');
  const headerBytes = headerBytesOf(header);
  return trust.type === BFT ? verifyBftSignatures(block, number, headerBytes, trust) : verifyCftSignatures(block, number, headerBytes, trust);
}

const consenterSetKey = (trust: OrdererTrust): string =>
  [...trust.consenters.values()]
    .sort((a, b) => a.id - b.id)
    .map((c) => `${c.id}:${c.mspId}:${c.certificate.fingerprint256}`)
    .join('|');

/**
 * Verifies blocks one at a time in position order (position i must hold block number i, block 0
 * first), so that a caller can stream a long chain without holding it. After the first break every
 * further block is ignored and the result reports that break.
 */
export class ChainVerifier {
  readonly #options: ChainOptions;
  readonly #transactions = new Map<string, TransactionInChain>();
  #trust: OrdererTrust | undefined;
  #previous: common.BlockHeader | undefined;
  #position = 0;
  #signatures = 0;
  #configBlocks = 0;
  #consenterSetChanges = 0;
  #genesisTime: string | undefined;
  #firstBreak: ChainBreak | undefined;

  constructor(options: ChainOptions = {}) {
    this.#options = options;
  }

  get broken(): boolean {
    return this.#firstBreak !== undefined;
  }

  /** Adds the next block (its bytes as stored, or already decoded); returns false once the chain is broken. */
  add(raw: Uint8Array | common.Block): boolean {
    if (this.#firstBreak !== undefined) return false;
    const position = this.#position;
    try {
      const block = raw instanceof common.Block ? raw : decode(`block file at position ${position}`, () => common.Block.deserializeBinary(raw));
      this.#check(block, position);
      this.#position += 1;
      return true;
    } catch (error) {
      if (!(error instanceof Broken)) throw error;
      this.#firstBreak = { block: position, reason: error.message };
      return false;
    }
  }

  result(): ChainResult {
    const genesis = this.#genesisTime === undefined ? {} : { genesisTime: this.#genesisTime };
    const trust = this.#trust;
    const ordering =
      trust === undefined
        ? {}
        : {
            ordering: {
              type: trust.type,
              consenters: [...trust.consenters.values()].sort((a, b) => a.id - b.id).map(({ id, mspId }) => ({ id, mspId })),
              ...(trust.type === BFT ? { quorum: bftQuorum(trust.consenters.size) } : {}),
              consenterSetChanges: this.#consenterSetChanges,
            },
          };
    const counts = {
      verifiedBlocks: this.#position,
      signatures: this.#signatures,
      configBlocks: this.#configBlocks,
      transactions: this.#transactions,
      ...genesis,
      ...ordering,
    };
    if (this.#firstBreak !== undefined) return { intact: false, firstBreak: this.#firstBreak, ...counts };
    if (this.#position === 0) return { intact: false, firstBreak: { block: 0, reason: 'no blocks' }, ...counts };
    return { intact: true, ...counts };
  }

  #check(block: common.Block, position: number): void {
    const header = block.getHeader();
    if (header === undefined) throw new Broken('the block has no header');
    const number = header.getNumber();
    if (number !== position) {
      throw new Broken(
        number > position
          ? `expected block ${position}, found block ${number} (block ${position} is missing or out of order)`
          : `blocks out of order: found block ${number} where block ${position} belongs`,
      );
    }
    if (!blockDataHash(block).equals(bytes(header.getDataHash()))) {
      throw new Broken("the header's data_hash does not match the block's data (the data was altered)");
    }
    const previous = this.#previous;
    if (previous === undefined) {
      const { trustedGenesis } = this.#options;
      if (trustedGenesis !== undefined) {
        const trusted = common.Block.deserializeBinary(trustedGenesis).getHeader();
        if (trusted === undefined || !blockHeaderHash(trusted).equals(blockHeaderHash(header))) {
          throw new Broken('block 0 is not the genesis block this network was created with');
        }
      }
    } else {
      if (!bytes(header.getPreviousHash()).equals(blockHeaderHash(previous))) {
        throw new Broken(`previous_hash does not match the hash of block ${position - 1}'s header`);
      }
      if (this.#trust === undefined) throw new Broken('no channel configuration before this block');
      this.#signatures += verifySignatures(block, number, this.#trust);
    }
    const data = block.getData()?.getDataList_asU8() ?? [];
    const filter = block.getMetadata()?.getMetadataList_asU8()[TRANSACTIONS_FILTER] ?? new Uint8Array();
    data.forEach((envelope, index) => {
      const channelHeader = channelHeaderOf(envelope);
      if (channelHeader === undefined) return;
      if (channelHeader.getType() === HEADER_TYPE_CONFIG) {
        const before = this.#trust;
        const next = decode(`the configuration in block ${number}`, () => ordererTrustOf(block));
        if (before !== undefined && consenterSetKey(before) !== consenterSetKey(next)) this.#consenterSetChanges += 1;
        this.#trust = next;
        this.#configBlocks += 1;
      }
      if (position === 0) this.#genesisTime = channelHeader.getTimestamp()?.toDate().toISOString();
      const txId = channelHeader.getTxId();
      // A resubmitted transaction appears again later, flagged DUPLICATE_TXID: it must not hide the VALID copy.
      if (txId !== '' && this.#transactions.get(txId)?.validationCode !== VALID) {
        this.#transactions.set(txId, { block: number, validationCode: filter[index] ?? (position === 0 ? VALID : -1) });
      }
    });
    this.#previous = header;
  }
}

/** Verifies a whole copy of the chain given in position order; stops at the first break and reports it. */
export function verifyChain(blocks: readonly (Uint8Array | common.Block)[], options: ChainOptions = {}): ChainResult {
  const verifier = new ChainVerifier(options);
  for (const block of blocks) {
    if (!verifier.add(block)) break;
  }
  return verifier.result();
}

/** The block files of a directory in block-number order: names carry the number (e.g. 12.block). */
export function blockFilesIn(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => /^\d+\.(block|pb)$/.test(name))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10))
    .map((name) => path.join(directory, name));
}
