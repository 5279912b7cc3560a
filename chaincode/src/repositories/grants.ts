import type { Context } from 'fabric-contract-api';
import { Grant, type Page } from 'govshare-contract';
import { grantNotFound } from '../domain/grants';
import {
  deleteKey,
  getJson,
  getPrivate,
  grantKey,
  implicitCollectionOf,
  indexIds,
  key,
  ObjectType,
  pageOfKeys,
  putIndex,
  putJson,
  putPrivate,
} from '../ledger';

/** Which index a grant list walks. */
export type GrantList = 'dataset' | 'requester' | 'pending';
const LIST_INDEX: Record<GrantList, ObjectType> = {
  dataset: ObjectType.GrantByDataset,
  requester: ObjectType.GrantByRequester,
  pending: ObjectType.PendingGrantByOwner,
};

/**
 * Grants and their indexes: by dataset (and requester), by requester, PENDING by owner, and live
 * (PENDING/APPROVED) by dataset and requester. `save(before, after)` keeps them equal to the stored status.
 * Private request details live in the owner's and the requester's implicit collections.
 */
export class GrantRepository {
  constructor(private readonly ctx: Context) {}

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
    return getJson(this.ctx, grantKey(this.ctx, id), Grant);
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

  async save(before: Grant | undefined, after: Grant): Promise<void> {
    await putJson(this.ctx, grantKey(this.ctx, after.id), after);
    const next = this.#indexKeys(after);
    const old = before === undefined ? [] : this.#indexKeys(before);
    for (const indexKey of old.filter((k) => !next.includes(k))) await deleteKey(this.ctx, indexKey);
    for (const indexKey of next.filter((k) => !old.includes(k))) await putIndex(this.ctx, indexKey, after.id);
  }

  /** The requester's live grants on a dataset: a narrow, non-paginated lookup (pagination is evaluate-only). */
  async live(datasetId: string, requesterMsp: string): Promise<Grant[]> {
    return this.#getAll(await indexIds(this.ctx, ObjectType.LiveGrant, [datasetId, requesterMsp]));
  }

  /** Every grant of a requester on a dataset. */
  async ofRequester(datasetId: string, requesterMsp: string): Promise<Grant[]> {
    return this.#getAll(await indexIds(this.ctx, ObjectType.GrantByDataset, [datasetId, requesterMsp]));
  }

  async page(list: GrantList, attribute: string, pageSize: number, bookmark: string): Promise<Page<Grant>> {
    const page = await pageOfKeys(this.ctx, LIST_INDEX[list], [attribute], pageSize, bookmark, (kv) =>
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
