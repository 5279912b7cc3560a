import type { Role, UserConfig } from '../config';
import { IdentityExistsError, type CertificateAuthority } from './certificateAuthority';
import type { UserProvisioning } from './oidcAuthenticator';
import type { Authentication } from './tokenAuthenticator';
import type { FileWallet } from './wallet';

export interface UserProvisioningDeps {
  readonly mspId: string;
  readonly ca: CertificateAuthority;
  readonly wallet: FileWallet;
  /** The role of a user this gateway already holds credentials for (configured, enrolled or signed in before). */
  readonly knownRole: (id: string) => Role | undefined;
  /** Makes a newly enrolled user usable: its signing credentials for the ledger. */
  readonly activate: (user: UserConfig) => Promise<void>;
  readonly onEnrolled?: (id: string, role: Role) => void;
}

/**
 * Signed-in users as Fabric identities: a user met for the first time is registered with the org's CA with its role
 * as the ecert attribute `role`, enrolled, and stored in the wallet; from then on its requests are signed with that
 * certificate. The role is fixed in the certificate, so a sign-in with another role is refused (the admin re-enrols).
 */
export function createUserProvisioning(deps: UserProvisioningDeps): UserProvisioning {
  const enrolling = new Map<string, Promise<Authentication>>();

  const enrol = async (id: string, role: Role): Promise<Authentication> => {
    try {
      const credentials = await deps.ca.registerAndEnroll(id, role);
      const stored = await deps.wallet.add({ id, role }, credentials);
      await deps.activate(stored);
      deps.onEnrolled?.(id, role);
      return { id, role, mspId: deps.mspId };
    } catch (err) {
      if (err instanceof IdentityExistsError) {
        return { failure: `'${id}' is registered with ${deps.mspId}'s CA but this gateway holds no credentials for it: ask the department admin` };
      }
      return { failure: `Could not enrol '${id}' with ${deps.mspId}'s certificate authority: try again later`, unavailable: true };
    }
  };

  return {
    async provision(id, role) {
      const known = deps.knownRole(id);
      if (known !== undefined) {
        return known === role
          ? { id, role, mspId: deps.mspId }
          : { failure: `'${id}' signed in as ${role} but its Fabric identity carries the role ${known}: ask the department admin` };
      }
      // Concurrent first requests of one user enrol once.
      let pending = enrolling.get(id);
      if (pending === undefined) {
        pending = enrol(id, role).finally(() => enrolling.delete(id));
        enrolling.set(id, pending);
      }
      return await pending;
    },
  };
}
