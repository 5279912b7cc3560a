/**
 * Verifies a copy of a channel's blocks the way a Fabric peer trusts them, without trusting the
 * peer that served them: the hash chain, every header's data hash, and the orderers' signatures
 * (checked against the orderer organisations of the channel configuration in force, starting from
 * the genesis block and following every configuration block).
 */
import { common, msp } from '@hyperledger/fabric-protos';
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
}

export interface ChainOptions {
  /** The genesis block as the operator created it: when given, block 0 must be exactly this block. */
  readonly trustedGenesis?: Uint8Array;
}

/** Trusted roots per orderer organisation (MSP id), from the channel configuration in force. */
type OrdererTrust = Map<string, { roots: X509Certificate[]; intermediates: X509Certificate[] }>;

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

/** The orderer organisations and their CA certificates of a configuration block. */
function ordererTrustOf(block: common.Block): OrdererTrust {
  const envelope = common.Envelope.deserializeBinary(bytes(block.getData()?.getDataList()[0] ?? new Uint8Array()));
  const payload = common.Payload.deserializeBinary(bytes(envelope.getPayload()));
  const config = common.ConfigEnvelope.deserializeBinary(bytes(payload.getData())).getConfig();
  const orderer = config?.getChannelGroup()?.getGroupsMap().get('Orderer');
  if (orderer === undefined) throw new Broken('the configuration block has no Orderer group');
  const trust: OrdererTrust = new Map();
  orderer.getGroupsMap().forEach((group: common.ConfigGroup) => {
    const value = group.getValuesMap().get('MSP');
    if (value === undefined) return;
    const mspConfig = msp.MSPConfig.deserializeBinary(bytes(value.getValue()));
    const fabric = msp.FabricMSPConfig.deserializeBinary(bytes(mspConfig.getConfig()));
    trust.set(fabric.getName(), {
      roots: fabric.getRootCertsList_asU8().map((pem) => new X509Certificate(pem)),
      intermediates: fabric.getIntermediateCertsList_asU8().map((pem) => new X509Certificate(pem)),
    });
  });
  if (trust.size === 0) throw new Broken('the configuration block names no orderer organisation');
  return trust;
}

/** The signer certificate chains (directly or through one intermediate) to a root of its orderer org. */
function chainsToOrdererCa(cert: X509Certificate, mspId: string, trust: OrdererTrust): boolean {
  const org = trust.get(mspId);
  if (org === undefined) return false;
  const issuedBy = (child: X509Certificate, parent: X509Certificate): boolean =>
    child.checkIssued(parent) && child.verify(parent.publicKey);
  if (org.roots.some((root) => issuedBy(cert, root))) return true;
  return org.intermediates.some((mid) => issuedBy(cert, mid) && org.roots.some((root) => issuedBy(mid, root)));
}

function verifySignatures(block: common.Block, number: number, trust: OrdererTrust): number {
  const metadata = block.getMetadata()?.getMetadataList_asU8() ?? [];
  const signaturesBytes = metadata[SIGNATURES];
  if (signaturesBytes === undefined || signaturesBytes.length === 0) throw new Broken('no SIGNATURES metadata');
  const signatures = decode('the SIGNATURES metadata', () => common.Metadata.deserializeBinary(signaturesBytes));
  const list = signatures.getSignaturesList();
  if (list.length === 0) throw new Broken('the block carries no orderer signature');
  const header = block.getHeader();
  if (header === undefined) throw new Broken('no header');
  const headerBytes = headerBytesOf(header);
  list.forEach((signature, index) => {
    const signatureHeaderBytes = bytes(signature.getSignatureHeader());
    if (signatureHeaderBytes.length === 0) {
      throw new Broken(`signature ${index} names its signer by consenter id only (BFT); not supported for this channel`);
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
    if (!chainsToOrdererCa(cert, mspId, trust)) {
      throw new Broken(`signature ${index}: signer ${cert.subject.replace(/\n/g, ',')} (${mspId}) does not chain to an orderer organisation's CA`);
    }
    const signed = Buffer.concat([bytes(signatures.getValue()), signatureHeaderBytes, headerBytes]);
    if (!verifySignature('sha256', signed, cert.publicKey, bytes(signature.getSignature()))) {
      throw new Broken(`signature ${index} by ${mspId} does not verify over block ${number}'s header`);
    }
  });
  return list.length;
}

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
    const counts = { verifiedBlocks: this.#position, signatures: this.#signatures, configBlocks: this.#configBlocks, transactions: this.#transactions, ...genesis };
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
        this.#trust = decode(`the configuration in block ${number}`, () => ordererTrustOf(block));
        this.#configBlocks += 1;
      }
      if (position === 0) this.#genesisTime = channelHeader.getTimestamp()?.toDate().toISOString();
      const txId = channelHeader.getTxId();
      if (txId !== '') this.#transactions.set(txId, { block: number, validationCode: filter[index] ?? (position === 0 ? VALID : -1) });
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
