import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';

import pino from 'pino';

import { createApp } from './app';
import { ConfigError, loadConfigFromEnv, type GatewayConfig } from './config';
import { loadSigningCredentials, type SigningCredentials } from './fabric/credentials';
import { FabricLedgerClient } from './fabric/fabricLedgerClient';
import { createFabricMetrics, instrumentLedger } from './fabric/metrics';
import { createHttpMetrics } from './http/metrics';
import { createTokenAuthenticator } from './identity/tokenAuthenticator';
import { createDatasetService } from './services/datasetService';

const SHUTDOWN_GRACE_MS = 10_000;

async function loadAllCredentials(config: GatewayConfig): Promise<Map<string, SigningCredentials>> {
  const entries = await Promise.all(
    config.users.map(async (user) => [user.id, await loadSigningCredentials(config.mspId, user)] as const),
  );
  return new Map(entries);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function main(): Promise<void> {
  const bootstrapLogger = pino({ name: 'govshare-gateway' });
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

  // Credentials are read eagerly so a bad cert/key path fails at startup; per-user gateways connect lazily.
  const ledger = new FabricLedgerClient({
    peer: {
      endpoint: config.peer.endpoint,
      hostAlias: config.peer.hostAlias,
      tlsRootCert: readFileSync(config.peer.tlsRootCertPath),
    },
    channel: config.channel,
    chaincode: config.chaincode,
    credentials: await loadAllCredentials(config),
    onMvccRetry: (txName, attempt, delayMs) => {
      logger.warn({ txName, attempt, delayMs }, 'MVCC_READ_CONFLICT, retrying with a new transaction');
      fabricMetrics.countMvccRetry(txName);
    },
  });
  const instrumentedLedger = instrumentLedger(ledger, fabricMetrics);

  const app = createApp({
    logger,
    metrics,
    authenticator: createTokenAuthenticator(config.mspId, config.users),
    readiness: ledger,
    datasets: createDatasetService(instrumentedLedger),
    events: ledger,
    options: { rateLimit: config.rateLimit, corsOrigins: config.cors?.origins },
  });

  const server = createServer(app);
  try {
    await listen(server, config.listen.host, config.listen.port);
  } catch (err) {
    ledger.close();
    throw err;
  }
  logger.info({ host: config.listen.host, port: config.listen.port }, 'listening');

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('graceful shutdown timed out');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    server.close((err) => {
      ledger.close();
      clearTimeout(force);
      if (err) {
        logger.error({ err }, 'error closing HTTP server');
        process.exitCode = 1;
      }
      logger.info('stopped');
    });
    server.closeIdleConnections();
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  pino({ name: 'govshare-gateway' }).fatal({ err }, 'startup failed');
  process.exitCode = 1;
});
