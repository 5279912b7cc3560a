import type { Request, RequestHandler } from 'express';

import type { TokenAuthenticator } from '../identity/tokenAuthenticator';
import type { AuthenticatedUser } from '../identity/user';
import { HttpProblem } from './problem';

// RFC 6750 b64token.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/;

const authenticatedUsers = new WeakMap<Request, AuthenticatedUser>();

function unauthenticated(detail: string): HttpProblem {
  return new HttpProblem(
    { status: 401, code: 'UNAUTHENTICATED', title: 'Authentication required', detail },
    { 'WWW-Authenticate': 'Bearer realm="govshare"' },
  );
}

/** Resolves the bearer token to a configured user; every route behind it can call `authenticatedUser(req)`. */
export function requireBearerToken(authenticator: TokenAuthenticator): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization');
    if (header === undefined) {
      throw unauthenticated('Missing Authorization: Bearer <token> header');
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) {
      throw unauthenticated('Malformed Authorization header: expected Bearer <token>');
    }
    const user = authenticator.authenticate(token);
    if (user === undefined) {
      throw unauthenticated('Unknown bearer token');
    }
    authenticatedUsers.set(req, user);
    req.log.setBindings({ userId: user.id });
    next();
  };
}

export function authenticatedUser(req: Request): AuthenticatedUser {
  const user = authenticatedUsers.get(req);
  if (user === undefined) {
    // A route was mounted without requireBearerToken: a programming error, not a client one.
    throw new Error('authenticatedUser() called on a route without requireBearerToken');
  }
  return user;
}
