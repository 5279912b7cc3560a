/**
 * verify-ledger: checks a directory of a channel's block files (0.block, 1.block, …) and, when given a
 * peer and an identity, the audit trail in that peer's world state against the chain.
 * Exit 0: intact; 1: broken (the first break is printed); 2: could not run.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyAuditTrail } from './audit';
import { blockFilesIn, verifyChain } from './verify';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'blocks-dir': { type: 'string' },
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
  if (directory === undefined) throw new Error('--blocks-dir is required');
  const files = blockFilesIn(directory);
  console.log(`verifying ${files.length} block files from ${directory}`);
  const chain = verifyChain(
    files.map((file) => readFileSync(file)),
    values.genesis === undefined ? {} : { trustedGenesis: readFileSync(values.genesis) },
  );
  let broken = !chain.intact;
  if (chain.intact) {
    console.log(`  hash chain, data hashes and ${chain.signatures} orderer signatures: OK for blocks 0..${chain.verifiedBlocks - 1} (${chain.configBlocks} configuration blocks, ${chain.transactions.size} transactions)`);
  } else {
    console.log(`  chain BROKEN at block ${chain.firstBreak?.block ?? '?'}: ${chain.firstBreak?.reason ?? ''}`);
    console.log(`  (blocks 0..${chain.verifiedBlocks - 1} verified before the break)`);
  }
  const { peer, 'tls-ca': tlsCa, 'msp-id': mspId, cert, key } = values;
  if (peer !== undefined && tlsCa !== undefined && mspId !== undefined && cert !== undefined && key !== undefined) {
    const since = new Date(chain.genesisTime ?? '2020-01-01T00:00:00Z');
    const audit = await verifyAuditTrail(
      { peerEndpoint: peer, tlsRootCertFile: tlsCa, mspId, certFile: cert, keyFile: key, channel: values.channel, chaincode: values.chaincode },
      since,
      chain.transactions,
    );
    if (audit.mismatches.length === 0) {
      console.log(`  audit trail: ${audit.records} records visible to ${mspId} (${audit.transactions} transactions) all match VALID transactions` +
        (audit.newerThanCopy > 0 ? ` (${audit.newerThanCopy} committed after the verified blocks, VALID per the peer)` : ''));
    } else {
      broken = true;
      console.log(`  audit trail BROKEN: ${audit.mismatches.length} of ${audit.records} records do not match a VALID transaction; first:`);
      const first = audit.mismatches[0];
      if (first !== undefined) console.log(`    record ${first.record.id} (${first.record.type}): ${first.reason}`);
    }
  }
  console.log(broken ? 'VERDICT: BROKEN' : 'VERDICT: INTACT');
  return broken ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (error: unknown) => {
    console.error(`verify-ledger: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
  },
);
