import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';

import pino from 'pino';

import type { Logger } from 'pino';

import { createApp } from './app';
import { ConfigError, loadConfigFromEnv, type DataExchangeConfig, type GatewayConfig, type UserConfig } from './config';
import { createMtlsPayloadFetcher } from './exchange/exchangeClient';
import { createExchangeApp, createExchangeServer, tlsClientIdentifier } from './exchange/exchangeServer';
import { FilePayloadStore } from './exchange/payloadStore';
import type { ExchangePeer } from './exchange/peers';
import { ownPeerLedger, type LedgerClient } from './fabric/ledgerClient';
import { loadSigningCredentials, type SigningCredentials } from './fabric/credentials';
import { FabricLedgerClient } from './fabric/fabricLedgerClient';
import { createFabricMetrics, instrumentLedger } from './fabric/metrics';
import { appServerOptions } from './http/appServer';
import { createHttpMetrics } from './http/metrics';
import { SqliteIdempotencyStore } from './http/sqliteIdempotencyStore';
import { FabricCaClient } from './identity/certificateAuthority';
import { createTokenAuthenticator } from './identity/tokenAuthenticator';
import { FileWallet } from './identity/wallet';
import { createAuditService } from './services/auditService';
import { createCertificateService } from './services/certificateService';
import { createDataService, type DataService } from './services/dataService';
import { createDatasetService } from './services/datasetService';
import { createGrantService } from './services/grantService';
import { createLedgerVerificationService } from './services/ledgerVerificationService';
import { createUserService } from './services/userService';

const SHUTDOWN_GRACE_MS = 10_000;

/** Every user's signing credentials, and the gateway's own (which no token maps to). */
async function loadAllCredentials(config: GatewayConfig, users: readonly UserConfig[]): Promise<Map<string, SigningCredentials>> {
  const entries = await Promise.all(users.map(async (user) => [user.id, await loadSigningCredentials(config.mspId, user)] as const));
  const credentials = new Map(entries);
  const gateway = config.dataExchange?.identity;
  if (gateway !== undefined) {
    if (credentials.has(gateway.id)) throw new ConfigError(`user id '${gateway.id}' is the gateway identity's`);
    credentials.set(gateway.id, await loadSigningCredentials(config.mspId, gateway));
  }
  return credentials;
}

/** The configured users, then those enrolled at run time (kept in the CA wallet); a configured id wins. */
async function allUsers(config: GatewayConfig, wallet: FileWallet | undefined, logger: Logger): Promise<UserConfig[]> {
  const enrolled = wallet === undefined ? [] : await wallet.list();
  const configured = new Set(config.users.map((user) => user.id));
  const tokens = new Set(config.users.map((user) => user.tokenSha256));
  const added = enrolled.filter((user) => {
    const clash = configured.has(user.id) || tokens.has(user.tokenSha256);
    if (clash) logger.warn({ userId: user.id }, 'wallet user clashes with a configured user; ignored');
    return !clash;
  });
  return [...config.users, ...added];
}

interface DataExchange {
  readonly data: DataService;
  readonly server: HttpsServer;
}

/**
 * The off-chain side of sharing: this department's payload store, the mutual-TLS endpoint other departments fetch
 * from, and the client that fetches from theirs. The endpoint checks access with the gateway's own identity
 * (govshare.role=gateway; the requesting department has no identity here), on this organisation's own peer only.
 */
