/**
 * The chain verifier on SmartBFT blocks: real protobuf blocks (common.Block with a configuration
 * envelope carrying ConsensusType BFT and the consenter mapping) signed the way SmartBFT signs them
 * (an IdentifierHeader per signature, ECDSA over metadata value ‖ identifier header ‖ header DER),
 * with keys and certificates made here by openssl for the test only.
 */
import { common, msp, orderer } from '@hyperledger/fabric-protos';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { blockHeaderBytes } from '../src/fabric/der';
import { bftQuorum, blockDataHash, blockHeaderHash, verifyChain } from '../src/verification/chain';

const HEADER_TYPE_CONFIG = 1;
const HEADER_TYPE_ENDORSER_TRANSACTION = 3;

interface Member {
  readonly name: string;
  readonly mspId: string;
  readonly certPem: Buffer;
  readonly key: KeyObject;
}

let dir: string;
let caPem: Buffer;
/** Consenters 1..5 (each its own org under one test CA), and an outsider with a valid key of its own. */
const members = new Map<number, Member>();
let outsider: Member;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

function makeCa(name: string): Buffer {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`,
    '-out', `${name}.crt`, '-subj', `/CN=${name}`, '-days', '2');
  return readFileSync(path.join(dir, `${name}.crt`));
}

function makeMember(name: string, mspId: string, ca: string): Member {
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${name}.key`,
    '-out', `${name}.csr`, '-subj', `/CN=${name}/OU=orderer`);
  openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial',
    '-out', `${name}.crt`, '-days', '2');
  return {
    name,
    mspId,
    certPem: readFileSync(path.join(dir, `${name}.crt`)),
    key: createPrivateKey(readFileSync(path.join(dir, `${name}.key`))),
  };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'govshare-bft-'));
  caPem = makeCa('ca');
  makeCa('foreign-ca');
  for (let id = 1; id <= 5; id += 1) members.set(id, makeMember(`orderer${String(id)}`, `Org${String(id)}MSP`, 'ca'));
  outsider = makeMember('outsider', 'Org1MSP', 'foreign-ca');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function member(id: number): Member {
  const found = members.get(id);
  if (found === undefined) throw new Error(`no member ${String(id)}`);
  return found;
}

function value(bytes: Uint8Array): common.ConfigValue {
  const configValue = new common.ConfigValue();
  configValue.setValue(bytes);
  return configValue;
}

/** A channel configuration whose Orderer group is SmartBFT with the given consenters. */
function bftConfig(consenterIds: readonly number[]): common.Config {
  const ordererGroup = new common.ConfigGroup();
  const consensus = new orderer.ConsensusType();
  consensus.setType('BFT');
  ordererGroup.getValuesMap().set('ConsensusType', value(consensus.serializeBinary()));
  const mapping = new common.Orderers();
  for (const id of consenterIds) {
    const consenter = new common.Consenter();
    consenter.setId(id);
    consenter.setHost('127.0.0.1');
    consenter.setPort(7100 + id);
    consenter.setMspId(member(id).mspId);
    consenter.setIdentity(member(id).certPem);
    mapping.addConsenterMapping(consenter);
  }
  ordererGroup.getValuesMap().set('Orderers', value(mapping.serializeBinary()));
  for (const id of consenterIds) {
    const fabric = new msp.FabricMSPConfig();
    fabric.setName(member(id).mspId);
    fabric.setRootCertsList([caPem]);
    const mspConfig = new msp.MSPConfig();
    mspConfig.setConfig(fabric.serializeBinary());
    const org = new common.ConfigGroup();
    org.getValuesMap().set('MSP', value(mspConfig.serializeBinary()));
    ordererGroup.getGroupsMap().set(member(id).mspId, org);
  }
  const channelGroup = new common.ConfigGroup();
  channelGroup.getGroupsMap().set('Orderer', ordererGroup);
  const config = new common.Config();
  config.setChannelGroup(channelGroup);
  return config;
}

function envelope(type: number, txId: string, data: Uint8Array): Uint8Array {
  const channelHeader = new common.ChannelHeader();
  channelHeader.setType(type);
  channelHeader.setChannelId('govchannel');
  channelHeader.setTxId(txId);
  const header = new common.Header();
  header.setChannelHeader(channelHeader.serializeBinary());
  const payload = new common.Payload();
  payload.setHeader(header);
  payload.setData(data);
  const env = new common.Envelope();
  env.setPayload(payload.serializeBinary());
  return env.serializeBinary();
}

function configEnvelope(consenterIds: readonly number[]): Uint8Array {
  const configEnv = new common.ConfigEnvelope();
  configEnv.setConfig(bftConfig(consenterIds));
  return envelope(HEADER_TYPE_CONFIG, '', configEnv.serializeBinary());
}

/** How one signature of a block is made: by a consenter's key under its own id, or forged. */
interface SignatureSpec {
  /** The consenter id the signature claims (IdentifierHeader), or a full identity (SignatureHeader). */
  readonly claims: number | { readonly identity: Member };
  /** Whose key signs. */
  readonly signer: Member;
}

