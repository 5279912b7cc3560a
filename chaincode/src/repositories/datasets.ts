import type { Context } from 'fabric-contract-api';
import { Dataset, GovshareError, type DatasetHistoryEntry, type DatasetListFilter, type Page } from 'govshare-contract';
import {
  collect,
  datasetKey,
  deleteKey,
  exists,
  getJson,
  isGuardedBy,
  key,
  ObjectType,
  pageOfKeys,
  parseJson,
  putIndex,
  putJson,
  requireEndorsementBy,
} from '../ledger';
import { isoFromTimestamp } from '../ledger/time';
import { datasetNotFound } from '../domain/datasets';
import { z } from 'zod';

/** The owner's register of the grants it approved on one dataset (ObjectType.ApprovedGrants), ids sorted. */
const ApprovedGrants = z.object({ datasetId: z.string(), grantIds: z.array(z.string()) });

type DatasetIndex = 'owner' | 'theme' | 'classification';
const INDEX_TYPES: Record<DatasetIndex, ObjectType> = {
  owner: ObjectType.DatasetByOwner,
  theme: ObjectType.DatasetByTheme,
  classification: ObjectType.DatasetByClassification,
};

/** Index entries of a dataset as [index, attribute] pairs, sorted so that writes come in one order. */
export function datasetIndexEntries(dataset: Dataset): [DatasetIndex, string][] {
  const entries: [DatasetIndex, string][] = [
    ['owner', dataset.ownerMsp],
    ['classification', dataset.classification],
    ...dataset.themes.map((theme): [DatasetIndex, string] => ['theme', theme]),
  ];
  return entries.sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : 1));
}

/**
 * Datasets and their owner / theme / classification indexes. `save(before, after)` is the only write of the
 * record: it keeps the indexes equal to what `after` says, and a new dataset's key gets the owner-only
 * endorsement policy. A new dataset also gets its owner's register of approved grants, under the same policy;
 * `setApproved` is its only write.
 */
export class DatasetRepository {
  constructor(private readonly ctx: Context) {}