async function setUpDataExchange(config: GatewayConfig, exchange: DataExchangeConfig, ledger: LedgerClient, logger: Logger): Promise<DataExchange> {
  // `role` is this process's label only: the chaincode reads the gateway's certificate, which has no `role` attribute.
  const serviceUser = { id: exchange.identity.id, role: 'officer' as const, mspId: config.mspId };
  const ownPeer = ownPeerLedger(ledger, config.mspId);
  const peers: ExchangePeer[] = exchange.peers.map((peer) => ({
    mspId: peer.mspId,
    url: peer.url,
    tlsRootCert: readFileSync(peer.tlsRootCertPath),
  }));
  const cert = readFileSync(exchange.tlsCertPath);
  const key = readFileSync(exchange.tlsKeyPath);
  await mkdir(exchange.dataDir, { recursive: true, mode: 0o700 });
  const store = new FilePayloadStore(exchange.dataDir);
  const datasets = createDatasetService(ledger);
  const grants = createGrantService(ledger);
  const exchangeLogger = logger.child({ component: 'data-exchange' });
  const app = createExchangeApp({
    logger: exchangeLogger,
    mspId: config.mspId,
    serviceUser,
    datasets: createDatasetService(ownPeer),
    grants: createGrantService(ownPeer),
    store,
    identifyClient: tlsClientIdentifier(peers),
    ...(exchange.limits === undefined ? {} : { limits: exchange.limits }),
  });
  return {
    server: createExchangeServer(app, { cert, key, peers }),
    data: createDataService({
      datasets,
      grants,
      store,
      fetcher: createMtlsPayloadFetcher({ cert, key, peers }),
      onPruneError: (err) => {
        exchangeLogger.warn({ err }, 'could not delete superseded payloads');
      },
    }),
  };
}

/**
 * Clients reuse keep-alive connections (undici drops idle ones after ~4 s). Node's default 5 s idle
 * timeout lets the server close a socket just as a client sends on it, which loses that request
 * ("other side closed"); keeping idle connections longer than any client does leaves the closing to
 * the client. headersTimeout must exceed keepAliveTimeout. (server.close() still closes idle ones.)
 *
 * The server advertises its timeout (`Keep-Alive: timeout=65`), and undici then keeps an idle socket
 * for that long minus one second: under CPU load a late timer on either side re-opens the same race
 * at 65 s (seen in CI as a lost GET after a long pause between requests). keepAliveTimeoutBuffer
 * (Node >= 24) keeps the socket open for that much longer than advertised, so the client always
 * closes first.
 */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;
const KEEP_ALIVE_TIMEOUT_BUFFER_MS = 30_000;