const by = (id: number): SignatureSpec => ({ claims: id, signer: member(id) });

function block(number: number, previous: common.Block | undefined, data: readonly Uint8Array[], signatures: readonly SignatureSpec[]): common.Block {
  const result = new common.Block();
  const blockData = new common.BlockData();
  blockData.setDataList([...data]);
  result.setData(blockData);
  const header = new common.BlockHeader();
  header.setNumber(number);
  const previousHeader = previous?.getHeader();
  header.setPreviousHash(previousHeader === undefined ? new Uint8Array() : blockHeaderHash(previousHeader));
  header.setDataHash(blockDataHash(result));
  result.setHeader(header);
  const headerBytes = blockHeaderBytes(BigInt(number), Buffer.from(header.getPreviousHash_asU8()), Buffer.from(header.getDataHash_asU8()));

  const ordererMetadata = new common.OrdererBlockMetadata();
  const lastConfig = new common.LastConfig();
  lastConfig.setIndex(0);
  ordererMetadata.setLastConfig(lastConfig);
  const metadataValue = ordererMetadata.serializeBinary();
  const metadata = new common.Metadata();
  metadata.setValue(metadataValue);
  for (const spec of signatures) {
    const signature = new common.MetadataSignature();
    let signedHeader: Uint8Array;
    if (typeof spec.claims === 'number') {
      const identifier = new common.IdentifierHeader();
      identifier.setIdentifier(spec.claims);
      identifier.setNonce(randomBytes(24));
      signedHeader = identifier.serializeBinary();
      signature.setIdentifierHeader(signedHeader);
    } else {
      const creator = new msp.SerializedIdentity();
      creator.setMspid(spec.claims.identity.mspId);
      creator.setIdBytes(spec.claims.identity.certPem);
      const signatureHeader = new common.SignatureHeader();
      signatureHeader.setCreator(creator.serializeBinary());
      signatureHeader.setNonce(randomBytes(24));
      signedHeader = signatureHeader.serializeBinary();
      signature.setSignatureHeader(signedHeader);
    }
    signature.setSignature(sign('sha256', Buffer.concat([metadataValue, signedHeader, headerBytes]), spec.signer.key));
    metadata.addSignatures(signature);
  }
  const blockMetadata = new common.BlockMetadata();
  blockMetadata.setMetadataList([metadata.serializeBinary(), new Uint8Array(), new Uint8Array(data.length)]);
  result.setMetadata(blockMetadata);
  return result;
}

const genesis = (): common.Block => block(0, undefined, [configEnvelope([1, 2, 3, 4])], []);
const transaction = (txId: string): Uint8Array => envelope(HEADER_TYPE_ENDORSER_TRANSACTION, txId, new Uint8Array());

describe('BFT quorum (Fabric common/policies.ComputeBFTQuorum)', () => {
  it.each([
    [1, 1],
    [4, 3],
    [5, 4],
    [7, 5],
    [10, 7],
  ])('%i consenters need %i signatures', (n, quorum) => {
    expect(bftQuorum(n)).toBe(quorum);
  });
});

