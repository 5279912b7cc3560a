import { timingSafeEqual } from 'node:crypto';

import { sha256 } from 'govshare-contract';

import type { Role } from '../config';
import type { AuthenticatedUser } from './user';

export interface TokenAuthenticator {
  /** The user whose token this is, or undefined for an unknown token. */
  authenticate(token: string): AuthenticatedUser | undefined;
}

/** A token authenticator that also accepts users added at run time (POST /admin/users). */
export interface MutableTokenAuthenticator extends TokenAuthenticator {
  add(holder: TokenHolder): void;
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
