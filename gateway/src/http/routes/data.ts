import express, { type Router } from 'express';
import { FieldName, Identifier } from 'govshare-contract';
import { z } from 'zod';

import { DataRecords } from '../../exchange/payload';
import { SignedAccessReceipt } from '../../exchange/receipts';
import type { DataService } from '../../services/dataService';
import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import type { IdempotencyStore } from '../idempotency';
import { resourceRouter } from '../metrics';
import { HttpProblem } from '../problem';
import { commaList, committedBody, LEDGER_ERRORS, SUBMIT_ERRORS } from './common';
import { CommittedDataset, DatasetIdParams } from './datasets';

/** Payloads are larger than API bodies; they stay in memory while they are validated and hashed. */
export const DATA_BODY_LIMIT = '16mb';

const DataQuery = z.object({
  grant: Identifier.optional().describe("The grant to fetch under (default: the caller's organisation's active grant)"),
  fields: commaList(FieldName).optional().describe('Comma-separated fields wanted (default: every granted field)'),
});

const DatasetData = named(
  'DatasetData',
  z.object({
    datasetId: Identifier,
    grantId: z.string().nullable().describe("The grant used; null when the owner reads its own dataset"),
    fields: z.array(FieldName).describe('The fields each record was projected to'),
    contentVersion: z.number().int().positive(),
    contentFingerprint: z.string().describe("The dataset content the data was projected from: its fingerprint on the ledger"),
    payloadSha256: z.string().describe("SHA-256 of the payload as the owner projected and sent it (canonical JSON of `data`)"),
    data: DataRecords,
    receipt: SignedAccessReceipt.nullable().describe(
      "The owner gateway's signed receipt of this delivery, verified by this gateway (POST /receipts/verify checks it " +
        'again against the ledger); null when the owner reads its own dataset',
    ),
  }),
);

function disabled(): HttpProblem {
  return new HttpProblem({
    status: 503,
    code: 'DATA_EXCHANGE_DISABLED',
    title: 'Data exchange not configured',
    detail: 'This gateway has no dataExchange configuration',
  });
}

/** PUT/GET /datasets/:id/data: the off-chain payload, stored by its owner and fetched by grantees over mutual TLS. */
export function dataRouter(
  data: DataService | undefined,
  routes: RouteRegistry,
  basePath: string,
  idempotency: IdempotencyStore,
): Router {
  const router = resourceRouter();
  router.put('/:id/data', express.json({ limit: DATA_BODY_LIMIT, strict: true }));
  const bind = bindRoutes(router, routes, basePath, { idempotency });
  const common = { tags: ['data'], security: 'bearer' } as const;

  bind.json(
    {
      ...common,
      method: 'put',
      path: '/:id/data',
      operationId: 'uploadData',
      summary:
        "Store a dataset's content (owner department, officer or admin) in the department's own store, never on the ledger, " +
        'and commit its SHA-256 (of the JSON with sorted keys) as the new fingerprint. The body is an array of records ' +
        "keyed by the dataset's field names",
      idempotent: true,
      params: DatasetIdParams,
      body: named('DataRecords', DataRecords),
      response: { status: 200, description: 'Stored; the new content version is committed', schema: CommittedDataset },
      errors: [...SUBMIT_ERRORS, 503],
    },
    async ({ params, body }, req) => {
      if (data === undefined) throw disabled();
      return { status: 200, body: committedBody(await data.uploadData(authenticatedUser(req), params.id, body)) };
    },
  );

  bind.json(
    {
      ...common,
      method: 'get',
      path: '/:id/data',
      operationId: 'fetchData',
      summary:
        "Fetch another department's dataset under an active grant: from the owner's gateway over mutual TLS, verified " +
        'against the on-chain fingerprint, projected to the granted fields, with the access recorded on the ledger. ' +
        'A refusal is recorded too and answered 403 with its receipt',
      query: DataQuery,
      params: DatasetIdParams,
      response: { status: 200, description: 'The projected records and the access receipt', schema: DatasetData },
      errors: [...LEDGER_ERRORS, 404, 409],
    },
    async ({ params, query }, req) => {
      if (data === undefined) throw disabled();
      const fetched = await data.fetchData(authenticatedUser(req), params.id, { grantId: query.grant, fields: query.fields });
      return {
        status: 200,
        body: fetched,
      };
    },
  );

  return router;
}
