import {
  AccessCheck,
  AccessReceipt,
  canonicalJsonBytes,
  GrantView,
  pageOf,
  PRIVATE_DETAILS_TRANSIENT_KEY,
  PrivateRequestDetails,
  sha256Hex,
  type AccessApproval,
  type AccessRequest,
} from 'govshare-contract';

import type { LedgerClient } from '../fabric/ledgerClient';
import type { AuthenticatedUser } from '../identity/user';
import { committed, pageResult, parseLedgerJson, type Committed, type PageRequest, type PageResult } from './ledgerJson';

/** Which index a grant list walks: a dataset's grants, a requester's grants, or the requests pending an owner's decision. */
export type GrantListFilter =
  | { readonly by: 'dataset'; readonly datasetId: string }
  | { readonly by: 'requester'; readonly requesterMsp: string }
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
  /** Writes the access decision for a fetch to the audit trail; a DENIED decision is a committed receipt too. */
  recordAccess(
    user: AuthenticatedUser,
    grantId: string,
    payloadSha256: string,
    fields: readonly string[],
  ): Promise<Committed<AccessReceipt>>;
}

const GrantPage = pageOf(GrantView);

const LIST_TRANSACTIONS = {
  dataset: 'ListGrantsByDataset',
  requester: 'ListGrantsByRequester',
  pending: 'ListPendingGrants',
} as const;

function listValue(filter: GrantListFilter): string {
  switch (filter.by) {
    case 'dataset':
      return filter.datasetId;
    case 'requester':
      return filter.requesterMsp;
    case 'pending':
      return filter.ownerMsp;
  }
}

export function createGrantService(ledger: LedgerClient): GrantService {
  const transition = async (user: AuthenticatedUser, txName: string, args: string[]): Promise<Committed<GrantView>> =>
    committed(GrantView, await ledger.submit(user, txName, args), txName);

  return {
    async requestAccess(user, request, privateDetails) {
      if (privateDetails === undefined) return await transition(user, 'RequestAccess', [JSON.stringify(request)]);
      // The chaincode hashes the details as JSON with sorted keys: the same bytes are hashed and sent.
      const details = canonicalJsonBytes(privateDetails);
      const privateDetailsSha256 = sha256Hex(details);
      const requested = await transition(user, 'RequestAccess', [JSON.stringify({ ...request, privateDetailsSha256 })]);
      await ledger.submit(user, 'AttachRequestDetails', [requested.value.id], {
        transient: { [PRIVATE_DETAILS_TRANSIENT_KEY]: details },
        endorsingOrganizations: [requested.value.ownerMsp, requested.value.requesterMsp],
      });
      return requested;
    },

    async readDetails(user, id) {
      return parseLedgerJson(PrivateRequestDetails, await ledger.evaluate(user, 'ReadGrantDetails', [id]), 'ReadGrantDetails');
    },

    async readGrant(user, id) {
      return parseLedgerJson(GrantView, await ledger.evaluate(user, 'ReadGrant', [id]), 'ReadGrant');
    },

    async listGrants(user, filter, page) {
      const txName = LIST_TRANSACTIONS[filter.by];
      const payload = await ledger.evaluate(user, txName, [listValue(filter), String(page.limit), page.cursor]);
      return pageResult(parseLedgerJson(GrantPage, payload, txName));
    },

    async approve(user, id, approval) {
      return await transition(user, 'ApproveAccess', [id, JSON.stringify(approval)]);
    },

    async deny(user, id, reason) {
      return await transition(user, 'DenyAccess', [id, reason]);
    },

    async withdraw(user, id) {
      return await transition(user, 'WithdrawRequest', [id]);
    },

    async revoke(user, id, reason) {
      return await transition(user, 'RevokeAccess', [id, reason]);
    },

    async countersign(user, id) {
      return await transition(user, 'CountersignAccess', [id]);
    },

    async checkAccess(user, datasetId, requesterMsp, fields) {
      const payload = await ledger.evaluate(user, 'CheckAccess', [datasetId, requesterMsp, JSON.stringify(fields)]);
      return parseLedgerJson(AccessCheck, payload, 'CheckAccess');
    },

    async recordAccess(user, grantId, payloadSha256, fields) {
      const submitted = await ledger.submit(user, 'RecordAccess', [grantId, payloadSha256, JSON.stringify(fields)]);
      return committed(AccessReceipt, submitted, 'RecordAccess');
    },
  };
}
