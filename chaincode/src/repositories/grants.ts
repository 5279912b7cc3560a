import type { Context } from 'fabric-contract-api';
import { GovshareError, Grant, TxStamp, type Page } from 'govshare-contract';
import { z } from 'zod';
import { grantNotFound, type GrantGuards } from '../domain/grants';
import {
  deleteKey,
  getJson,
  getPrivate,
  grantKey,
  implicitCollectionOf,
  indexIds,
  isGuardedBy,
  key,
  filteredPageOfKeys,
  ObjectType,
  pageOfKeys,
  putIndex,
  putJson,
  putPrivate,
  requireEndorsementBy,
} from '../ledger';

/** Which index a grant list walks. */
export type GrantList = 'dataset' | 'requester' | 'pending';
const LIST_INDEX: Record<GrantList, ObjectType> = {
  dataset: ObjectType.GrantByDataset,
  requester: ObjectType.GrantByRequester,
  pending: ObjectType.PendingGrantByOwner,
};

/**
 * Who changes a grant: the owner decides (approve, deny, revoke; and the request creates it), the requester
 * withdraws, the supervisor countersigns. Each party's part lives under its own key with a state-based
 * endorsement policy naming that party's organisation, set when the grant is requested: a change to a part is
 * valid only if that organisation's peer endorsed it, whatever a majority of the other peers endorses.
 */
export type GrantPart = 'decision' | 'withdrawal' | 'countersignature';

const Withdrawal = z.object({ grantId: z.string(), withdrawn: TxStamp.optional() });
const Countersignature = z.object({ grantId: z.string(), countersigned: TxStamp.optional() });

/**
 * How many index entries one filtered list call reads at most: bounds an evaluate's work when few grants match.
 * A page that hits it comes back short, with the bookmark of the next entry to read.
 */
export const GRANT_SCAN_LIMIT = 1000;

const later = (a: TxStamp, b: TxStamp | undefined): TxStamp => (b !== undefined && b.timestamp > a.timestamp ? b : a);

/**
 * Grants and their indexes: by dataset (and requester), by requester, PENDING by owner, and live
 * (PENDING/APPROVED) by dataset and requester. `save(before, after, part)` keeps them equal to the stored status.
 * A grant is stored in three keys (GrantPart): the owner's decision record, the requester's withdrawal and the
 * supervisor's countersignature; reading one composes them. Private request details live in the owner's and the
 * requester's implicit collections.
 */
export class GrantRepository {
  constructor(
    private readonly ctx: Context,
    private readonly supervisorMsp: string,
  ) {}

