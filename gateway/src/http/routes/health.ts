import type { Router } from 'express';
import type { Registry } from 'prom-client';
import { z } from 'zod';

import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { resourceRouter } from '../metrics';
import { HttpProblem } from '../problem';

export interface ReadinessProbe {
  /** Resolves when the ledger can serve requests; rejects otherwise. */
  checkReady(): Promise<void>;
}

const HealthStatus = named('HealthStatus', z.object({ status: z.enum(['ok', 'ready']) }));

/** Unauthenticated operational endpoints; the gateway listens on loopback only. */
export function operationsRouter(readiness: ReadinessProbe, metricsRegistry: Registry, routes: RouteRegistry): Router {
  const router = resourceRouter();
  const bind = bindRoutes(router, routes, '');
  const common = { tags: ['operations'], security: 'none', errors: [] } as const;

  bind.json(
    {
      ...common,
      method: 'get',
      path: '/healthz',
      operationId: 'health',
      summary: 'Liveness: the process answers',
      response: { status: 200, description: 'Alive', schema: HealthStatus },
    },
    () => ({ status: 200, body: { status: 'ok' } }),
  );

  bind.json(
    {
      ...common,
      method: 'get',
      path: '/readyz',
      operationId: 'readiness',
      summary: "Readiness: the department's Fabric peer is reachable",
      response: { status: 200, description: 'Ready', schema: HealthStatus },
      errors: [503],
    },
    async (_input, req) => {
      try {
        await readiness.checkReady();
      } catch (err) {
        req.log.warn({ err }, 'not ready');
        throw new HttpProblem({
          status: 503,
          code: 'NOT_READY',
          title: 'Not ready',
          detail: 'The Fabric peer is not reachable',
        });
      }
      return { status: 200, body: { status: 'ready' } };
    },
  );

  bind.raw(
    {
      ...common,
      method: 'get',
      path: '/metrics',
      operationId: 'metrics',
      summary: 'Prometheus metrics',
      response: { status: 200, description: 'Prometheus text exposition format', contentType: 'text/plain' },
    },
    async (_input, _req, res) => {
      res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
    },
  );

  return router;
}
