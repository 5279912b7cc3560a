import type { Router } from 'express';
import {
  AccessApproval,
  AccessCheck,
  AccessRequest,
  DecisionReason,
  FieldName,
  GrantStatus,
  GrantView,
  Identifier,
  MspId,
  PrivateRequestDetails,
} from 'govshare-contract';
import { z } from 'zod';

import type { GrantListFilter, GrantService } from '../../services/grantService';
import type { AuthenticatedUser } from '../../identity/user';
import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import type { IdempotencyStore } from '../idempotency';
import { resourceRouter } from '../metrics';
import { commaList, committedBody, committedSchema, LEDGER_ERRORS, PageQuery, pageBody, pageSchema, SUBMIT_ERRORS } from './common';

const GrantIdParams = z.object({ id: Identifier });
const Grant = named('Grant', GrantView);
const CommittedGrant = committedSchema('CommittedGrant', GrantView);
const Reason = named('DecisionReason', z.strictObject({ reason: DecisionReason.describe('Public reason, no personal data') }));

/** The request as the chaincode takes it, plus optional private details that never reach the public ledger. */
const GrantRequestBody = AccessRequest.safeExtend({
  privateDetails: PrivateRequestDetails.optional().describe(
    "Sensitive details (e.g. a case reference): only their SHA-256 is public; they are stored only on the owner's and the requester's peers",
  ),
}).refine((body) => body.privateDetails === undefined || body.privateDetailsSha256 === undefined, {
  error: 'give privateDetails (the gateway hashes them), not privateDetailsSha256',
  path: ['privateDetailsSha256'],
});

const GrantListQuery = PageQuery.extend({
  dataset: Identifier.optional().describe("A dataset's grants"),
  requester: MspId.optional().describe("A requester organisation's grants (default: the caller's, when no dataset is given)"),
  status: GrantStatus.optional().describe(
    "Only grants in this status (EXPIRED: approved, validity over). status=PENDING alone lists the requests awaiting the caller's department",
  ),
});

const CheckQuery = z.object({
  dataset: Identifier,
  fields: commaList(FieldName).describe('Comma-separated field names'),
  requester: MspId.optional().describe("The requesting organisation (default: the caller's)"),
});

/** The index to walk: a dataset's grants, the pending requests of the caller's datasets, or a requester's grants. */
function listFilter(user: AuthenticatedUser, query: z.output<typeof GrantListQuery>): GrantListFilter {
  const status = query.status === undefined ? {} : { status: query.status };
  if (query.dataset !== undefined) {
    return { by: 'dataset', datasetId: query.dataset, ...(query.requester === undefined ? {} : { requesterMsp: query.requester }), ...status };
  }
  if (query.requester === undefined && query.status === 'PENDING') return { by: 'pending', ownerMsp: user.mspId };
  return { by: 'requester', requesterMsp: query.requester ?? user.mspId, ...status };
}