describe('ChainVerifier on SmartBFT blocks', () => {
  it('accepts blocks signed by a quorum (3 of 4) of the consenters in force', () => {
    const g = genesis();
    const b1 = block(1, g, [transaction('tx-1')], [by(2), by(3), by(4)]);
    const b2 = block(2, b1, [transaction('tx-2')], [by(1), by(2), by(3), by(4)]);

    const result = verifyChain([g, b1, b2]);

    expect(result).toMatchObject({ intact: true, verifiedBlocks: 3, signatures: 7 });
    expect(result.ordering).toEqual({
      type: 'BFT',
      consenters: [1, 2, 3, 4].map((id) => ({ id, mspId: `Org${String(id)}MSP` })),
      quorum: 3,
      consenterSetChanges: 0,
    });
  });

  it('reports a block signed by too few consenters (2 of 4) as BROKEN at that block', () => {
    const g = genesis();
    const b1 = block(1, g, [transaction('tx-1')], [by(1), by(2), by(3)]);
    const b2 = block(2, b1, [transaction('tx-2')], [by(1), by(4)]);

    const result = verifyChain([g, b1, b2, block(3, b2, [transaction('tx-3')], [by(1), by(2), by(3)])]);

    expect(result.intact).toBe(false);
    expect(result.verifiedBlocks).toBe(2);
    expect(result.firstBreak?.block).toBe(2);
    expect(result.firstBreak?.reason).toMatch(/signed by 2 distinct consenters \(1, 4\); the quorum of the 4 consenters in force is 3/);
  });

  it('does not count one consenter twice towards the quorum', () => {
    const g = genesis();
    const result = verifyChain([g, block(1, g, [transaction('tx-1')], [by(1), by(2), by(2)])]);

    expect(result.firstBreak).toMatchObject({ block: 1 });
    expect(result.firstBreak?.reason).toMatch(/2 distinct consenters \(1, 2\)/);
  });

  it('reports a signature under an id outside the consenter set as BROKEN, even beside a quorum', () => {
    const g = genesis();
    // Consenter 5 exists (a valid key of the same CA) but is not in the set in force at block 1.
    const result = verifyChain([g, block(1, g, [transaction('tx-1')], [by(1), by(2), by(3), by(5)])]);

    expect(result.firstBreak).toMatchObject({ block: 1 });
    expect(result.firstBreak?.reason).toMatch(/consenter id 5, not one of the consenters in force \(1, 2, 3, 4\)/);
  });

  it('reports a signer named by a full identity that is not a consenter (a foreign orderer) as BROKEN', () => {
    const g = genesis();
    const foreign: SignatureSpec = { claims: { identity: outsider }, signer: outsider };
    const result = verifyChain([g, block(1, g, [transaction('tx-1')], [by(1), by(2), foreign])]);

    expect(result.firstBreak).toMatchObject({ block: 1 });
    expect(result.firstBreak?.reason).toMatch(/signature 2 is by CN=outsider.*\(Org1MSP\), not a consenter in force/);
  });

  it('reports a signature that claims a consenter id but was made with another key as BROKEN', () => {
    const g = genesis();
    const forged: SignatureSpec = { claims: 3, signer: outsider };
    const result = verifyChain([g, block(1, g, [transaction('tx-1')], [by(1), by(2), forged])]);

    expect(result.firstBreak).toMatchObject({ block: 1 });
    expect(result.firstBreak?.reason).toMatch(/signature 2 \(consenter 3, Org3MSP\) does not verify over block 1's header/);
  });

  it('accepts a consenter named by its full identity (SignatureHeader) as Fabric does', () => {
    const g = genesis();
    const byIdentity: SignatureSpec = { claims: { identity: member(4) }, signer: member(4) };
    expect(verifyChain([g, block(1, g, [transaction('tx-1')], [by(1), by(2), byIdentity])]).intact).toBe(true);
  });

  describe('a configuration block that adds a fifth consenter', () => {
    // The configuration block is signed by the set before it; its set (quorum 4 of 5) applies after it.
    const grow = (): [common.Block, common.Block] => {
      const g = genesis();
      return [g, block(1, g, [configEnvelope([1, 2, 3, 4, 5])], [by(1), by(2), by(3)])];
    };

    it('is followed: later blocks need 4 of the 5 consenters, the new one counting', () => {
      const [g, b1] = grow();
      const b2 = block(2, b1, [transaction('tx-2')], [by(2), by(3), by(4), by(5)]);

      const result = verifyChain([g, b1, b2]);

      expect(result.intact).toBe(true);
      expect(result.ordering).toMatchObject({ quorum: 4, consenterSetChanges: 1 });
      expect(result.ordering?.consenters.map((c) => c.id)).toEqual([1, 2, 3, 4, 5]);
    });

    it('reports a later block with only the old quorum (3 of 5) as BROKEN at that block', () => {
      const [g, b1] = grow();
      const result = verifyChain([g, b1, block(2, b1, [transaction('tx-2')], [by(1), by(2), by(3)])]);

      expect(result.firstBreak).toMatchObject({ block: 2 });
      expect(result.firstBreak?.reason).toMatch(/the quorum of the 5 consenters in force is 4/);
    });

    it('does not let the new consenter sign the configuration block that adds it', () => {
      const g = genesis();
      const result = verifyChain([g, block(1, g, [configEnvelope([1, 2, 3, 4, 5])], [by(1), by(2), by(5)])]);

      expect(result.firstBreak).toMatchObject({ block: 1 });
      expect(result.firstBreak?.reason).toMatch(/consenter id 5, not one of the consenters in force/);
    });
  });

  it('refuses a consenter mapping whose identity does not chain to its orderer organisation', () => {
    const config = bftConfig([1, 2, 3, 4]);
    const ordererGroup = config.getChannelGroup()?.getGroupsMap().get('Orderer');
    const mapping = common.Orderers.deserializeBinary(ordererGroup?.getValuesMap().get('Orderers')?.getValue_asU8() ?? new Uint8Array());
    mapping.getConsenterMappingList()[0]?.setIdentity(outsider.certPem);
    ordererGroup?.getValuesMap().set('Orderers', value(mapping.serializeBinary()));
    const configEnv = new common.ConfigEnvelope();
    configEnv.setConfig(config);
    const g = genesis();
    const result = verifyChain([g, block(1, g, [envelope(HEADER_TYPE_CONFIG, '', configEnv.serializeBinary())], [by(1), by(2), by(3)])]);

    expect(result.firstBreak).toMatchObject({ block: 1 });
    expect(result.firstBreak?.reason).toMatch(/consenter 1 \(Org1MSP\) does not chain to an orderer organisation's CA/);
  });
});
