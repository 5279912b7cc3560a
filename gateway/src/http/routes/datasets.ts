import type { Router } from 'express';
import {
  Classification,
  Dataset,
  DatasetHistoryEntry,
  DatasetRegistration,
  DatasetUpdate,
  Identifier,
  MspId,
  Tag,
  type DatasetListFilter,
} from 'govshare-contract';
import { z } from 'zod';

import type { DatasetService } from '../../services/datasetService';
import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import type { IdempotencyStore } from '../idempotency';
import { resourceRouter } from '../metrics';
import { committedBody, committedSchema, LEDGER_ERRORS, PageQuery, pageBody, pageSchema, SUBMIT_ERRORS } from './common';

export const RegisteredDatasetResponse = named(
  'RegisteredDataset',
  Dataset.extend({
    txId: z.string().describe('The committed transaction'),
    // blockNumber is a uint64 on the ledger: a decimal string never loses precision in JSON.
    blockNumber: z.string().regex(/^\d+$/).describe('The block that committed the transaction (uint64 as a string)'),
  }),
);

export const CommittedDataset = committedSchema('CommittedDataset', Dataset);

export const DatasetIdParams = z.object({ id: Identifier });

const DatasetListQuery = PageQuery.extend({
  owner: MspId.optional().describe('Only datasets of this owner organisation (MSP id)'),
  theme: Tag.optional().describe('Only datasets with this theme'),
  classification: Classification.optional().describe('Only datasets with this classification'),
}).refine((q) => [q.owner, q.theme, q.classification].filter((v) => v !== undefined).length <= 1, {
  error: 'filter by at most one of owner, theme, classification',
  path: ['owner'],
});

function listFilter(query: { owner?: string | undefined; theme?: string | undefined; classification?: Classification | undefined }): DatasetListFilter {
  if (query.owner !== undefined) return { by: 'owner', value: query.owner };
  if (query.theme !== undefined) return { by: 'theme', value: query.theme };
  if (query.classification !== undefined) return { by: 'classification', value: query.classification };
  return { by: 'all' };
}

export function datasetsRouter(
  datasets: DatasetService,
  routes: RouteRegistry,
  basePath: string,
  idempotency: IdempotencyStore,
): Router {
  const router = resourceRouter();
  const bind = bindRoutes(router, routes, basePath, { idempotency });
  const common = { tags: ['datasets'], security: 'bearer' } as const;

  bind.json(
    {
      ...common,
      method: 'post',
      path: '/',
      operationId: 'registerDataset',
      summary: "Register a dataset owned by the caller's department; answers after the commit is VALID",
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
      ...common,
      method: 'get',
      path: '/',
      operationId: 'listDatasets',
      summary: 'List the catalogue, in id order: all datasets or those of one owner, theme or classification',
      query: DatasetListQuery,
      response: { status: 200, description: 'One page of datasets', schema: pageSchema('DatasetPage', Dataset) },
      errors: [...LEDGER_ERRORS],
    },
    async ({ query }, req) => {
      const page = await datasets.listDatasets(authenticatedUser(req), listFilter(query), {
        limit: query.limit,
        cursor: query.cursor ?? '',
      });
      return { status: 200, body: pageBody(page) };
    },
  );

  bind.json(
    {
      ...common,
      method: 'get',
      path: '/:id',
      operationId: 'readDataset',
      summary: 'Read a dataset',
      params: DatasetIdParams,
      response: { status: 200, description: 'The dataset as stored on the ledger', schema: named('Dataset', Dataset) },
      errors: [...LEDGER_ERRORS, 404],
    },
    async ({ params }, req) => ({ status: 200, body: await datasets.readDataset(authenticatedUser(req), params.id) }),
  );

  bind.json(
    {
      ...common,
      method: 'put',
      path: '/:id',
      operationId: 'updateDataset',
      summary: 'Publish a new version of a dataset (owner department): the properties given change; a new fingerprint is a new content version',
      idempotent: true,
      params: DatasetIdParams,
      body: named('DatasetUpdate', DatasetUpdate),
      response: { status: 200, description: 'The new version, committed', schema: CommittedDataset },
      errors: [...SUBMIT_ERRORS],
    },
    async ({ params, body }, req) => ({
      status: 200,
      body: committedBody(await datasets.updateDataset(authenticatedUser(req), params.id, body)),
    }),
  );

  bind.json(
    {
      ...common,
      method: 'post',
      path: '/:id/retire',
      operationId: 'retireDataset',
      summary: 'Retire a dataset (owner department, approver or admin): it can no longer be changed or requested',
      idempotent: true,
      params: DatasetIdParams,
      response: { status: 200, description: 'The retired dataset, committed', schema: CommittedDataset },
      errors: [...SUBMIT_ERRORS],
    },
    async ({ params }, req) => ({
      status: 200,
      body: committedBody(await datasets.retireDataset(authenticatedUser(req), params.id)),
    }),
  );

  bind.json(
    {
      ...common,
      method: 'get',
      path: '/:id/history',
      operationId: 'datasetHistory',
      summary: 'Every committed version of a dataset, newest first, with its transaction id and time',
      params: DatasetIdParams,
      response: {
        status: 200,
        description: 'The versions of the dataset',
        schema: named('DatasetHistory', z.object({ items: z.array(DatasetHistoryEntry) })),
      },
      errors: [...LEDGER_ERRORS, 404],
    },
    async ({ params }, req) => ({
      status: 200,
      body: { items: await datasets.datasetHistory(authenticatedUser(req), params.id) },
    }),
  );

  return router;
}
