import type { Role, UserConfig } from '../config';
import type { CertificateAuthority } from '../identity/certificateAuthority';
import { IdentityExistsError } from '../identity/certificateAuthority';
import type { AuthenticatedUser } from '../identity/user';
import { WalletEntryExistsError, type FileWallet } from '../identity/wallet';

export interface NewUser {
  readonly id: string;
  readonly role: Role;
  readonly mspId: string;
  /** The user's first API token: returned once, only its SHA-256 is kept; it expires (see /admin/tokens). */
  readonly token: string;
}

export interface UserAdministration {
  /** Registers and enrolls `id` with the org's CA, stores its credentials and makes its token usable at once. */
  createUser(caller: AuthenticatedUser, request: { readonly id: string; readonly role: Role }): Promise<NewUser>;
}

/** The enrolment id is taken: by the CA, the wallet, the configured users, or a request still in progress. */
export class UserExistsError extends Error {
  override readonly name = 'UserExistsError';
}

export interface UserServiceDeps {
  readonly mspId: string;
  readonly ca: CertificateAuthority;
  readonly wallet: FileWallet;
  /** Ids already in use (configured users and the wallet's at startup). */
  readonly existingIds: Iterable<string>;
  /** Makes a stored user usable: its signing credentials for the ledger, and a known owner of API tokens. */
  readonly activate: (user: UserConfig) => Promise<void>;
  /** Issues the new user's first API token (with the store's default expiry); answers the secret. */
  readonly issueToken: (userId: string, createdBy: string) => Promise<string>;
}

export function createUserService(deps: UserServiceDeps): UserAdministration {
  const taken = new Set(deps.existingIds);
  return {
    async createUser(caller, request) {
      if (caller.mspId !== deps.mspId) throw new Error(`caller ${caller.id} is not of ${deps.mspId}`);
      const { id, role } = request;
      if (taken.has(id)) throw new UserExistsError(`user '${id}' already exists`);
      // Reserved before the first await: a concurrent request for the same id gets 409, not a CA race.
      taken.add(id);
      try {
        const credentials = await deps.ca.registerAndEnroll(id, role);
        const stored = await deps.wallet.add({ id, role }, credentials);
        await deps.activate(stored);
        return { id, role, mspId: deps.mspId, token: await deps.issueToken(id, caller.id) };
      } catch (err) {
        if (err instanceof IdentityExistsError || err instanceof WalletEntryExistsError) {
          throw new UserExistsError(`user '${id}' already exists`, { cause: err });
        }
        // Nothing was stored: the id may be tried again (the CA refuses it if it was registered).
        taken.delete(id);
        throw err;
      }
    },
  };
}
