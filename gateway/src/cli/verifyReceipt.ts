/**
 * verify-receipt (run by scripts/verify-receipt.sh): checks a signed access receipt (JSON file) the way
 * POST /receipts/verify does, from a peer of the verifier's own choosing with the verifier's own identity: the
 * owner gateway's signature against the owner's CA in the channel configuration, and the RecordDelivery
 * transaction it names on that peer's ledger. Exit 0: valid; 1: does not verify (the failed checks are printed);
 * 2: could not run.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { SignedAccessReceipt } from '../exchange/receipts';
import { loadSigningCredentials } from '../fabric/credentials';
import { createFabricAdapters } from '../fabric/adapters';
import { createReceiptVerificationService } from '../services/receiptVerificationService';

const CLI_USER = 'verify-receipt';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      peer: { type: 'string' },
      'tls-ca': { type: 'string' },
      'msp-id': { type: 'string' },
      cert: { type: 'string' },
      key: { type: 'string' },
      channel: { type: 'string', default: 'govchannel' },
      chaincode: { type: 'string', default: 'govshare' },
    },
  });
  const [file] = positionals;
  const { peer, 'tls-ca': tlsCa, 'msp-id': mspId, cert, key } = values;
  if (file === undefined || peer === undefined || tlsCa === undefined || mspId === undefined || cert === undefined || key === undefined) {
    throw new Error('usage: verifyReceipt.js <receipt.json> --peer host:port --tls-ca <pem> --msp-id <msp> --cert <pem> --key <pem>');
  }
  const parsed = SignedAccessReceipt.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    console.error(`${file} is not a signed access receipt: ${parsed.error.message}`);
    return 1;
  }
  const fabric = createFabricAdapters({
    peer: { endpoint: peer, hostAlias: 'localhost', tlsRootCert: readFileSync(tlsCa) },
    channel: values.channel,
    chaincode: values.chaincode,
    credentials: new Map([[CLI_USER, await loadSigningCredentials(mspId, { certPath: cert, keyPath: key })]]),
  });
  try {
    const verdict = await createReceiptVerificationService(fabric.archive).verify({ id: CLI_USER, role: 'auditor', mspId }, parsed.data);
    for (const check of verdict.checks) console.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
    const { receipt } = parsed.data;
    console.log(
      verdict.valid
        ? `VALID: ${receipt.ownerMsp} delivered fields ${receipt.fields.join(',')} of ${receipt.datasetId} to ${receipt.requesterMsp} (tx ${receipt.txId})`
        : 'NOT VALID',
    );
    return verdict.valid ? 0 : 1;
  } finally {
    fabric.connection.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  },
);
