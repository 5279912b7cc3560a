import type { Router } from 'express';
import type { Registry } from 'prom-client';

import { resourceRouter } from '../metrics';
import { HttpProblem } from '../problem';

export interface ReadinessProbe {
  /** Resolves when the ledger can serve requests; rejects otherwise. */
  checkReady(): Promise<void>;
}

/** Unauthenticated operational endpoints; the gateway listens on loopback only. */
export function operationsRouter(readiness: ReadinessProbe, registry: Registry): Router {
  const router = resourceRouter();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (req, res) => {
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
    res.json({ status: 'ready' });
  });

  router.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });

  return router;
}
