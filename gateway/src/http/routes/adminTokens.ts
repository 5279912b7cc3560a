import type { Router } from 'express';
import { z } from 'zod';

import { ROLES } from '../../config';
import {
  TokenNotActiveError,
  TokenNotFoundError,
  TokenOwnerUnknownError,
  type ApiTokenRecord,
  type ApiTokenStore,
  type TokenState,
} from '../../identity/apiTokens';
import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import { resourceRouter } from '../metrics';
import { HttpProblem } from '../problem';
import { requireDepartmentAdmin } from './admin';

/** The token administration the routes need (ApiTokenStore). */
export type TokenAdministration = Pick<ApiTokenStore, 'list' | 'get' | 'issue' | 'rotate' | 'revoke' | 'policy'>;

const TOKEN_STATES = ['active', 'expired', 'revoked'] as const satisfies readonly TokenState[];

const TokenId = z.string().regex(/^(tok_[0-9a-f-]{36}|config\.[A-Za-z0-9._-]{1,64}\.[0-9a-f]{12})$/, 'must be a token id such as tok_…');
const TokenIdParams = z.object({ id: TokenId });

const ApiTokenView = z.object({
  id: TokenId,
  userId: z.string().describe('The user the token stands for: requests with it are signed with this Fabric identity'),
  role: z.enum(ROLES),
  label: z.string().describe("The admin's note of which client holds it"),
  source: z.enum(['config', 'issued']).describe('config: written by the operator scripts; issued: by an admin through this API'),
  state: z.enum(TOKEN_STATES),
  createdAt: z.iso.datetime(),
  createdBy: z.string(),
  expiresAt: z.iso.datetime().optional().describe('After this instant the token gets 401 (absent only for a configured token without expiry)'),
  revokedAt: z.iso.datetime().optional(),
  revokedBy: z.string().optional(),
  rotatedTo: TokenId.optional().describe('The token that replaced this one'),
});
const ApiToken = named('ApiToken', ApiTokenView);
const IssuedApiToken = named(
  'IssuedApiToken',
  ApiTokenView.extend({ token: z.string().describe('The bearer token: shown once; the gateway keeps only its SHA-256') }),
);
const ApiTokenList = named('ApiTokenList', z.object({ items: z.array(ApiTokenView) }));

const ExpiresInDays = z.number().int().min(1).describe('Lifetime in days (default and maximum set by the gateway: 90 and 365 unless configured)');

const NewTokenRequest = named(
  'NewApiTokenRequest',
  z.strictObject({
    userId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/).describe('A user of this department (configured, enrolled or signed in before)'),
    label: z.string().max(200).optional().describe('Which client will hold it, e.g. "nightly export job"'),
    expiresInDays: ExpiresInDays.optional(),
  }),
);

const RotateTokenRequest = named(
  'RotateApiTokenRequest',
  z.strictObject({
    expiresInDays: ExpiresInDays.optional(),
    overlapSeconds: z
      .number()
      .int()
      .min(0)
      .max(86_400)
      .optional()
      .describe('How long the old token keeps working, so the client can switch without a failed request (default 0: it stops now)'),
  }),
);

const ListQuery = z.object({
  user: z.string().max(64).optional().describe("Only this user's tokens"),
  state: z.enum(TOKEN_STATES).optional(),
});

/** The record as the API shows it: the schema strips everything it does not name (the hash). */
function view(record: ApiTokenRecord & { state: TokenState }): z.infer<typeof ApiTokenView> {
  return ApiTokenView.parse(record);
}

function disabled(): HttpProblem {
  return new HttpProblem({
    status: 503,
    code: 'TOKEN_ADMINISTRATION_DISABLED',
    title: 'Not available',
    detail: 'This gateway has no API token store configured (apiTokens.storePath)',
  });
}

function problemFor(err: unknown, maxDays: number): never {
  if (err instanceof TokenNotFoundError) {
    throw new HttpProblem({ status: 404, code: 'TOKEN_NOT_FOUND', title: 'Not found', detail: err.message });
  }
  if (err instanceof TokenOwnerUnknownError) {
    throw new HttpProblem({ status: 404, code: 'USER_NOT_FOUND', title: 'Not found', detail: err.message });
  }
  if (err instanceof TokenNotActiveError) {
    throw new HttpProblem({ status: 409, code: 'TOKEN_NOT_ACTIVE', title: 'Conflict', detail: err.message });
  }
  if (err instanceof RangeError) {
    throw new HttpProblem({ status: 422, code: 'VALIDATION_FAILED', title: 'Invalid request', detail: `expiresInDays must be 1-${String(maxDays)}` });
  }
  throw err;
}

