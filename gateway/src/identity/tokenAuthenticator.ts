import { timingSafeEqual } from 'node:crypto';

import { sha256 } from 'govshare-contract';

import type { Role } from '../config';
import type { AuthenticatedUser } from './user';

/** A token this authenticator knows but refuses (expired, revoked, …): `failure` says why, in the 401's detail. */
export interface AuthenticationFailure {
  readonly failure: string;
  /** Not the token's fault: what verifies it (the identity provider) could not be reached; 503, try again. */
  readonly unavailable?: boolean;
}

export type Authentication = AuthenticatedUser | AuthenticationFailure | undefined;

export interface TokenAuthenticator {
  /** The user whose token this is, a failure for a known token that no longer works, or undefined for an unknown token. */
  authenticate(token: string): Authentication | Promise<Authentication>;
}

export function isAuthenticationFailure(outcome: Authentication): outcome is AuthenticationFailure {
  return outcome !== undefined && 'failure' in outcome;
}

/** A JWS in compact form: three base64url parts. API tokens (gst_…, or the operator's base64url) never contain a dot. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function isCompactJws(token: string): boolean {
  return COMPACT_JWS.test(token);
}

/**
 * JWT access tokens go to the OIDC verifier, everything else to the API token store, which answers synchronously:
 * the API token hot path gains no promise.
 */
export function byTokenShape(apiTokens: TokenAuthenticator, jwt: TokenAuthenticator): TokenAuthenticator {
  return {
    authenticate: (token) => (isCompactJws(token) ? jwt.authenticate(token) : apiTokens.authenticate(token)),
  };
}

export interface MutableTokenAuthenticator extends TokenAuthenticator {
  add(holder: TokenHolder): void;
  authenticate(token: string): AuthenticatedUser | undefined;
}

export interface TokenHolder {
  readonly id: string;
  readonly role: Role;
  /** Hex SHA-256 of the bearer token; the token itself is never stored. */
  readonly tokenSha256: string;
}

export function createTokenAuthenticator(mspId: string, holders: readonly TokenHolder[]): MutableTokenAuthenticator {
  const entryOf = (holder: TokenHolder) => ({
    digest: Buffer.from(holder.tokenSha256, 'hex'),
    user: Object.freeze({ id: holder.id, role: holder.role, mspId }),
  });
  const entries = holders.map(entryOf);
  return {
    add(holder) {
      if (entries.some((entry) => entry.user.id === holder.id)) {
        throw new Error(`user ${holder.id} already has a token`);
      }
      entries.push(entryOf(holder));
    },
    authenticate(token) {
      const presented = sha256(token);
      let match: AuthenticatedUser | undefined;
      // Compare against every entry, without an early exit, so timing reveals nothing about which hash matched.
      for (const entry of entries) {
        if (entry.digest.length === presented.length && timingSafeEqual(entry.digest, presented)) {
          match = entry.user;
        }
      }
      return match;
    },
  };
}
