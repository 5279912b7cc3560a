#!/usr/bin/env node
// Writes each department gateway's configuration (.govshare/gateways/<org>.json) and the operator's
// token file (.govshare/gateways.json, mode 0600). Tokens are random, kept across restarts, and the
// gateways only ever see their SHA-256.
// Usage: write-gateway-config.js <state dir> <org>=<mspId>,<gatewayPort>,<peerPort>,<dataExchangePort>,<caPort>,<listenAddress>,<peerHost>,<gatewayHost>,<caHost>[,<operationsPort>] ...
// On loopback every address is 127.0.0.1 and the API is plain HTTP. In the hosts topology (network.sh up --hosts)
// each gateway listens on its own host's address, serves its API over HTTPS with its CA-issued TLS certificate
// (the gateway refuses plain HTTP off loopback), health and metrics on the operations port, and names the peer,
// the CA and the other departments' data exchanges by host name.
// FABRIC_CA_BIN names the directory of fabric-ca-client, which the gateways run to enrol users (POST /admin/users).
// The operator's tokens expire after GOVSHARE_OPERATOR_TOKEN_DAYS (default 90) and are renewed here once expired;
// department admins issue, rotate and revoke further tokens through /api/v1/admin/tokens (store: .govshare/orgs/<org>/gateway-state/api-tokens.json).
// GOVSHARE_GATEWAY_RATE_LIMIT=<requests per token per minute> overrides the gateways' default limit
// (npm run bench raises it for its run: P1 measures the gateway, not its rate limiter).
'use strict';
const { createHash, randomBytes } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROLES = ['officer', 'approver', 'auditor', 'admin'];

function keyFileIn(mspDir) {
  const keystore = path.join(mspDir, 'keystore');
  const key = fs.readdirSync(keystore).find((name) => name.endsWith('_sk'));
  if (!key) throw new Error(`no private key in ${keystore}`);
  return path.join(keystore, key);
}

