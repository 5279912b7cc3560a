import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';

import { ROLES, type OidcConfig, type Role } from '../config';
import { isCompactJws, type Authentication, type TokenAuthenticator } from './tokenAuthenticator';

/**
 * Department users sign in with their department's OpenID Connect provider and call the API with its JWT access
 * token. The token is verified with jose against the provider's JWKS (signature, issuer, audience, expiry, not
 * before; keys are fetched by `kid`, so a rotated key is picked up without a restart), its user claim becomes the
 * govshare user id and its role claim the role, and the user is enrolled with the org's Fabric CA on first use
 * (UserProvisioning), so the transactions are signed with that user's own Fabric identity.
 */
export interface UserProvisioning {
  /** The user, enrolled with the CA now if this is its first sign-in; a failure if it cannot act with that role. */
  provision(id: string, role: Role): Promise<Authentication>;
}

/** Sign-ins an admin has revoked: access tokens issued at or before the instant are refused. */
export interface SignInRevocations {
  revokedAt(userId: string): number | undefined;
}

/** The provider's discovery document: only what the gateway uses. */
const Discovery = z.object({ issuer: z.string(), jwks_uri: z.url() });

const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;


export interface OidcAuthenticatorOptions {
  readonly config: OidcConfig;
  readonly mspId: string;
  readonly users: UserProvisioning;
  readonly revocations?: SignInRevocations | undefined;
  /** For tests: verify against this key set instead of the provider's JWKS endpoint. */
  readonly keySet?: JWTVerifyGetKey;
  readonly fetchImpl?: typeof fetch;
}

export function roleFromClaim(config: OidcConfig, value: unknown): Role | undefined {
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  // The first value that maps to a role: an IdP group list may hold unrelated groups too.
  for (const candidate of values) {
    if (typeof candidate !== 'string') continue;
    const mapped = config.roles === undefined ? candidate : config.roles[candidate];
    if (mapped !== undefined && (ROLES as readonly string[]).includes(mapped)) return mapped as Role;
  }
  return undefined;
}

function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export function createOidcAuthenticator(options: OidcAuthenticatorOptions): TokenAuthenticator {
  const { config } = options;
  const fetchImpl = options.fetchImpl ?? fetch;
  let keySet: Promise<JWTVerifyGetKey> | undefined = options.keySet === undefined ? undefined : Promise.resolve(options.keySet);

  /** The JWKS endpoint from the config or the provider's discovery document, which must name the same issuer. */
  const discoverJwksUri = async (): Promise<string> => {
    try {
      const response = await fetchImpl(new URL('.well-known/openid-configuration', config.issuer.endsWith('/') ? config.issuer : `${config.issuer}/`), {
        signal: AbortSignal.timeout(5_000),
      });
      if (!response.ok) throw new Error(`it answered ${String(response.status)}`);
      const discovery = Discovery.parse(await response.json());
      if (discovery.issuer !== config.issuer) throw new Error(`it names the issuer ${discovery.issuer}, not ${config.issuer}`);
      return discovery.jwks_uri;
    } catch (err) {
      throw new ProviderUnavailableError(`discovery at ${config.issuer} failed: ${(err as Error).message}`, { cause: err });
    }
  };

  const resolveKeySet = async (): Promise<JWTVerifyGetKey> => {
    const jwksUri = config.jwksUri ?? (await discoverJwksUri());
    return createRemoteJWKSet(new URL(jwksUri), {
      timeoutDuration: 5_000,
      cooldownDuration: config.jwksCooldownSeconds * 1000,
      cacheMaxAge: config.jwksCacheMaxAgeSeconds * 1000,
    });
  };

  const keys = (): Promise<JWTVerifyGetKey> => {
    keySet ??= resolveKeySet().catch((err: unknown) => {
      keySet = undefined; // tried again on the next request
      throw err;
    });
    return keySet;
  };

  return {
    async authenticate(token) {
      if (!isCompactJws(token)) return undefined;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, await keys(), {
          issuer: config.issuer,
          audience: config.audience,
          algorithms: config.algorithms,
          clockTolerance: config.clockToleranceSeconds,
          requiredClaims: ['exp', 'iat', config.userClaim],
        }));
      } catch (err) {
        return { failure: failureOf(err), ...(isUnavailable(err) ? { unavailable: true } : {}) };
      }
      const userId = claimAt(payload, config.userClaim);
      if (typeof userId !== 'string' || !USER_ID.test(userId)) {
        return { failure: `The access token's ${config.userClaim} claim is not a govshare user id (1-64 characters [A-Za-z0-9._-])` };
      }
      const role = roleFromClaim(config, claimAt(payload, config.roleClaim));
      if (role === undefined) return { failure: `The access token's ${config.roleClaim} claim names no govshare role` };
      const revokedAt = options.revocations?.revokedAt(userId);
      // iat is in whole seconds: a token from the same second as the revocation counts as before it.
      if (revokedAt !== undefined && (payload.iat ?? 0) * 1000 <= revokedAt) {
        return { failure: 'The sign-in was revoked by the department admin: sign in again' };
      }
      return await options.users.provision(userId, role);
    },
  };
}

/** The provider (discovery or JWKS endpoint) could not be asked: not the token's fault. */
class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
}

function isUnavailable(err: unknown): boolean {
  // fetch fails with a TypeError ("fetch failed"); compared by name, as it may come from another realm.
  return err instanceof ProviderUnavailableError || err instanceof joseErrors.JWKSTimeout || (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'TypeError');
}

function failureOf(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'The access token has expired: sign in again';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `The access token is not valid here: ${err.claim} ${err.reason}`;
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'The access token is signed with a key the identity provider does not publish';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'The access token signature is invalid';
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'The access token is signed with an algorithm this gateway does not accept';
  if (isUnavailable(err)) return "The department's identity provider could not be reached to verify the access token";
  return 'The access token is not a valid JWT';
}
