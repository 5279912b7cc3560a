import { GovshareError } from './errors';
import type { Role } from './model';
import { ORDERER_MSP } from './orgs';

/** The identity behind a transaction, as the chaincode reads it once from the client certificate. */
export interface Caller {
  readonly mspId: string;
  /** Enrolment id: the CN of the client certificate's subject. */
  readonly id: string;
  /** The `role` attribute from the Fabric CA certificate, or null if absent. */
  readonly role: string | null;
  /**
   * The certificate carries the ecert attribute `govshare.role=gateway`: the organisation's gateway identity, which
   * only the org's operator can register (the user registrar may not grant the attribute). Such a caller acts
   * only as the pseudo-role `gateway` (it records deliveries), never with a user role.
   */
  readonly gateway?: boolean;
}

/** What the permission table lists: the user roles, and the organisation's gateway identity. */
export type PermissionRole = Role | 'gateway';

export type OrgKind = 'DEPARTMENT' | 'AUDIT';

export const ACTIONS = [
  'REGISTER_DATASET',
  'UPDATE_DATASET',
  'RETIRE_DATASET',
  'REQUEST_ACCESS',
  'DECIDE_ACCESS',
  'WITHDRAW_REQUEST',
  'REVOKE_ACCESS',
  'COUNTERSIGN_ACCESS',
  'RECORD_DELIVERY',
  'READ_PRIVATE_DETAILS',
  'QUERY_AUDIT',
  'READ_ALL_AUDIT',
  'ISSUE_CERTIFICATE',
  'REVOKE_CERTIFICATE',
  'CONFIGURE_ORGS',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * The one table of who may do what: for each action, the roles allowed in each kind of organisation.
 * A missing org kind means no role of that kind of org may act. Ownership (e.g. "the dataset's owner")
 * is checked separately by the domain rules; this table only answers "may this org kind + role try".
 * Catalogue reads, CheckAccess, grant lists and VerifyCertificate are open to every channel member.
 */
export const PERMISSIONS: { readonly [A in Action]: Partial<Record<OrgKind, readonly PermissionRole[]>> } = {
  REGISTER_DATASET: { DEPARTMENT: ['officer', 'admin'] },
  UPDATE_DATASET: { DEPARTMENT: ['officer', 'admin'] },
  RETIRE_DATASET: { DEPARTMENT: ['approver', 'admin'] },
  REQUEST_ACCESS: { DEPARTMENT: ['officer', 'approver'] },
  DECIDE_ACCESS: { DEPARTMENT: ['approver'] },
  WITHDRAW_REQUEST: { DEPARTMENT: ['officer', 'approver'] },
  REVOKE_ACCESS: { DEPARTMENT: ['approver', 'admin'] },
  COUNTERSIGN_ACCESS: { AUDIT: ['auditor'] },
  // Only a department's gateway identity records a delivery (and the use case: only the dataset owner's).
  RECORD_DELIVERY: { DEPARTMENT: ['gateway'] },
  READ_PRIVATE_DETAILS: { DEPARTMENT: ['officer', 'approver', 'auditor', 'admin'] },
  QUERY_AUDIT: { DEPARTMENT: ['officer', 'approver', 'auditor', 'admin'], AUDIT: ['auditor', 'admin'] },
  READ_ALL_AUDIT: { AUDIT: ['auditor'] },
  ISSUE_CERTIFICATE: { DEPARTMENT: ['officer', 'approver'] },
  REVOKE_CERTIFICATE: { DEPARTMENT: ['approver', 'admin'] },
  CONFIGURE_ORGS: { AUDIT: ['admin'] },
};

/**
 * Every application organisation of the channel other than the supervisor (named by the org config record,
 * OrgConfig) is a department, including one added later by a channel configuration update that a majority of
 * admins signed: only members of the channel's application orgs can reach the chaincode at all.
 */
export function orgKindOf(mspId: string, supervisorMsp: string): OrgKind | undefined {
  if (mspId === supervisorMsp) return 'AUDIT';
  if (mspId === ORDERER_MSP || mspId === '') return undefined;
  return 'DEPARTMENT';
}

export function isAllowed(caller: Caller, action: Action, supervisorMsp: string): boolean {
  const kind = orgKindOf(caller.mspId, supervisorMsp);
  const role = caller.gateway === true ? 'gateway' : caller.role;
  if (kind === undefined || role === null) return false;
  const roles: readonly string[] = PERMISSIONS[action][kind] ?? [];
  return roles.includes(role);
}

/** Throws FORBIDDEN unless the caller's org kind and `role` attribute may perform `action`. */
export function authorize(caller: Caller, action: Action, supervisorMsp: string): void {
  if (!isAllowed(caller, action, supervisorMsp)) {
    throw new GovshareError(
      'FORBIDDEN',
      `${caller.mspId} ${caller.gateway === true ? "gateway identity" : `role '${caller.role ?? '(none)'}'`} may not ${action.toLowerCase().replace(/_/g, ' ')}`,
    );
  }
}
