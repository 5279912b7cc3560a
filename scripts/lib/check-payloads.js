#!/usr/bin/env node
// Checks a department's payload store against the ledger (after scripts/restore.sh): every dataset the
// department owns, read through its own gateway, must have its committed fingerprint's payload in the store
// (data/<org>/<dataset>/<sha256>.json) with exactly that SHA-256. Prints the verified count and names every
// dataset whose payload is missing (uploaded after the backup, or never uploaded); exits 1 only when a stored
// payload does not match its fingerprint.
// Usage: check-payloads.js <state dir> <org> (restore.sh runs it on the org's host with NODE_EXTRA_CA_CERTS set to
// the org's CA, since on a multi-host network the gateway serves HTTPS by host name).
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

async function main() {
  const [stateDir, org] = process.argv.slice(2);
  if (!stateDir || !org) throw new Error('usage: check-payloads.js <state dir> <org>');
  const gateway = JSON.parse(fs.readFileSync(path.join(stateDir, 'gateways.json'), 'utf8'))[org];
  if (!gateway) throw new Error(`no gateway of ${org} in gateways.json`);
  const mspId = `${org[0].toUpperCase()}${org.slice(1)}MSP`;
  const datasets = [];
  let cursor = '';
  do {
    const query = new URLSearchParams({ owner: mspId, limit: '100', ...(cursor ? { cursor } : {}) });
    const response = await fetch(`${gateway.url}/api/v1/datasets?${query}`, {
      headers: { authorization: `Bearer ${gateway.tokens.officer}` },
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`listing the datasets of ${mspId}: HTTP ${response.status} ${await response.text()}`);
    const page = await response.json();
    datasets.push(...page.items);
    cursor = page.nextCursor ?? '';
  } while (cursor !== '');

  const verified = [];
  const missing = [];
  const corrupt = [];
  for (const dataset of datasets) {
    const file = path.join(stateDir, 'data', org, dataset.id, `${dataset.fingerprint}.json`);
    if (!fs.existsSync(file)) {
      missing.push(`${dataset.id} (content version ${dataset.contentVersion}, fingerprint ${dataset.fingerprint})`);
    } else if (createHash('sha256').update(fs.readFileSync(file)).digest('hex') !== dataset.fingerprint) {
      corrupt.push(dataset.id);
    } else {
      verified.push(dataset.id);
    }
  }
  console.log(`payloads of ${org}: ${datasets.length} datasets on the ledger, ${verified.length} stored payloads verified against their on-chain fingerprints`);
  for (const line of missing) console.log(`payload missing (uploaded after the archive, or never to this store; the gateway answers 404 PAYLOAD_NOT_AVAILABLE): ${line}`);
  for (const id of corrupt) console.log(`payload CORRUPT (its SHA-256 is not the fingerprint on the ledger): ${id}`);
  if (corrupt.length > 0) process.exitCode = 1;
}

main().catch((err) => {
  console.error(`check-payloads: ${err.message}`);
  process.exitCode = 1;
});