  #withdrawalKey(grantId: string): string {
    return key(this.ctx, ObjectType.GrantWithdrawal, [grantId]);
  }

  #countersignatureKey(grantId: string): string {
    return key(this.ctx, ObjectType.GrantCountersignature, [grantId]);
  }

  #indexKeys(grant: Grant): string[] {
    const keys = [
      key(this.ctx, ObjectType.GrantByDataset, [grant.datasetId, grant.requesterMsp, grant.id]),
      key(this.ctx, ObjectType.GrantByRequester, [grant.requesterMsp, grant.id]),
    ];
    if (grant.status === 'PENDING') keys.push(key(this.ctx, ObjectType.PendingGrantByOwner, [grant.ownerMsp, grant.id]));
    if (grant.status === 'PENDING' || grant.status === 'APPROVED') {
      keys.push(key(this.ctx, ObjectType.LiveGrant, [grant.datasetId, grant.requesterMsp, grant.id]));
    }
    return keys;
  }

  async find(id: string): Promise<Grant | undefined> {
    const decision = await getJson(this.ctx, grantKey(this.ctx, id), Grant);
    if (decision === undefined) return undefined;
    const withdrawn = (await getJson(this.ctx, this.#withdrawalKey(id), Withdrawal))?.withdrawn;
    const countersigned = (await getJson(this.ctx, this.#countersignatureKey(id), Countersignature))?.countersigned;
    let grant: Grant = decision;
    if (withdrawn !== undefined) grant = { ...grant, status: 'WITHDRAWN', closed: { stamp: withdrawn }, updated: later(grant.updated, withdrawn) };
    if (countersigned !== undefined) grant = { ...grant, countersigned, updated: later(grant.updated, countersigned) };
    return grant;
  }

  /**
   * Which of the grant's parts are guarded by their party's peer, as RequestAccess leaves them. A grant written by
   * a hand-made transaction that only other organisations endorsed may lack any of them (the supervisor's: the
   * supervisor in force now).
   */
  async guards(grant: Grant): Promise<GrantGuards> {
    return {
      decision: await isGuardedBy(this.ctx, grantKey(this.ctx, grant.id), grant.ownerMsp),
      withdrawal: await isGuardedBy(this.ctx, this.#withdrawalKey(grant.id), grant.requesterMsp),
      countersignature: await isGuardedBy(this.ctx, this.#countersignatureKey(grant.id), this.supervisorMsp),
    };
  }

  async get(id: string): Promise<Grant> {
    const grant = await this.find(id);
    if (grant === undefined) throw grantNotFound(id);
    return grant;
  }

  async #getAll(ids: readonly string[]): Promise<Grant[]> {
    const grants: Grant[] = [];
    for (const id of ids) grants.push(await this.get(id));
    return grants;
  }

  /** Writes the `part` of the grant that changed (a new grant: all three, each with its party's endorsement policy). */
  async save(before: Grant | undefined, after: Grant, part: GrantPart = 'decision'): Promise<void> {
    if (before === undefined) {
      await this.#saveDecision(after);
      await requireEndorsementBy(this.ctx, grantKey(this.ctx, after.id), after.ownerMsp);
      await putJson(this.ctx, this.#withdrawalKey(after.id), { grantId: after.id });
      await requireEndorsementBy(this.ctx, this.#withdrawalKey(after.id), after.requesterMsp);
      await putJson(this.ctx, this.#countersignatureKey(after.id), { grantId: after.id });
      await requireEndorsementBy(this.ctx, this.#countersignatureKey(after.id), this.supervisorMsp);
    } else if (part === 'decision') {
      await this.#saveDecision(after);
    } else if (part === 'withdrawal') {
      await putJson(this.ctx, this.#withdrawalKey(after.id), { grantId: after.id, withdrawn: after.closed?.stamp });
    } else {
      await putJson(this.ctx, this.#countersignatureKey(after.id), { grantId: after.id, countersigned: after.countersigned });
    }
    const next = this.#indexKeys(after);
    const old = before === undefined ? [] : this.#indexKeys(before);
    for (const indexKey of old.filter((k) => !next.includes(k))) await deleteKey(this.ctx, indexKey);
    for (const indexKey of next.filter((k) => !old.includes(k))) await putIndex(this.ctx, indexKey, after.id);
  }

  /** The owner's part: everything but the other parties' (a withdrawal is never stored here, nor a countersignature). */
  async #saveDecision(grant: Grant): Promise<void> {
    if (grant.status === 'WITHDRAWN') throw new GovshareError('INTERNAL', "a withdrawal is saved as the requester's part");
    await putJson(this.ctx, grantKey(this.ctx, grant.id), { ...grant, countersigned: undefined });
  }

  /** The requester's live grants on a dataset: a narrow, non-paginated lookup (pagination is evaluate-only). */
  async live(datasetId: string, requesterMsp: string): Promise<Grant[]> {
    return this.#getAll(await indexIds(this.ctx, ObjectType.LiveGrant, [datasetId, requesterMsp]));
  }

  /** Every grant of a requester on a dataset. */
  async ofRequester(datasetId: string, requesterMsp: string): Promise<Grant[]> {
    return this.#getAll(await indexIds(this.ctx, ObjectType.GrantByDataset, [datasetId, requesterMsp]));
  }

  /**
   * A page of one list; `attributes` narrow the index by its leading attributes (a dataset, then a requester).
   * With `keep`, only the grants it keeps fill the page (at most GRANT_SCAN_LIMIT entries read per call).
   */
  async page(list: GrantList, attributes: readonly string[], pageSize: number, bookmark: string, keep?: (grant: Grant) => boolean): Promise<Page<Grant>> {
    if (keep !== undefined) {
      const page = await filteredPageOfKeys(this.ctx, LIST_INDEX[list], attributes, pageSize, bookmark, (kv) => this.get(Buffer.from(kv.value).toString('utf8')), keep, GRANT_SCAN_LIMIT);
      return { records: page.values, bookmark: page.bookmark, fetchedRecordsCount: page.fetchedRecordsCount };
    }
    const page = await pageOfKeys(this.ctx, LIST_INDEX[list], attributes, pageSize, bookmark, (kv) =>
      Buffer.from(kv.value).toString('utf8'),
    );
    return { records: await this.#getAll(page.values), bookmark: page.bookmark, fetchedRecordsCount: page.fetchedRecordsCount };
  }

  #detailsKey(grantId: string): string {
    return key(this.ctx, ObjectType.GrantPrivateDetails, [grantId]);
  }

  /** Blind write into the owner's and the requester's implicit collections (see ledger/private.ts). */
  async savePrivateDetails(grant: Grant, bytes: Uint8Array): Promise<void> {
    await putPrivate(this.ctx, [implicitCollectionOf(grant.ownerMsp), implicitCollectionOf(grant.requesterMsp)], this.#detailsKey(grant.id), bytes);
  }

  /** The details as stored in `mspId`'s own implicit collection (only that org's peers can answer). */
  async privateDetails(grant: Grant, mspId: string): Promise<Uint8Array | undefined> {
    return getPrivate(this.ctx, implicitCollectionOf(mspId), this.#detailsKey(grant.id));
  }
}
