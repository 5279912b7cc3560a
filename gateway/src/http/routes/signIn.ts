import type { Router } from 'express';
import { z } from 'zod';

import type { OidcConfig } from '../../config';
import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { resourceRouter } from '../metrics';

const SignInOptions = named(
  'SignInOptions',
  z.object({
    oidc: z
      .object({
        issuer: z.string().describe("The department's OpenID Connect provider"),
        clientId: z.string().describe("The console's public client: authorization code flow with PKCE (S256)"),
        scope: z.string(),
        resource: z.string().describe('The audience of the access tokens this gateway accepts (RFC 8707 resource indicator)'),
      })
      .nullable()
      .describe('null: this gateway accepts API tokens only'),
  }),
);

/** GET /sign-in: how a browser signs in here (public: it names the provider and the console's client, no secret). */
export function signInRouter(oidc: OidcConfig | undefined, routes: RouteRegistry): Router {
  const router = resourceRouter();
  const body = {
    oidc:
      oidc?.console === undefined
        ? null
        : { issuer: oidc.issuer, clientId: oidc.console.clientId, scope: oidc.console.scope, resource: oidc.audience },
  };
  bindRoutes(router, routes, '').json(
    {
      method: 'get',
      path: '/sign-in',
      operationId: 'signInOptions',
      summary: 'How users sign in to this gateway: its OpenID Connect provider and console client, if any',
      tags: ['operations'],
      security: 'none',
      errors: [],
      response: { status: 200, description: 'The sign-in options', schema: SignInOptions },
    },
    () => ({ status: 200, body }),
  );
  return router;
}
