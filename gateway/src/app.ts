import cors from 'cors';
import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';

import { DEFAULT_RATE_LIMIT, type OidcConfig, type RateLimitConfig } from './config';
import { RouteRegistry } from './http/apiRoutes';
import { requireBearerToken } from './http/auth';
import { problemErrorHandler, routeNotFound } from './http/errorHandler';
import type { IdempotencyStore } from './http/idempotency';
import type { HttpMetrics } from './http/metrics';
import { buildOpenApiDocument, type JsonObject } from './http/openapi';
import { perUserRateLimit } from './http/rateLimit';
import { requestLogging } from './http/requestLogging';
import { SqliteIdempotencyStore } from './http/sqliteIdempotencyStore';
import { adminRouter } from './http/routes/admin';
import { adminSignInsRouter, type SignInAdministration } from './http/routes/adminSignIns';
import { adminTokensRouter, type TokenAdministration } from './http/routes/adminTokens';
import { signInRouter } from './http/routes/signIn';
import { auditRouter } from './http/routes/audit';
import { certificatesRouter } from './http/routes/certificates';
import { consoleRouter } from './http/routes/console';
import { dataRouter } from './http/routes/data';
import { datasetsRouter } from './http/routes/datasets';
import { grantsRouter } from './http/routes/grants';
import { receiptsRouter } from './http/routes/receipts';
import { meRouter } from './http/routes/me';
import { offlineRouter } from './http/routes/offline';
import { docsRouter } from './http/routes/docs';
import { eventsRouter } from './http/routes/events';
import type { OfflineTransactions } from './fabric/offlineSigning';
import { operationsRouter, type ReadinessProbe } from './http/routes/health';
import type { TokenAuthenticator } from './identity/tokenAuthenticator';
import type { UserAdministration } from './services/userService';
import type { AuditService } from './services/auditService';
import type { CertificateService } from './services/certificateService';
import type { DataService } from './services/dataService';
import type { DatasetService } from './services/datasetService';
import type { EventFeedService } from './services/eventFeed';
import type { GrantService } from './services/grantService';
import type { LedgerVerificationService } from './services/ledgerVerificationService';
import type { ReceiptVerificationService } from './services/receiptVerificationService';

export interface AppOptions {
  /** Requests per token per window (default DEFAULT_RATE_LIMIT). */
  readonly rateLimit?: RateLimitConfig | undefined;
  /** Browser origins allowed by CORS; CORS is off when absent. */
  readonly corsOrigins?: readonly string[] | undefined;
  /** Interval of the keep-alive comment on /events (default 15 s). */
  readonly eventHeartbeatMs?: number | undefined;
  /** Event streams one token may hold open at once (default DEFAULT_MAX_STREAMS_PER_TOKEN). */
  readonly maxEventStreamsPerToken?: number | undefined;
  /** Aborted when the gateway starts shutting down: open event streams then end instead of holding the server open. */
  readonly shutdown?: AbortSignal | undefined;
  /** The built web console served at /console (default gateway/dist/console). */
  readonly consoleDir?: string | undefined;
  /**
   * Health and metrics are served by createOperationsApp on a listener of their own: the API app then has no
   * /healthz, /readyz or /metrics (nor are they in its OpenAPI document).
   */
  readonly separateOperations?: boolean | undefined;
}

export interface AppDeps {
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  readonly authenticator: TokenAuthenticator;
  readonly readiness: ReadinessProbe;
  readonly datasets: DatasetService;
  readonly grants: GrantService;
  readonly audit: AuditService;
  /** Ledger verification from the gateway's peer (GET /audit/ledger/verify); the route answers 503 without it. */
  readonly ledgerVerification?: LedgerVerificationService | undefined;
  readonly certificates: CertificateService;
  /** Off-chain payloads; the data routes answer 503 when the gateway has no dataExchange configuration. */
  readonly data?: DataService | undefined;
  /** Access receipt verification against the channel and the ledger; POST /receipts/verify answers 503 without it. */
  readonly receipts?: ReceiptVerificationService | undefined;
  /** Offline signing for apps holding their own keys; its routes answer 503 without it. */
  readonly offline?: OfflineTransactions | undefined;
  /** The callers' chaincode event feeds (GET /events). */
  readonly events: EventFeedService;
  /** Run-time user enrolment with the org's CA; POST /admin/users answers 503 without it. */
  readonly users?: UserAdministration | undefined;
  /** API token administration (/admin/tokens); its routes answer 503 without it. */
  readonly tokens?: TokenAdministration | undefined;
  /** OIDC sign-in: what the console needs (GET /sign-in) and the admins' revocations (/admin/sign-ins). */
  readonly oidc?: { readonly config: OidcConfig; readonly revocations: SignInAdministration } | undefined;
  /** Replay store for Idempotency-Key; by default one in memory (the server passes the durable one of its state directory). */
  readonly idempotency?: IdempotencyStore;
  readonly options?: AppOptions;
}

export const API_PREFIX = '/api/v1';
export const BODY_LIMIT = '256kb';

const API_VERSION = '1.0.0';

/** Headers a browser app may send and read when CORS is configured. */
const CORS_ALLOWED_HEADERS = ['Authorization', 'Content-Type', 'Idempotency-Key', 'Last-Event-ID', 'X-Request-Id'];
const CORS_EXPOSED_HEADERS = ['Location', 'Idempotency-Replayed', 'Retry-After', 'RateLimit', 'RateLimit-Policy', 'X-Request-Id'];

