/**
 * verify-ledger (run by scripts/verify-ledger.sh): checks a directory of a channel's block files
 * (0.block, 1.block, …) and, when given a peer and an identity, the audit trail in that peer's world
 * state against the chain — the same verification as the gateways' GET /audit/ledger/verify.
 * Exit 0: intact; 1: broken (the first break is printed); 2: could not run.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { loadSigningCredentials } from '../fabric/credentials';
import { FabricLedgerClient } from '../fabric/fabricLedgerClient';
import { auditTrailSource } from '../services/ledgerVerificationService';
import { blockFilesIn } from '../verification/chain';
import { describeVerification, verifyLedger } from '../verification/ledgerVerification';

const CLI_USER = 'verify-ledger';

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

  const { peer, 'tls-ca': tlsCa, 'msp-id': mspId, cert, key } = values;
  const withAudit = peer !== undefined && tlsCa !== undefined && mspId !== undefined && cert !== undefined && key !== undefined;
  const ledger = withAudit
    ? new FabricLedgerClient({
        peer: { endpoint: peer, hostAlias: 'localhost', tlsRootCert: readFileSync(tlsCa) },
        channel: values.channel,
        chaincode: values.chaincode,
        credentials: new Map([[CLI_USER, await loadSigningCredentials(mspId, { certPath: cert, keyPath: key })]]),
      })
    : undefined;
  try {
    const report = await verifyLedger({
      channel: values.channel,
      servedBy: `the block files in ${directory}`,
      height: files.length,
      blocks: files.map((file) => readFileSync(file)),
      trustedGenesis: values.genesis === undefined ? undefined : readFileSync(values.genesis),
      audit: ledger === undefined ? undefined : auditTrailSource(ledger, ledger, { id: CLI_USER, role: 'auditor', mspId: mspId ?? '' }),
      now: Date.now,
    });
    for (const line of describeVerification(report, mspId ?? '')) console.log(line);
    return report.verdict === 'INTACT' ? 0 : 1;
  } finally {
    ledger?.close();
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