const NO_STORE = { 'Cache-Control': 'no-store' } as const;

/**
 * Department admins manage the API tokens of their department's machine clients: list, issue, rotate, revoke.
 * Token issuing is not replayed from an Idempotency-Key store: that would keep the secret; a retried issue makes a
 * second token, which the list shows and the admin can revoke.
 */
export function adminTokensRouter(tokens: TokenAdministration | undefined, routes: RouteRegistry, basePath: string): Router {
  const router = resourceRouter();
  router.use(requireDepartmentAdmin('administer API tokens'));
  const bind = bindRoutes(router, routes, basePath);
  const common = { tags: ['admin'], security: 'bearer' } as const;
  const store = (): TokenAdministration => {
    if (tokens === undefined) throw disabled();
    return tokens;
  };
  /** Runs one administration call; the store's errors become their problems (404, 409, 422). */
  const administer = async <T>(work: (administration: TokenAdministration) => T | Promise<T>): Promise<T> => {
    const administration = store();
    try {
      return await work(administration);
    } catch (err) {
      return problemFor(err, administration.policy.maxLifetimeDays);
    }
  };
  /** A new token (issued or rotated) is shown this once: 201 with its Location, never cached. */
  const issuedAnswer = (issued: Awaited<ReturnType<TokenAdministration['issue']>>) => ({
    status: 201 as const,
    headers: { ...NO_STORE, Location: `${basePath}/${issued.record.id}` },
    body: { ...view({ ...issued.record, state: 'active' }), token: issued.token },
  });

  bind.json(
    {
      ...common,
      method: 'get',
      path: '/',
      operationId: 'listApiTokens',
      summary: "The department's API tokens (admin only), oldest first; never the secrets or their hashes",
      query: ListQuery,
      response: { status: 200, description: 'The tokens', schema: ApiTokenList },
      errors: [403, 503],
    },
    ({ query }) => ({ status: 200, headers: NO_STORE, body: { items: store().list({ userId: query.user, state: query.state }).map(view) } }),
  );

  bind.json(
    {
      ...common,
      method: 'post',
      path: '/',
      operationId: 'issueApiToken',
      summary: 'Issue an API token for a user of the department (admin only); answers the token once',
      body: NewTokenRequest,
      response: { status: 201, description: 'Issued; it works at once', schema: IssuedApiToken },
      errors: [403, 404, 503],
    },
    async ({ body }, req) =>
      issuedAnswer(await administer((administration) => administration.issue({ ...body, createdBy: authenticatedUser(req).id }))),
  );

  bind.json(
    {
      ...common,
      method: 'get',
      path: '/:id',
      operationId: 'getApiToken',
      summary: 'One API token (admin only)',
      params: TokenIdParams,
      response: { status: 200, description: 'The token', schema: ApiToken },
      errors: [403, 404, 503],
    },
    async ({ params }) => ({ status: 200, headers: NO_STORE, body: view(await administer((administration) => administration.get(params.id))) }),
  );

  bind.json(
    {
      ...common,
      method: 'post',
      path: '/:id/rotate',
      operationId: 'rotateApiToken',
      summary: 'Replace an active token with a new one for the same user (admin only); the old one stops, at once or after overlapSeconds',
      params: TokenIdParams,
      body: RotateTokenRequest,
      bodyOptional: true,
      response: { status: 201, description: 'The new token, shown once', schema: IssuedApiToken },
      errors: [403, 404, 409, 503],
    },
    async ({ params, body }, req) =>
      issuedAnswer(await administer((administration) => administration.rotate(params.id, { ...body, by: authenticatedUser(req).id }))),
  );

  bind.json(
    {
      ...common,
      method: 'delete',
      path: '/:id',
      operationId: 'revokeApiToken',
      summary: 'Revoke a token for good (admin only); it gets 401 from now on. Revoking it again changes nothing',
      params: TokenIdParams,
      response: { status: 200, description: 'The revoked token', schema: ApiToken },
      errors: [403, 404, 503],
    },
    async ({ params }, req) => ({
      status: 200,
      headers: NO_STORE,
      body: view(await administer((administration) => administration.revoke(params.id, authenticatedUser(req).id))),
    }),
  );

  return router;
}
