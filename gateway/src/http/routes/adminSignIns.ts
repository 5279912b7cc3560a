import type { Router } from 'express';
import { z } from 'zod';

import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import { resourceRouter } from '../metrics';
import { HttpProblem } from '../problem';
import { requireDepartmentAdmin } from './admin';

export interface SignInAdministration {
  revoke(userId: string, by: string): Promise<{ userId: string; revokedAt: string; revokedBy: string }>;
}

const UserIdParams = z.object({ userId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/) });

const SignInRevocation = named(
  'SignInRevocation',
  z.object({
    userId: z.string(),
    revokedAt: z.iso.datetime().describe('Access tokens issued at or before this instant get 401'),
    revokedBy: z.string(),
  }),
);

/** POST /admin/sign-ins/{userId}/revoke: the department admin ends a user's OIDC sign-ins (all access tokens so far). */
export function adminSignInsRouter(signIns: SignInAdministration | undefined, routes: RouteRegistry, basePath: string): Router {
  const router = resourceRouter();
  router.use(requireDepartmentAdmin("revoke users' sign-ins"));
  bindRoutes(router, routes, basePath).json(
    {
      method: 'post',
      path: '/:userId/revoke',
      operationId: 'revokeSignIns',
      summary: "Refuse every OIDC access token of a user issued until now (admin only); the user must sign in again",
      tags: ['admin'],
      security: 'bearer',
      params: UserIdParams,
      response: { status: 200, description: 'Revoked', schema: SignInRevocation },
      errors: [403, 503],
    },
    async ({ params }, req) => {
      if (signIns === undefined) {
        throw new HttpProblem({ status: 503, code: 'OIDC_DISABLED', title: 'Not available', detail: 'This gateway has no OpenID Connect sign-in configured' });
      }
      return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: await signIns.revoke(params.userId, authenticatedUser(req).id) };
    },
  );
  return router;
}