  #approvedKey(datasetId: string): string {
    return key(this.ctx, ObjectType.ApprovedGrants, [datasetId]);
  }

  #indexKey([index, value]: [DatasetIndex, string], datasetId: string): string {
    return key(this.ctx, INDEX_TYPES[index], [value, datasetId]);
  }

  async exists(id: string): Promise<boolean> {
    return exists(this.ctx, datasetKey(this.ctx, id));
  }

  async find(id: string): Promise<Dataset | undefined> {
    return getJson(this.ctx, datasetKey(this.ctx, id), Dataset);
  }

  async get(id: string): Promise<Dataset> {
    const dataset = await this.find(id);
    if (dataset === undefined) throw datasetNotFound(id);
    return dataset;
  }

  async save(before: Dataset | undefined, after: Dataset): Promise<void> {
    const dataKey = datasetKey(this.ctx, after.id);
    await putJson(this.ctx, dataKey, after);
    // State-based endorsement: later changes need the owner's peer, whatever the chaincode policy says.
    if (before === undefined) {
      await requireEndorsementBy(this.ctx, dataKey, after.ownerMsp);
      // Written over whatever a squatter may have put there: either this resets it, or (if the squatter set a
      // policy the owner cannot meet) the registration fails validation and nothing is registered.
      const approvedKey = this.#approvedKey(after.id);
      await putJson(this.ctx, approvedKey, { datasetId: after.id, grantIds: [] });
      await requireEndorsementBy(this.ctx, approvedKey, after.ownerMsp);
    }
    const entryKey = (entry: [DatasetIndex, string]): string => entry.join('\u0000');
    const old = before === undefined ? [] : datasetIndexEntries(before);
    const next = datasetIndexEntries(after);
    const oldKeys = new Set(old.map(entryKey));
    const nextKeys = new Set(next.map(entryKey));
    for (const entry of old.filter((e) => !nextKeys.has(entryKey(e)))) await deleteKey(this.ctx, this.#indexKey(entry, after.id));
    for (const entry of next.filter((e) => !oldKeys.has(entryKey(e)))) await putIndex(this.ctx, this.#indexKey(entry, after.id), after.id);
  }

  /**
   * The grants the owner approved on the dataset and has not revoked, from its register. Only ids listed here
   * can give access; a dataset without a register (or one the owner did not create) has none.
   */
  async approvedGrantIds(datasetId: string, ownerMsp: string): Promise<ReadonlySet<string>> {
    const approvedKey = this.#approvedKey(datasetId);
    const register = await getJson(this.ctx, approvedKey, ApprovedGrants);
    if (register === undefined || !(await isGuardedBy(this.ctx, approvedKey, ownerMsp))) return new Set();
    return new Set(register.grantIds);
  }

  /**
   * Adds the grant to (approved) or removes it from (revoked) the owner's register, and answers with the register
   * as written; the owner's peer must endorse.
   */
  async setApproved(dataset: Dataset, grantId: string, approved: boolean): Promise<ReadonlySet<string>> {
    const approvedKey = this.#approvedKey(dataset.id);
    const register = await getJson(this.ctx, approvedKey, ApprovedGrants);
    if (register !== undefined && !(await isGuardedBy(this.ctx, approvedKey, dataset.ownerMsp))) {
      throw new GovshareError('INVALID_STATE', `the register of approved grants of dataset '${dataset.id}' was not written by ${dataset.ownerMsp}`);
    }
    const ids = new Set(register?.grantIds ?? []);
    if (approved) ids.add(grantId);
    else ids.delete(grantId);
    await putJson(this.ctx, approvedKey, { datasetId: dataset.id, grantIds: [...ids].sort() });
    // A dataset registered before registers existed gets its register from the owner's first decision.
    if (register === undefined) await requireEndorsementBy(this.ctx, approvedKey, dataset.ownerMsp);
    return ids;
  }

  /** A page of one index (owner / theme / classification) or of all datasets, in id order (evaluate only). */
  async page(filter: DatasetListFilter, pageSize: number, bookmark: string): Promise<Page<Dataset>> {
    if (filter.by === 'all') {
      const page = await pageOfKeys(this.ctx, ObjectType.Dataset, [], pageSize, bookmark, (kv) => parseJson(kv.value, Dataset, 'dataset'));
      return { records: page.values, bookmark: page.bookmark, fetchedRecordsCount: page.fetchedRecordsCount };
    }
    const page = await pageOfKeys(this.ctx, INDEX_TYPES[filter.by], [filter.value], pageSize, bookmark, (kv) =>
      Buffer.from(kv.value).toString('utf8'),
    );
    const records: Dataset[] = [];
    for (const id of page.values) records.push(await this.get(id));
    return { records, bookmark: page.bookmark, fetchedRecordsCount: page.fetchedRecordsCount };
  }

  /** Every committed version of the dataset key, in GetHistoryForKey's order (newest first). */
  async history(id: string): Promise<DatasetHistoryEntry[]> {
    const history = await collect(this.ctx.stub.getHistoryForKey(datasetKey(this.ctx, id)), (entry) => entry);
    if (history.length === 0) throw datasetNotFound(id);
    return history.map((entry) => {
      // The shim hands out the protobuf Timestamp's toObject(): seconds is a plain number there, a Long in the typings.
      const { seconds, nanos } = entry.timestamp as unknown as { seconds: number | { toNumber(): number }; nanos: number };
      return {
        txId: entry.txId,
        timestamp: isoFromTimestamp(typeof seconds === 'number' ? seconds : seconds.toNumber(), nanos),
        isDelete: entry.isDelete,
        value: entry.isDelete || entry.value.length === 0 ? null : parseJson(entry.value, Dataset, `history of dataset '${id}'`),
      };
    });
  }
}
