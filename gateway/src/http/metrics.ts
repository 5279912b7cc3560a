import { Router, type Request, type RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface HttpMetrics {
  readonly registry: Registry;
  /** Counts and times every request, labelled by route pattern (never the raw path: it would explode cardinality). */
  readonly middleware: RequestHandler;
}

export interface HttpMetricsOptions {
  readonly collectProcessMetrics?: boolean;
  readonly org?: string;
}

/*
 * Express restores req.baseUrl when an error unwinds out of a sub-router, so by the time the response finishes the
 * mount path may be gone. Routers built with resourceRouter() record it on entry.
 */
const mountPaths = new WeakMap<Request, string>();

const recordMountPath: RequestHandler = (req, _res, next) => {
  mountPaths.set(req, req.baseUrl);
  next();
};

const ROUTE_METHODS = ['all', 'get', 'post', 'put', 'delete', 'patch'] as const;

/**
 * A Router whose routes are labelled in metrics by their full pattern (e.g. /api/v1/datasets/:id).
 * Each route records the mount path as its first handler, so only the route that matches pays for it; a
 * router-wide middleware ran for every request merely passing through (a read crossed four such routers).
 */
export function resourceRouter(): Router {
  const router = Router();
  for (const method of ROUTE_METHODS) {
    const register = router[method].bind(router) as (path: string, ...handlers: RequestHandler[]) => Router;
    const withMountPath = (path: string, ...handlers: RequestHandler[]): Router => register(path, recordMountPath, ...handlers);
    router[method] = withMountPath as unknown as Router[typeof method];
  }
  return router;
}

function routeLabel(req: Request): string {
  const route: unknown = req.route;
  if (typeof route === 'object' && route !== null && 'path' in route && typeof route.path === 'string') {
    const base = mountPaths.get(req) ?? req.baseUrl;
    return route.path === '/' && base !== '' ? base : `${base}${route.path}`;
  }
  return 'unmatched';
}

export function createHttpMetrics(options: HttpMetricsOptions = {}): HttpMetrics {
  const registry = new Registry();
  if (options.org !== undefined) {
    registry.setDefaultLabels({ org: options.org });
  }
  if (options.collectProcessMetrics === true) {
    collectDefaultMetrics({ register: registry });
  }
  const requests = new Counter({
    name: 'govshare_http_requests_total',
    help: 'HTTP requests handled, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'govshare_http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const middleware: RequestHandler = (req, res, next) => {
    // performance.now() rather than duration.startTimer(): the same seconds, without a timer closure and a merged
    // label object per request.
    const started = performance.now();
    res.once('finish', () => {
      const labels = { method: req.method, route: routeLabel(req), status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, (performance.now() - started) / 1000);
    });
    next();
  };
  return { registry, middleware };
}