/** Builds the HTTP app from injected deps; it opens no connections itself, so tests drive it in-process. */
export function createApp(deps: AppDeps): Express {
  const options = deps.options ?? {};
  const routes = new RouteRegistry();
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  // No ETag on res.send/res.json: Express would SHA-1 every response body to compute one (and turn small bodies
  // into Buffers, which costs a writev(2) instead of one write(2)). API answers are per-caller ledger reads and
  // the API advertises no conditional requests (If-None-Match / 304) in its OpenAPI document, so nothing uses
  // them. The console's static files keep theirs (express.static sets its own); Swagger UI's files (res.sendFile)
  // keep Last-Modified, so browsers still revalidate them with If-Modified-Since.
  app.set('etag', false);

  // The API serves JSON only: nothing may load, frame or execute. /docs (Swagger UI) and /console (the web console) relax it.
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"], frameAncestors: ["'none'"] },
      },
    }),
  );
  app.use(requestLogging(deps.logger));
  app.use(deps.metrics.middleware);
  if (options.corsOrigins !== undefined && options.corsOrigins.length > 0) {
    app.use(
      cors({
        origin: [...options.corsOrigins],
        allowedHeaders: CORS_ALLOWED_HEADERS,
        exposedHeaders: CORS_EXPOSED_HEADERS,
        maxAge: 600,
      }),
    );
  }

  // Routers are built in the order their routes appear in the OpenAPI document (operations, docs, then the API),
  // but the API is mounted first: an API request (the hot path) then never walks through the operations, docs
  // and console routers, whose paths (/healthz, /readyz, /metrics, /openapi.json, /docs, /console) do not
  // overlap /api/v1.
  const operations = options.separateOperations === true ? undefined : operationsRouter(deps.readiness, deps.metrics.registry, routes);
  let document: JsonObject | undefined;
  const docs = docsRouter(routes, () =>
    (document ??= buildOpenApiDocument(routes.routes, {
      title: 'govshare department gateway',
      version: API_VERSION,
      description: 'REST API of a department gateway to the govshare Fabric network',
    })),
  );
  const signIn = signInRouter(deps.oidc?.config, routes);
  // The console exchanges its authorization code at the provider's token endpoint: its CSP must allow that origin.
  const consoleApp = consoleRouter(options.consoleDir, deps.oidc === undefined ? [] : [new URL(deps.oidc.config.issuer).origin]);

  // Authenticate before reading the body: unauthenticated callers cannot make us parse 256kb of JSON.
  const api = express.Router();
  api.use(requireBearerToken(deps.authenticator));
  api.use(perUserRateLimit(options.rateLimit ?? DEFAULT_RATE_LIMIT));
  const idempotency = deps.idempotency ?? new SqliteIdempotencyStore(':memory:');
  // Before the API's body parser: dataset payloads have their own, larger limit.
  api.use('/datasets', dataRouter(deps.data, routes, `${API_PREFIX}/datasets`, idempotency));
  api.use(express.json({ limit: BODY_LIMIT, strict: true }));
  api.use('/datasets', datasetsRouter(deps.datasets, routes, `${API_PREFIX}/datasets`, idempotency));
  api.use('/grants', grantsRouter(deps.grants, routes, `${API_PREFIX}/grants`, idempotency));
  api.use('/audit', auditRouter(deps.audit, deps.ledgerVerification, routes, `${API_PREFIX}/audit`));
  api.use('/offline', offlineRouter(deps.offline, routes, `${API_PREFIX}/offline`));
  api.use('/certificates', certificatesRouter(deps.certificates, routes, `${API_PREFIX}/certificates`, idempotency));
  api.use('/admin/sign-ins', adminSignInsRouter(deps.oidc?.revocations, routes, `${API_PREFIX}/admin/sign-ins`));
  api.use('/admin/tokens', adminTokensRouter(deps.tokens, routes, `${API_PREFIX}/admin/tokens`));
  api.use('/admin', adminRouter(deps.users, routes, `${API_PREFIX}/admin`, idempotency));
  api.use('/me', meRouter(routes, `${API_PREFIX}/me`));
  api.use('/receipts', receiptsRouter(deps.receipts, routes, `${API_PREFIX}/receipts`));
  api.use('/events', eventsRouter(deps.events, routes, `${API_PREFIX}/events`, options.eventHeartbeatMs, options.shutdown, options.maxEventStreamsPerToken));

  app.use(API_PREFIX, api);
  if (operations !== undefined) app.use(operations);
  app.use(docs);
  app.use(signIn);
  app.use('/console', consoleApp);

  app.use(routeNotFound);
  app.use(problemErrorHandler);
  return app;
}

export interface OperationsAppDeps {
  readonly logger: Logger;
  readonly readiness: ReadinessProbe;
  /** The API app's metrics registry: the operations listener exposes the API's metrics. */
  readonly metrics: Pick<HttpMetrics, 'registry'>;
}

/** Health and metrics alone, for the operations listener (AppOptions.separateOperations); no authentication. */
export function createOperationsApp(deps: OperationsAppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(helmet({ contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } } }));
  app.use(requestLogging(deps.logger.child({ component: 'operations' })));
  app.use(operationsRouter(deps.readiness, deps.metrics.registry, new RouteRegistry()));
  app.use(routeNotFound);
  app.use(problemErrorHandler);
  return app;
}
