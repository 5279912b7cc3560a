import type { Request, RequestHandler } from 'express';

import { isAuthenticationFailure, type Authentication, type TokenAuthenticator } from '../identity/tokenAuthenticator';
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

function accept(req: Request, outcome: Authentication): void {
  if (outcome === undefined) {
    throw unauthenticated('Unknown bearer token');
  }
  if (isAuthenticationFailure(outcome)) {
    if (outcome.unavailable === true) {
      throw new HttpProblem({ status: 503, code: 'IDENTITY_PROVIDER_UNAVAILABLE', title: 'Service unavailable', detail: outcome.failure }, { 'Retry-After': '5' });
    }
    throw unauthenticated(outcome.failure);
  }
  authenticatedUsers.set(req, outcome);
  req.log.setBindings({ userId: outcome.id });
}

/**
 * Resolves the bearer token to a user (an API token or, with OIDC, a JWT access token); every route behind it can
 * call `authenticatedUser(req)`. Known but refused tokens (expired, revoked) get 401 with the reason.
 */
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
    const outcome = authenticator.authenticate(token);
    // API tokens (the hot path) answer synchronously: no promise, no extra tick per request.
    if (outcome instanceof Promise) {
      return outcome.then((resolved) => {
        accept(req, resolved);
        next();
      });
    }
    accept(req, outcome);
    next();
    return undefined;
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