function writePrivate(file, value) {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

function rateLimit() {
  const max = process.env.GOVSHARE_GATEWAY_RATE_LIMIT;
  if (!max) return {};
  if (!/^[1-9][0-9]*$/.test(max)) throw new Error(`GOVSHARE_GATEWAY_RATE_LIMIT must be a positive integer, not ${max}`);
  return { rateLimit: { windowMs: 60_000, max: Number(max) } };
}

function operatorTokenDays() {
  const days = process.env.GOVSHARE_OPERATOR_TOKEN_DAYS || '90';
  if (!/^[1-9][0-9]*$/.test(days)) throw new Error(`GOVSHARE_OPERATOR_TOKEN_DAYS must be a positive integer, not ${days}`);
  return Number(days);
}

function main() {
  const [stateDir, ...orgSpecs] = process.argv.slice(2);
  if (!stateDir || orgSpecs.length === 0) {
    throw new Error('usage: write-gateway-config.js <state dir> <org>=<msp>,<port>,<peerPort>,<dataExchangePort>,<caPort>,<listenAddress>,<peerHost>,<gatewayHost>,<caHost>[,<operationsPort>]...');
  }
  const tokensFile = path.join(stateDir, 'gateways.json');
  const previous = fs.existsSync(tokensFile) ? JSON.parse(fs.readFileSync(tokensFile, 'utf8')) : {};
  const orgs = orgSpecs.map((spec) => {
    const [org, rest] = spec.split('=');
    const [mspId, port, peerPort, dataExchangePort, caPort, listenAddress, peerHost, gatewayHost, caHost, operationsPort] = rest.split(',');
    if (!caHost) throw new Error(`no CA host in ${spec}`);
    return { org, mspId, port, peerPort, dataExchangePort, caPort, listenAddress, peerHost, gatewayHost, caHost, operationsPort };
  });
  // Every department's data-exchange endpoint and TLS CA: whom a gateway may fetch from and trust.
  const dataExchangePeers = orgs.map(({ org, mspId, dataExchangePort, gatewayHost }) => ({
    mspId,
    url: `https://${gatewayHost}:${dataExchangePort}`,
    tlsRootCertPath: path.join(stateDir, 'ca', org, 'ca-cert.pem'),
  }));
  const channel = process.env.CHANNEL_NAME || 'govchannel';
  // The genesis block the operator created: the gateways' ledger verification checks block 0 against it.
  const genesisBlock = path.join(stateDir, 'channel', `${channel}.block`);
  const summary = {};
  const caBin = process.env.FABRIC_CA_BIN;
  if (!caBin) throw new Error('FABRIC_CA_BIN must name the directory of fabric-ca-client');
  for (const { org, mspId, port, peerPort, dataExchangePort, caPort, listenAddress, peerHost, gatewayHost, caHost, operationsPort } of orgs) {
    const gatewayDir = path.join(stateDir, 'orgs', org, 'nodes', `gateway.${org}`);
    const tls = { certPath: path.join(gatewayDir, 'tls', 'server.crt'), keyPath: path.join(gatewayDir, 'tls', 'server.key') };
    const offLoopback = operationsPort !== undefined;
    // TLS server names must be names: a loopback peer's certificate names localhost.
    const peerTlsName = /^[0-9.]+$/.test(peerHost) ? 'localhost' : peerHost;
    const tokens = {};
    const tokenExpiresAt = {};
    const users = ROLES.map((role) => {
      // A token is kept until a day before it expires (one written before tokens expired gets an expiry now).
      const kept = previous[org]?.tokens?.[role];
      const expiry = previous[org]?.tokenExpiresAt?.[role];
      const renew = kept === undefined || (expiry !== undefined && Date.parse(expiry) <= Date.now() + 86_400_000);
      const token = renew ? randomBytes(32).toString('base64url') : kept;
      tokens[role] = token;
      tokenExpiresAt[role] = renew || expiry === undefined ? new Date(Date.now() + operatorTokenDays() * 86_400_000).toISOString() : expiry;
      const msp = path.join(stateDir, 'orgs', org, 'users', `${org}-${role}`, 'msp');
      return {
        id: `${org}-${role}`,
        role,
        certPath: path.join(msp, 'signcerts', 'cert.pem'),
        keyPath: keyFileIn(msp),
        tokenSha256: createHash('sha256').update(token).digest('hex'),
        tokenExpiresAt: tokenExpiresAt[role],
      };
    });
    writePrivate(path.join(stateDir, 'gateways', `${org}.json`), {
      org,
      mspId,
      listen: offLoopback ? { host: listenAddress, port: Number(port), tls } : { host: listenAddress, port: Number(port) },
      ...(offLoopback ? { operations: { host: listenAddress, port: Number(operationsPort), tls } } : {}),
      peer: {
        endpoint: `${peerHost}:${peerPort}`,
        hostAlias: peerTlsName,
        tlsRootCertPath: path.join(stateDir, 'ca', org, 'ca-cert.pem'),
      },
      dataExchange: {
        listen: { host: listenAddress, port: Number(dataExchangePort) },
        tlsCertPath: tls.certPath,
        tlsKeyPath: tls.keyPath,
        // The gateway's own enrolment (govshare.role=gateway): it evaluates grants and signs delivery records.
        identity: {
          id: `gateway.${org}`,
          certPath: path.join(gatewayDir, 'msp', 'signcerts', 'cert.pem'),
          keyPath: keyFileIn(path.join(gatewayDir, 'msp')),
        },
        dataDir: path.join(stateDir, 'data', org),
        peers: dataExchangePeers,
      },
      ca: {
        url: `https://${caHost}:${caPort}`,
        caName: `ca-${org}`,
        tlsCertPath: path.join(stateDir, 'ca', org, 'ca-cert.pem'),
        // Not the CA's bootstrap registrar: one that may only register client identities with a role.
        registrarHome: path.join(stateDir, 'orgs', org, 'user-registrar'),
        clientBinary: path.join(path.resolve(caBin), 'fabric-ca-client'),
        walletDir: path.join(stateDir, 'wallets', org),
      },
      // The gateway's durable state (its Idempotency-Key store), part of the org's own state.
      stateDir: path.join(stateDir, 'orgs', org, 'gateway-state'),
      // Inside the org's own state, so that scripts/backup.sh <org> archives it with the rest.
      apiTokens: { storePath: path.join(stateDir, 'orgs', org, 'gateway-state', 'api-tokens.json') },
      channel,
      ...(fs.existsSync(genesisBlock) ? { genesisBlockPath: genesisBlock } : {}),
      chaincode: process.env.CHAINCODE_NAME || 'govshare',
      users,
      ...rateLimit(),
    });
    summary[org] = { url: offLoopback ? `https://${gatewayHost}:${port}` : `http://${gatewayHost}:${port}`, tokens, tokenExpiresAt };
  }
  writePrivate(tokensFile, { ...previous, ...summary });
}

main();
