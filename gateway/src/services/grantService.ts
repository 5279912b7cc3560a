import { randomBytes } from 'node:crypto';

import {
  ApproveAccess,
  AttachRequestDetails,
  canonicalJsonBytes,
  CheckAccess,
  CountersignAccess,
  DenyAccess,
  ListGrantsByDataset,
  ListGrantsByRequester,
  ListPendingGrants,
  PRIVATE_DETAILS_TRANSIENT_KEY,
  ReadGrant,
  ReadGrantDetails,
  RecordDelivery,
  RequestAccess,
  RevokeAccess,
  sha256Hex,
  WithdrawRequest,
  type AccessApproval,
  type AccessCheck,
  type AccessReceipt,
  type AccessRequest,
  type DeliveryRequest,
  type GrantStatus,
  type GrantView,
  type PrivateRequestDetails,
} from 'govshare-contract';

import { GovshareChaincodeError } from '../fabric/errors';
import type { LedgerClient } from '../fabric/ledgerClient';
import { realRetryEnvironment, retryWhile, type RetryEnvironment, type RetryPolicy } from '../fabric/retry';
import type { AuthenticatedUser } from '../identity/user';
import { typedLedger } from './ledgerCalls';
import { pageResult, type Committed, type PageRequest, type PageResult } from './ledgerJson';

/** Which index a grant list walks: a dataset's grants, a requester's grants, or the requests pending an owner's decision. */
/** Which grants to list; every criterion is applied by the chaincode, so a page is full and its cursor exact. */
export type GrantListFilter =
  | { readonly by: 'dataset'; readonly datasetId: string; readonly requesterMsp?: string; readonly status?: GrantStatus }
  | { readonly by: 'requester'; readonly requesterMsp: string; readonly status?: GrantStatus }
  | { readonly by: 'pending'; readonly ownerMsp: string };

export interface GrantService {
  /**
   * With `privateDetails`, the public request carries only their SHA-256; the details then go to the owner's and the
   * requester's implicit private collections only (AttachRequestDetails, transient data, endorsed by those two orgs).
   */
  requestAccess(user: AuthenticatedUser, request: AccessRequest, privateDetails?: PrivateRequestDetails): Promise<Committed<GrantView>>;
  /** The private details of a grant, read from the caller's own peer (owner and requester only). */
  readDetails(user: AuthenticatedUser, id: string): Promise<PrivateRequestDetails>;
  readGrant(user: AuthenticatedUser, id: string): Promise<GrantView>;
  listGrants(user: AuthenticatedUser, filter: GrantListFilter, page: PageRequest): Promise<PageResult<GrantView>>;
  approve(user: AuthenticatedUser, id: string, approval: AccessApproval): Promise<Committed<GrantView>>;
  deny(user: AuthenticatedUser, id: string, reason: string): Promise<Committed<GrantView>>;
  withdraw(user: AuthenticatedUser, id: string): Promise<Committed<GrantView>>;
  revoke(user: AuthenticatedUser, id: string, reason: string): Promise<Committed<GrantView>>;
  countersign(user: AuthenticatedUser, id: string): Promise<Committed<GrantView>>;
  /** Whether `requesterMsp` may read `fields` of the dataset now (evaluated, nothing recorded). */
  checkAccess(user: AuthenticatedUser, datasetId: string, requesterMsp: string, fields: readonly string[]): Promise<AccessCheck>;
  /**
   * The owner's gateway records a delivery (granted or refused) before releasing anything: `user` must be its gateway
   * identity. The chaincode decides; a DENIED decision is a committed record too.
   */
  recordDelivery(user: AuthenticatedUser, delivery: DeliveryRequest): Promise<Committed<AccessReceipt>>;
}

/**
 * The request commits on the requester's peer first; the owner's peer, which must endorse AttachRequestDetails, may
 * still be a block behind and answer GRANT_NOT_FOUND. The details are sent again until it has caught up.
 */
export const DETAILS_CATCH_UP_POLICY: RetryPolicy = { maxAttempts: 8, baseDelayMs: 100, maxDelayMs: 1_000 };
const grantNotYetVisible = (err: unknown): boolean => err instanceof GovshareChaincodeError && err.code === 'GRANT_NOT_FOUND';

export function createGrantService(client: LedgerClient, retryEnvironment: RetryEnvironment = realRetryEnvironment): GrantService {
  const ledger = typedLedger(client);
  const page = (request: PageRequest) => ({ pageSize: request.limit, bookmark: request.cursor });
  return {
    async requestAccess(user, request, privateDetails) {
      if (privateDetails === undefined) return await ledger.call(user, RequestAccess, { request });
      // The chaincode hashes the details as canonical JSON: the same bytes are hashed and sent. The random salt makes
      // the public hash unguessable even for a low-entropy case reference; it stays in the two private collections.
      const details = canonicalJsonBytes({ ...privateDetails, salt: randomBytes(32).toString('hex') });
      const privateDetailsSha256 = sha256Hex(details);
      const requested = await ledger.call(user, RequestAccess, { request: { ...request, privateDetailsSha256 } });
      await retryWhile(
        grantNotYetVisible,
        () =>
          ledger.call(user, AttachRequestDetails, { grantId: requested.value.id }, {
            transient: { [PRIVATE_DETAILS_TRANSIENT_KEY]: details },
            endorsingOrganizations: [requested.value.ownerMsp, requested.value.requesterMsp],
          }),
        DETAILS_CATCH_UP_POLICY,
        retryEnvironment,
      );
      return requested;
    },

    async readDetails(user, grantId) {
      // The salt only protects the public hash: the app gets the details it attached.
      const stored = await ledger.call(user, ReadGrantDetails, { grantId });
      return {
        ...(stored.caseReference === undefined ? {} : { caseReference: stored.caseReference }),
        ...(stored.notes === undefined ? {} : { notes: stored.notes }),
      };
    },

    async readGrant(user, grantId) {
      return await ledger.call(user, ReadGrant, { grantId });
    },

    async listGrants(user, filter, request) {
      switch (filter.by) {
        case 'dataset':
          return pageResult(
            await ledger.call(user, ListGrantsByDataset, {
              datasetId: filter.datasetId,
              requesterMsp: filter.requesterMsp ?? '',
              status: filter.status ?? '',
              ...page(request),
            }),
          );
        case 'requester':
          return pageResult(
            await ledger.call(user, ListGrantsByRequester, { requesterMsp: filter.requesterMsp, status: filter.status ?? '', ...page(request) }),
          );
        case 'pending':
          return pageResult(await ledger.call(user, ListPendingGrants, { ownerMsp: filter.ownerMsp, ...page(request) }));
      }
    },

    async approve(user, grantId, approval) {
      return await ledger.call(user, ApproveAccess, { grantId, approval });
    },

    async deny(user, grantId, reason) {
      return await ledger.call(user, DenyAccess, { grantId, reason });
    },

    async withdraw(user, grantId) {
      return await ledger.call(user, WithdrawRequest, { grantId });
    },

    async revoke(user, grantId, reason) {
      return await ledger.call(user, RevokeAccess, { grantId, reason });
    },

    async countersign(user, grantId) {
      return await ledger.call(user, CountersignAccess, { grantId });
    },

    async checkAccess(user, datasetId, requesterMsp, fields) {
      return await ledger.call(user, CheckAccess, { datasetId, requesterMsp, fields: [...fields] });
    },

    async recordDelivery(user, delivery) {
      return await ledger.call(user, RecordDelivery, { delivery });
    },
  };
}
