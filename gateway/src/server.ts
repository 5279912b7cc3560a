import { readFileSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { Server as HttpsServer } from 'node:https';

import pino from 'pino';

import type { Logger } from 'pino';

import { createApp, createOperationsApp } from './app';
import { ConfigError, loadConfigFromEnv, type DataExchangeConfig, type GatewayConfig, type OidcConfig, type UserConfig } from './config';
import { createMtlsPayloadFetcher } from './exchange/exchangeClient';
import { createExchangeApp, createExchangeServer, tlsClientIdentifier } from './exchange/exchangeServer';
import { FilePayloadStore } from './exchange/payloadStore';
import { signReceipt, type MspRoots } from './exchange/receipts';
import type { ChannelRecords } from './fabric/ledgerRecords';
import type { AuthenticatedUser } from './identity/user';
import type { ExchangePeer } from './exchange/peers';
import { ownPeerLedger, type LedgerClient } from './fabric/ledgerClient';
import { loadSigningCredentials, type SigningCredentials } from './fabric/credentials';
import { createFabricAdapters } from './fabric/adapters';
import { createFabricMetrics } from './fabric/metrics';
import { createHttpMetrics } from './http/metrics';
import { SqliteIdempotencyStore } from './http/sqliteIdempotencyStore';
import { FabricCaClient } from './identity/certificateAuthority';
import { ApiTokenStore } from './identity/apiTokens';
import { createOidcAuthenticator } from './identity/oidcAuthenticator';
import { createUserProvisioning } from './identity/oidcUsers';
import { FileSignInRevocations } from './identity/signInRevocations';
import { byTokenShape, type TokenAuthenticator } from './identity/tokenAuthenticator';
import { FileWallet } from './identity/wallet';
import { createListenerServer, listenOn, listenerUrl, type ListeningServer } from './listeners';
import { createAuditService } from './services/auditService';
import { createCertificateService } from './services/certificateService';
import { createDataService, type DataService } from './services/dataService';
import { createDatasetService } from './services/datasetService';
import { createEventFeedService } from './services/eventFeed';
import { createGrantService } from './services/grantService';
import { createOrgRoles } from './services/orgRoles';
import { createLedgerVerificationService } from './services/ledgerVerificationService';
import { createReceiptVerificationService } from './services/receiptVerificationService';
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
  const tokens = new Set(config.users.map((user) => user.tokenSha256).filter((hash) => hash !== undefined));
  const added = enrolled.filter((user) => {
    const clash = configured.has(user.id) || (user.tokenSha256 !== undefined && tokens.has(user.tokenSha256));
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
async function setUpDataExchange(
  config: GatewayConfig,
  exchange: DataExchangeConfig,
  ledger: LedgerClient,
  channel: ChannelRecords,
  logger: Logger,
): Promise<DataExchange> {
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
  const identityKey = createPrivateKey(readFileSync(exchange.identity.keyPath));
  const identityCertificate = readFileSync(exchange.identity.certPath, 'utf8');
  const app = createExchangeApp({
    logger: exchangeLogger,
    mspId: config.mspId,
    serviceUser,
    datasets: createDatasetService(ownPeer),
    grants: createGrantService(ownPeer),
    store,
    signReceipt: (receipt) => signReceipt(receipt, identityKey, identityCertificate),
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
      mspRoots: cachedMspRoots(channel),
      onPruneError: (err) => {
        exchangeLogger.warn({ err }, 'could not delete superseded payloads');
      },
    }),
  };
}

const MSP_ROOTS_TTL_MS = 60_000;

/** The channel's organisation CAs, read from our peer at most once a minute (they change only by a config update). */
function cachedMspRoots(channel: ChannelRecords): (user: AuthenticatedUser) => Promise<MspRoots> {
  let cached: { readonly at: number; readonly roots: MspRoots } | undefined;
  return async (user) => {
    if (cached !== undefined && Date.now() - cached.at < MSP_ROOTS_TTL_MS) return cached.roots;
    const roots = await channel.channelMspRoots(user);
    cached = { at: Date.now(), roots };
    return roots;
  };
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
    // Also plainly on stderr: an operator starting the service by hand reads why it refused.
    process.stderr.write(`govshare-gateway: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
    return;
  }
  const logger = bootstrapLogger.child({ org: config.org, mspId: config.mspId });

  const metrics = createHttpMetrics({ collectProcessMetrics: true, org: config.org });
  const fabricMetrics = createFabricMetrics(metrics.registry);

  const wallet = config.ca === undefined ? undefined : new FileWallet(config.ca.walletDir);
  const users = await allUsers(config, wallet, logger);
  // Credentials are read eagerly so a bad cert/key path fails at startup; per-user gateways connect lazily.
  const fabric = createFabricAdapters(
    {
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
    },
    fabricMetrics,
  );
  const ledger = fabric.transactions;
  const exchange =
    config.dataExchange === undefined ? undefined : await setUpDataExchange(config, config.dataExchange, ledger, fabric.archive, logger);

  const tokens = await ApiTokenStore.open(
    {
      mspId: config.mspId,
      path: config.apiTokens?.storePath,
      ...(config.apiTokens === undefined
        ? {}
        : { policy: { defaultLifetimeDays: config.apiTokens.defaultLifetimeDays, maxLifetimeDays: config.apiTokens.maxLifetimeDays } }),
    },
    users,
  );
  const caClient = config.ca === undefined ? undefined : new FabricCaClient(config.ca);
  const activateUser = async (user: UserConfig): Promise<void> => {
    fabric.connection.addCredentials(user.id, await loadSigningCredentials(config.mspId, user));
    tokens.addOwner(user);
  };
  let oidc: { config: OidcConfig; revocations: FileSignInRevocations } | undefined;
  let authenticator: TokenAuthenticator = tokens;
  if (config.oidc !== undefined && caClient !== undefined && wallet !== undefined) {
    const revocations = await FileSignInRevocations.open(config.oidc.revocationsPath);
    oidc = { config: config.oidc, revocations };
    authenticator = byTokenShape(
      tokens,
      createOidcAuthenticator({
        config: config.oidc,
        mspId: config.mspId,
        revocations,
        users: createUserProvisioning({
          mspId: config.mspId,
          ca: caClient,
          wallet,
          knownRole: (id) => tokens.roleOf(id),
          activate: activateUser,
          onEnrolled: (userId, role) => {
            logger.info({ userId, role }, 'signed-in user enrolled with the CA on first use');
          },
        }),
      }),
    );
    logger.info({ issuer: config.oidc.issuer, audience: config.oidc.audience }, 'OIDC sign-in enabled');
  }
  const userAdministration =
    caClient === undefined || wallet === undefined
      ? undefined
      : createUserService({
          mspId: config.mspId,
          ca: caClient,
          wallet,
          existingIds: users.map((user) => user.id),
          activate: async (user) => {
            await activateUser(user);
            logger.info({ userId: user.id, role: user.role }, 'user enrolled');
          },
          issueToken: async (userId, createdBy) => (await tokens.issue({ userId, label: 'first token, issued at enrolment', createdBy })).token,
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
    tokens: config.apiTokens === undefined ? undefined : tokens,
    oidc,
    readiness: fabric.connection,
    datasets: createDatasetService(ledger),
    grants: createGrantService(ledger),
    audit: createAuditService(ledger),
    ledgerVerification: createLedgerVerificationService({
      ledger,
      archive: fabric.archive,
      channel: config.channel,
      peerMsp: config.mspId,
      trustedGenesis: config.genesisBlockPath === undefined ? undefined : readFileSync(config.genesisBlockPath),
    }),
    certificates: createCertificateService(ledger),
    receipts: createReceiptVerificationService(fabric.archive),
    data: exchange?.data,
    offline: fabric.offline,
    events: createEventFeedService(fabric.events, createOrgRoles(ledger)),
    options: {
      rateLimit: config.rateLimit,
      corsOrigins: config.cors?.origins,
      shutdown: shutdownController.signal,
      separateOperations: config.operations !== undefined,
    },
  });

  const servers: ListeningServer[] = [];
  try {
    const server = createListenerServer(config.listen, app);
    servers.push(server);
    await listenOn(server, config.listen.host, config.listen.port);
    logger.info({ url: listenerUrl(config.listen) }, config.listen.tls === undefined ? 'listening (plain HTTP, loopback)' : 'listening (HTTPS, TLS 1.3)');
    if (config.operations !== undefined) {
      const operations = createListenerServer(config.operations, createOperationsApp({ logger, readiness: fabric.connection, metrics }));
      servers.push(operations);
      await listenOn(operations, config.operations.host, config.operations.port);
      logger.info({ url: listenerUrl(config.operations) }, 'operations listening (health, metrics)');
    }
    if (exchange !== undefined && config.dataExchange !== undefined) {
      servers.push(exchange.server);
      await listenOn(exchange.server, config.dataExchange.listen.host, config.dataExchange.listen.port);
      logger.info(config.dataExchange.listen, 'data exchange listening (mutual TLS)');
    }
  } catch (err) {
    for (const server of servers) server.close();
    ledger.close();
    throw err;
  }

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    shutdownController.abort();
    const force = setTimeout(() => {
      logger.error('graceful shutdown timed out');
      for (const server of servers) server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    const closeServer = (target: ListeningServer): Promise<Error | undefined> =>
      new Promise((resolve) => {
        target.close((err) => {
          resolve(err);
        });
        target.closeIdleConnections();
      });
    const closing = servers.map(closeServer);
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
