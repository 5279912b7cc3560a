import type { Router } from 'express';
import { Dataset, DatasetRegistration, Identifier } from 'govshare-chaincode/model';
import { z } from 'zod';

import type { DatasetService } from '../../services/datasetService';
import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import type { IdempotencyStore } from '../idempotency';
import { resourceRouter } from '../metrics';

export const RegisteredDatasetResponse = named(
  'RegisteredDataset',
  Dataset.extend({
    txId: z.string().describe('The committed transaction'),
    // blockNumber is a uint64 on the ledger: a decimal string never loses precision in JSON.
    blockNumber: z.string().regex(/^\d+$/).describe('The block that committed the transaction (uint64 as a string)'),
  }),
);

const DatasetIdParams = z.object({ id: Identifier });

/** Submits and reads fail on the ledger with these (chaincode codes and Fabric failures). */
const LEDGER_ERRORS = [403, 502, 503, 504] as const;

export function datasetsRouter(
  datasets: DatasetService,
  routes: RouteRegistry,
  basePath: string,
  idempotency: IdempotencyStore,
): Router {
  const router = resourceRouter();
  const bind = bindRoutes(router, routes, basePath, { idempotency });

  bind.json(
    {
      method: 'post',
      path: '/',
      operationId: 'registerDataset',
      summary: "Register a dataset owned by the caller's department; answers after the commit is VALID",
      tags: ['datasets'],
      security: 'bearer',
      idempotent: true,
      body: named('DatasetRegistration', DatasetRegistration),
      response: { status: 201, description: 'Registered and committed', schema: RegisteredDatasetResponse },
      errors: [...LEDGER_ERRORS, 409],
    },
    async ({ body }, req) => {
      const { dataset, txId, blockNumber } = await datasets.registerDataset(authenticatedUser(req), body);
      return {
        status: 201,
        headers: { Location: `${req.baseUrl}/${encodeURIComponent(dataset.id)}` },
        body: { ...dataset, txId, blockNumber: blockNumber.toString() },
      };
    },
  );

  bind.json(
    {
      method: 'get',
      path: '/:id',
      operationId: 'readDataset',
      summary: 'Read a dataset',
      tags: ['datasets'],
      security: 'bearer',
      params: DatasetIdParams,
      response: { status: 200, description: 'The dataset as stored on the ledger', schema: named('Dataset', Dataset) },
      errors: [...LEDGER_ERRORS, 404],
    },
    async ({ params }, req) => ({ status: 200, body: await datasets.readDataset(authenticatedUser(req), params.id) }),
  );

  return router;
}
