import type { RequestHandler, Router } from 'express';
import { z } from 'zod';

import { ROLES } from '../../config';
import { CertificateAuthorityError } from '../../identity/certificateAuthority';
import { UserExistsError, type UserAdministration } from '../../services/userService';
import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import type { IdempotencyStore } from '../idempotency';
import { resourceRouter } from '../metrics';
import { HttpProblem } from '../problem';

export const NewUserRequest = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'must be 3-64 characters [a-z0-9._-], starting with a letter or digit')
    .describe('The enrolment id with the Fabric CA (the CN of the certificate)'),
  role: z.enum(ROLES).describe('Written into the certificate as the ecert attribute `role`'),
});

const NewUserResponse = named(
  'NewUser',
  z.object({
    id: z.string(),
    role: z.enum(ROLES),
    mspId: z.string(),
    token: z
      .string()
      .optional()
      .describe(
        'The bearer token of the new user: shown once, only its SHA-256 is stored. Absent from a replay ' +
          '(Idempotency-Replayed: true): the token is never kept for one',
      ),
  }),
);

function disabled(): HttpProblem {
  return new HttpProblem({
    status: 503,
    code: 'USER_ENROLMENT_DISABLED',
    title: 'Not available',
    detail: 'This gateway has no certificate authority configured',
  });
}

/**
 * Admin role only, checked before the body is validated: a non-admin learns nothing about what a valid request
 * looks like. The gateway serves one department, so its admins administer exactly that department.
 */
export function requireDepartmentAdmin(action: string): RequestHandler {
  return (req, _res, next) => {
    const caller = authenticatedUser(req);
    if (caller.role !== 'admin') {
      throw new HttpProblem({ status: 403, code: 'FORBIDDEN', title: 'Forbidden', detail: `Only an admin of ${caller.mspId} may ${action}` });
    }
    next();
  };
}

/** Department administration: users enrolled at run time with the org's Fabric CA (admin role only). */
export function adminRouter(
  users: UserAdministration | undefined,
  routes: RouteRegistry,
  basePath: string,
  idempotency: IdempotencyStore,
): Router {
  const router = resourceRouter();
  router.use(requireDepartmentAdmin('administer users'));
  const bind = bindRoutes(router, routes, basePath, { idempotency });

  bind.json(
    {
      tags: ['admin'],
      security: 'bearer',
      method: 'post',
      path: '/users',
      operationId: 'createUser',
      summary: "Register and enroll a user with the department's Fabric CA (admin only); answers its one-time API token",
      idempotent: true,
      secretResponseFields: ['token'],
      body: named('NewUserRequest', NewUserRequest),
      response: { status: 201, description: 'Enrolled; the token works at once', schema: NewUserResponse },
      errors: [403, 409, 502, 503],
    },
    async ({ body }, req) => {
      if (users === undefined) throw disabled();
      try {
        const created = await users.createUser(authenticatedUser(req), body);
        return { status: 201, headers: { 'Cache-Control': 'no-store' }, body: created };
      } catch (err) {
        if (err instanceof UserExistsError) {
          throw new HttpProblem({ status: 409, code: 'USER_EXISTS', title: 'Conflict', detail: err.message });
        }
        if (err instanceof CertificateAuthorityError) {
          req.log.error({ err }, 'certificate authority failed');
          throw new HttpProblem({
            status: 502,
            code: 'CA_FAILED',
            title: 'Certificate authority failed',
            detail: 'The certificate authority could not register or enroll the user',
          });
        }
        throw err;
      }
    },
  );

  return router;
}
