import type { Router } from 'express';
import { WhoAmI } from 'govshare-contract';

import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import { resourceRouter } from '../metrics';

const Caller = named('Caller', WhoAmI);

/** GET /me: who the bearer token stands for (the web console shows it after login). */
export function meRouter(routes: RouteRegistry, basePath: string): Router {
  const router = resourceRouter();
  bindRoutes(router, routes, basePath).json(
    {
      method: 'get',
      path: '/',
      operationId: 'whoAmI',
      summary: 'The user the bearer token stands for: enrolment id, role and organisation',
      tags: ['operations'],
      security: 'bearer',
      errors: [],
      response: { status: 200, description: 'The caller', schema: Caller },
    },
    (_input, req) => {
      const { id, role, mspId } = authenticatedUser(req);
      return { status: 200, body: { id, role, mspId } };
    },
  );
  return router;
}
