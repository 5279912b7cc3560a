import express, { type Express } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';

import { requireBearerToken } from './http/auth';
import { problemErrorHandler, routeNotFound } from './http/errorHandler';
import type { HttpMetrics } from './http/metrics';
import { requestLogging } from './http/requestLogging';
import { datasetsRouter } from './http/routes/datasets';
import { operationsRouter, type ReadinessProbe } from './http/routes/health';
import type { TokenAuthenticator } from './identity/tokenAuthenticator';
import type { DatasetService } from './services/datasetService';

export interface AppDeps {
  readonly logger: Logger;
  readonly metrics: HttpMetrics;
  readonly authenticator: TokenAuthenticator;
  readonly readiness: ReadinessProbe;
  readonly datasets: DatasetService;
}

export const API_PREFIX = '/api/v1';

/** Builds the HTTP app from injected deps; it opens no connections itself, so tests drive it in-process. */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);

  app.use(helmet());
  app.use(requestLogging(deps.logger));
  app.use(deps.metrics.middleware);

  app.use(operationsRouter(deps.readiness, deps.metrics.registry));

  // Authenticate before reading the body: unauthenticated callers cannot make us parse 256kb of JSON.
  const api = express.Router();
  api.use(requireBearerToken(deps.authenticator));
  api.use(express.json({ limit: '256kb', strict: true }));
  api.use('/datasets', datasetsRouter(deps.datasets));
  app.use(API_PREFIX, api);

  app.use(routeNotFound);
  app.use(problemErrorHandler);
  return app;
}