export function grantsRouter(grants: GrantService, routes: RouteRegistry, basePath: string, idempotency: IdempotencyStore): Router {
  const router = resourceRouter();
  const bind = bindRoutes(router, routes, basePath, { idempotency });
  const common = { tags: ['grants'], security: 'bearer' } as const;

  bind.json(
    {
      ...common,
      method: 'post',
      path: '/',
      operationId: 'requestAccess',
      summary: "Request access to fields of another department's dataset; the grant is PENDING until its owner decides",
      idempotent: true,
      body: named('AccessRequest', GrantRequestBody),
      response: { status: 201, description: 'The pending request, committed', schema: CommittedGrant },
      errors: [...SUBMIT_ERRORS],
    },
    async ({ body }, req) => {
      const { privateDetails, ...request } = body;
      const result = await grants.requestAccess(authenticatedUser(req), request, privateDetails);
      return {
        status: 201,
        headers: { Location: `${req.baseUrl}/${encodeURIComponent(result.value.id)}` },
        body: committedBody(result),
      };
    },
  );

  // Before '/:id', which would otherwise take 'check' for a grant id.
  bind.json(
    {
      ...common,
      method: 'get',
      path: '/check',
      operationId: 'checkAccess',
      summary: 'Whether an organisation (default: the caller) may read these fields of a dataset now; nothing is recorded',
      query: CheckQuery,
      response: { status: 200, description: 'The decision and the grant that gives it', schema: named('AccessCheck', AccessCheck) },
      errors: [...LEDGER_ERRORS, 404],
    },
    async ({ query }, req) => {
      const user = authenticatedUser(req);
      return { status: 200, body: await grants.checkAccess(user, query.dataset, query.requester ?? user.mspId, query.fields) };
    },
  );

  bind.json(
    {
      ...common,
      method: 'get',
      path: '/',
      operationId: 'listGrants',
      summary: "List grants: of a dataset, of a requester (default: the caller's department), or (status=PENDING) awaiting the caller's decision",
      query: GrantListQuery,
      response: { status: 200, description: 'One page of grants', schema: pageSchema('GrantPage', GrantView) },
      errors: [...LEDGER_ERRORS],
    },
    async ({ query }, req) => {
      const user = authenticatedUser(req);
      const page = await grants.listGrants(user, listFilter(user, query), { limit: query.limit, cursor: query.cursor ?? '' });
      return { status: 200, body: pageBody(page) };
    },
  );

  bind.json(
    {
      ...common,
      method: 'get',
      path: '/:id',
      operationId: 'readGrant',
      summary: 'Read a grant with its status now',
      params: GrantIdParams,
      response: { status: 200, description: 'The grant', schema: Grant },
      errors: [...LEDGER_ERRORS, 404],
    },
    async ({ params }, req) => ({ status: 200, body: await grants.readGrant(authenticatedUser(req), params.id) }),
  );

  bind.json(
    {
      ...common,
      method: 'get',
      path: '/:id/details',
      operationId: 'readGrantDetails',
      summary: "The private details of a request, from the caller's own peer (the owner's and the requester's departments only)",
      params: GrantIdParams,
      response: { status: 200, description: 'The details, checked against their public hash', schema: named('PrivateRequestDetails', PrivateRequestDetails) },
      errors: [...LEDGER_ERRORS, 404],
    },
    async ({ params }, req) => ({ status: 200, body: await grants.readDetails(authenticatedUser(req), params.id) }),
  );

  bind.json(
    {
      ...common,
      method: 'post',
      path: '/:id/approve',
      operationId: 'approveGrant',
      summary: "Approve a pending request (the owner's approver), optionally narrowing the fields or shortening the validity",
      idempotent: true,
      params: GrantIdParams,
      body: named('AccessApproval', AccessApproval),
      bodyOptional: true,
      response: { status: 200, description: 'The approved grant, committed', schema: CommittedGrant },
      errors: [...SUBMIT_ERRORS],
    },
    async ({ params, body }, req) => ({
      status: 200,
      body: committedBody(await grants.approve(authenticatedUser(req), params.id, body)),
    }),
  );

  bind.json(
    {
      ...common,
      method: 'post',
      path: '/:id/deny',
      operationId: 'denyGrant',
      summary: "Deny a pending request (the owner's approver)",
      idempotent: true,
      params: GrantIdParams,
      body: Reason,
      response: { status: 200, description: 'The denied request, committed', schema: CommittedGrant },
      errors: [...SUBMIT_ERRORS],
    },
    async ({ params, body }, req) => ({
      status: 200,
      body: committedBody(await grants.deny(authenticatedUser(req), params.id, body.reason)),
    }),
  );

  bind.json(
    {
      ...common,
      method: 'post',
      path: '/:id/withdraw',
      operationId: 'withdrawGrant',
      summary: 'Withdraw a pending request (the requester)',
      idempotent: true,
      params: GrantIdParams,
      response: { status: 200, description: 'The withdrawn request, committed', schema: CommittedGrant },
      errors: [...SUBMIT_ERRORS],
    },
    async ({ params }, req) => ({ status: 200, body: committedBody(await grants.withdraw(authenticatedUser(req), params.id)) }),
  );

  bind.json(
    {
      ...common,
      method: 'post',
      path: '/:id/revoke',
      operationId: 'revokeGrant',
      summary: "Revoke an approved grant (the owner's approver or admin); later fetches are refused",
      idempotent: true,
      params: GrantIdParams,
      body: Reason,
      response: { status: 200, description: 'The revoked grant, committed', schema: CommittedGrant },
      errors: [...SUBMIT_ERRORS],
    },
    async ({ params, body }, req) => ({
      status: 200,
      body: committedBody(await grants.revoke(authenticatedUser(req), params.id, body.reason)),
    }),
  );

  bind.json(
    {
      ...common,
      method: 'post',
      path: '/:id/countersign',
      operationId: 'countersignGrant',
      summary: "Countersign an approved grant on a SECRET dataset (the Audit organisation's auditor); only then it is active",
      idempotent: true,
      params: GrantIdParams,
      response: { status: 200, description: 'The countersigned grant, committed', schema: CommittedGrant },
      errors: [...SUBMIT_ERRORS],
    },
    async ({ params }, req) => ({ status: 200, body: committedBody(await grants.countersign(authenticatedUser(req), params.id)) }),
  );

  return router;
}
