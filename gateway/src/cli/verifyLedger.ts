/**
 * verify-ledger (run by scripts/verify-ledger.sh): checks a channel's blocks, streamed from a peer's
 * deliver service (--peer with an identity) or read from a directory of block files (--blocks-dir:
 * 0.block, 1.block, …), and, with a peer and unless --no-audit, the audit trail in that peer's world state
 * against the chain — the same verification as the gateways' GET /audit/ledger/verify.
 * Blocks pass through one at a time (one deliver stream, or one file read at a time), so memory does not
 * grow with the chain's length; --save DIR keeps a copy of each streamed block as DIR/<n>.block.
 * Exit 0: intact; 1: broken (the first break is printed); 2: could not run.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { common } from '@hyperledger/fabric-protos';

import { loadSigningCredentials } from '../fabric/credentials';
import { createFabricAdapters } from '../fabric/adapters';
import { auditTrailSource } from '../services/ledgerVerificationService';
import { blockFilesIn } from '../verification/chain';
import { describeVerification, verifyLedger, type LedgerVerification } from '../verification/ledgerVerification';

const CLI_USER = 'verify-ledger';

/** The files' contents one at a time, in order: never the whole chain in memory. */
function* readEach(files: readonly string[]): Iterable<Uint8Array> {
  for (const file of files) yield readFileSync(file);
}

/** Passes the streamed blocks on, writing each to `directory`/<number>.block first. */
async function* saving(blocks: AsyncIterable<common.Block>, directory: string): AsyncIterable<common.Block> {
  mkdirSync(directory, { recursive: true });
  for await (const block of blocks) {
    writeFileSync(path.join(directory, `${String(block.getHeader()?.getNumber() ?? 0)}.block`), block.serializeBinary());
    yield block;
  }
}

/**
 * The name the peer's TLS certificate is checked against: its host name (peer0.<org>.govshare.test in the hosts
 * mode), or localhost for an IP address, since TLS server names must be names and loopback peers' certificates name it.
 */
function tlsServerName(endpoint: string): string {
  const host = endpoint.slice(0, endpoint.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  return isIP(host) === 0 ? host : 'localhost';
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'blocks-dir': { type: 'string' },
      save: { type: 'string' },
      'no-audit': { type: 'boolean', default: false },
      genesis: { type: 'string' },
      peer: { type: 'string' },
      'tls-ca': { type: 'string' },
      'msp-id': { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      channel: { type: 'string', default: 'govchannel' },
      chaincode: { type: 'string', default: 'govshare' },
    },
  });
  const directory = values['blocks-dir'];
  const { peer, 'tls-ca': tlsCa, 'msp-id': mspId, cert, key, save } = values;
  const connected = peer !== undefined && tlsCa !== undefined && mspId !== undefined && cert !== undefined && key !== undefined;
  if (directory === undefined && !connected) throw new Error('give --blocks-dir, or --peer with --tls-ca, --msp-id, --cert and --key');
  const fabric = connected
    ? createFabricAdapters({
        peer: { endpoint: peer, hostAlias: tlsServerName(peer), tlsRootCert: readFileSync(tlsCa) },
        channel: values.channel,
        chaincode: values.chaincode,
        credentials: new Map([[CLI_USER, await loadSigningCredentials(mspId, { certPath: cert, keyPath: key })]]),
      })
    : undefined;
  const user = { id: CLI_USER, role: 'auditor', mspId: mspId ?? '' } as const;
  try {
    let source: { servedBy: string; height: number; blocks: AsyncIterable<Uint8Array | common.Block> | Iterable<Uint8Array>; close: () => void };
    if (directory !== undefined) {
      const files = blockFilesIn(directory);
      console.log(`verifying ${files.length} block files from ${directory}`);
      source = { servedBy: `the block files in ${directory}`, height: files.length, blocks: readEach(files), close: () => undefined };
    } else if (fabric !== undefined) {
      const height = await fabric.archive.chainHeight(user);
      const stream = await fabric.archive.blocks(user, height);
      console.log(`verifying blocks 0..${String(height - 1n)} streamed from ${peer ?? ''}`);
      source = { servedBy: `${mspId ?? ''}'s peer at ${peer ?? ''}`, height: Number(height), blocks: save === undefined ? stream : saving(stream, save), close: () => { stream.close(); } };
    } else {
      throw new Error('no blocks to verify');
    }
    let report: LedgerVerification;
    try {
      report = await verifyLedger({
        channel: values.channel,
        servedBy: source.servedBy,
        height: source.height,
        blocks: source.blocks,
        trustedGenesis: values.genesis === undefined ? undefined : readFileSync(values.genesis),
        audit: fabric === undefined || values['no-audit'] ? undefined : auditTrailSource(fabric.transactions, fabric.archive, user),
        now: Date.now,
      });
    } finally {
      source.close();
    }
    for (const line of describeVerification(report, mspId ?? '')) console.log(line);
    return report.verdict === 'INTACT' ? 0 : 1;
  } finally {
    fabric?.connection.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`verify-ledger: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
