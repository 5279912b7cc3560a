import type { Role } from '../config';

/** The caller of a request, resolved from its bearer token. Transactions are signed with this user's own identity. */
export interface AuthenticatedUser {
  readonly id: string;
  readonly role: Role;
  readonly mspId: string;
}