function listen(server: Server | HttpsServer, host: string, port: number): Promise<void> {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.keepAliveTimeoutBuffer = KEEP_ALIVE_TIMEOUT_BUFFER_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + KEEP_ALIVE_TIMEOUT_BUFFER_MS + 1_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/*
 * Log lines (one per request) go to stdout in batches: a write(2) per line cost ~40 µs of the gateway's ~1 ms
 * of CPU per read. Lines are written once 4 KiB have accumulated and at least every second; on exit pino
 * flushes what is left synchronously.
 */
const LOG_BATCH_BYTES = 4096;
const LOG_FLUSH_INTERVAL_MS = 1_000;

async function main(): Promise<void> {
  const bootstrapLogger = pino(
    { name: 'govshare-gateway' },
    pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS }),
  );
  let config: GatewayConfig;
  try {
    config = loadConfigFromEnv();
  } catch (err) {
    bootstrapLogger.fatal(err instanceof ConfigError ? err.message : err, 'invalid configuration');
    process.exitCode = 1;
    return;
  }
  const logger = bootstrapLogger.child({ org: config.org, mspId: config.mspId });

  const metrics = createHttpMetrics({ collectProcessMetrics: true, org: config.org });
  const fabricMetrics = createFabricMetrics(metrics.registry);

  const wallet = config.ca === undefined ? undefined : new FileWallet(config.ca.walletDir);
  const users = await allUsers(config, wallet, logger);
  // Credentials are read eagerly so a bad cert/key path fails at startup; per-user gateways connect lazily.
  const ledger = new FabricLedgerClient({
    peer: {
      endpoint: config.peer.endpoint,
      hostAlias: config.peer.hostAlias,
      tlsRootCert: readFileSync(config.peer.tlsRootCertPath),
    },
    channel: config.channel,
    chaincode: config.chaincode,
    credentials: await loadAllCredentials(config, users),
    ...(config.deadlines === undefined ? {} : { deadlines: config.deadlines }),
    onMvccRetry: (txName, attempt, delayMs) => {
      logger.warn({ txName, attempt, delayMs }, 'MVCC_READ_CONFLICT, retrying with a new transaction');
      fabricMetrics.countMvccRetry(txName);
    },
  });
  const instrumentedLedger = instrumentLedger(ledger, fabricMetrics);
  const exchange =
    config.dataExchange === undefined ? undefined : await setUpDataExchange(config, config.dataExchange, instrumentedLedger, logger);

  const authenticator = createTokenAuthenticator(config.mspId, users);
  const userAdministration =
    config.ca === undefined || wallet === undefined
      ? undefined
      : createUserService({
          mspId: config.mspId,
          ca: new FabricCaClient(config.ca),
          wallet,
          existingIds: users.map((user) => user.id),
          activate: async (user) => {
            ledger.addCredentials(user.id, await loadSigningCredentials(config.mspId, user));
            authenticator.add(user);
            logger.info({ userId: user.id, role: user.role }, 'user enrolled');
          },
        });

  const idempotency =
    config.stateDir === undefined ? new SqliteIdempotencyStore(':memory:') : SqliteIdempotencyStore.inDirectory(config.stateDir);
  if (config.stateDir === undefined) logger.warn('no stateDir configured: Idempotency-Keys are forgotten when the gateway restarts');

  const shutdownController = new AbortController();
  const app = createApp({
    idempotency,
    logger,
    metrics,
    authenticator,
    users: userAdministration,
    readiness: ledger,
    datasets: createDatasetService(instrumentedLedger),
    grants: createGrantService(instrumentedLedger),
    audit: createAuditService(instrumentedLedger),
    ledgerVerification: createLedgerVerificationService({
      ledger: instrumentedLedger,
      archive: ledger,
      channel: config.channel,
      peerMsp: config.mspId,
      trustedGenesis: config.genesisBlockPath === undefined ? undefined : readFileSync(config.genesisBlockPath),
    }),
    certificates: createCertificateService(instrumentedLedger),
    data: exchange?.data,
    offline: ledger,
    events: ledger,
    options: { rateLimit: config.rateLimit, corsOrigins: config.cors?.origins, shutdown: shutdownController.signal },
  });

  const server = createServer(appServerOptions(app), app);
  try {
    await listen(server, config.listen.host, config.listen.port);
    if (exchange !== undefined && config.dataExchange !== undefined) {
      await listen(exchange.server, config.dataExchange.listen.host, config.dataExchange.listen.port);
      logger.info(config.dataExchange.listen, 'data exchange listening (mutual TLS)');
    }
  } catch (err) {
    server.close();
    ledger.close();
    throw err;
  }
  logger.info({ host: config.listen.host, port: config.listen.port }, 'listening');

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    shutdownController.abort();
    const force = setTimeout(() => {
      logger.error('graceful shutdown timed out');
      server.closeAllConnections();
      exchange?.server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    const closeServer = (target: Server | HttpsServer): Promise<Error | undefined> =>
      new Promise((resolve) => {
        target.close((err) => {
          resolve(err);
        });
        target.closeIdleConnections();
      });
    const closing = [closeServer(server), ...(exchange === undefined ? [] : [closeServer(exchange.server)])];
    void Promise.all(closing).then((errors) => {
      ledger.close();
      idempotency.close();
      clearTimeout(force);
      const failed = errors.filter((err) => err !== undefined);
      if (failed.length > 0) {
        logger.error({ err: failed[0] }, 'error closing HTTP server');
        process.exitCode = 1;
      }
      logger.info('stopped');
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  pino({ name: 'govshare-gateway' }).fatal({ err }, 'startup failed');
  process.exitCode = 1;
});
