import type { Context } from 'fabric-contract-api';
import {
  buildDataset,
  datasetExists,
  datasetIndexDiff,
  datasetIndexEntries,
  datasetNotFound,
  retireDataset,
  updateDataset,
  type DatasetIndex,
} from '../domain/datasets';
import {
  authorize,
  Bookmark,
  Dataset,
  DatasetListFilter,
  DatasetRegistration,
  DatasetUpdate,
  Identifier,
  PageSize,
  type DatasetHistoryEntry,
  type Page,
} from 'govshare-contract';
import { isoFromTimestamp, type TxInfo } from '../domain/tx';
import { parseArgument, parseJsonInput } from '../domain/validation';
import {
  collect,
  datasetKey,
  deleteKey,
  emitEvent,
  exists,
  getJson,
  key,
  ObjectType,
  pageOfKeys,
  parseJson,
  putIndex,
  putJson,
  requireEndorsementBy,
} from '../ledger';
import { writeAudit } from './audit-trail';

const INDEX_TYPES: Record<DatasetIndex, ObjectType> = {
  owner: ObjectType.DatasetByOwner,
  theme: ObjectType.DatasetByTheme,
  classification: ObjectType.DatasetByClassification,
};

function indexKey(ctx: Context, [index, value]: [DatasetIndex, string], datasetId: string): string {
  return key(ctx, INDEX_TYPES[index], [value, datasetId]);
}

export async function readDataset(ctx: Context, id: string): Promise<Dataset> {
  const dataset = await getJson(ctx, datasetKey(ctx, id), Dataset);
  if (dataset === undefined) throw datasetNotFound(id);
  return dataset;
}

export async function registerDataset(ctx: Context, tx: TxInfo, registrationJson: string): Promise<Dataset> {
  authorize(tx.caller, 'REGISTER_DATASET');
  const registration = parseJsonInput(DatasetRegistration, registrationJson, 'registration');
  const dataKey = datasetKey(ctx, registration.id);
  if (await exists(ctx, dataKey)) throw datasetExists(registration.id);
  const dataset = buildDataset(registration, tx);
  await putJson(ctx, dataKey, dataset);
  await requireEndorsementBy(ctx, dataKey, dataset.ownerMsp);
  for (const entry of datasetIndexEntries(dataset)) {
    await putIndex(ctx, indexKey(ctx, entry, dataset.id), dataset.id);
  }
  const audit = await writeAudit(ctx, tx, {
    type: 'DATASET_REGISTERED',
    outcome: 'SUCCESS',
    datasetId: dataset.id,
    subjectOwnerMsp: dataset.ownerMsp,
    details: { classification: dataset.classification, fingerprint: dataset.fingerprint, version: dataset.version },
  });
  emitEvent(ctx, 'DatasetRegistered', { txId: tx.txId, auditId: audit.id, datasetId: dataset.id, ownerMsp: dataset.ownerMsp });
  return dataset;
}

async function replaceDataset(ctx: Context, before: Dataset, after: Dataset): Promise<void> {
  await putJson(ctx, datasetKey(ctx, after.id), after);
  const { remove, add } = datasetIndexDiff(before, after);
  for (const entry of remove) await deleteKey(ctx, indexKey(ctx, entry, after.id));
  for (const entry of add) await putIndex(ctx, indexKey(ctx, entry, after.id), after.id);
}

export async function updateDatasetTx(ctx: Context, tx: TxInfo, id: string, updateJson: string): Promise<Dataset> {
  authorize(tx.caller, 'UPDATE_DATASET');
  const datasetId = parseArgument(Identifier, id);
  const update = parseJsonInput(DatasetUpdate, updateJson, 'update');
  const before = await readDataset(ctx, datasetId);
  const after = updateDataset(before, update, tx);
  await replaceDataset(ctx, before, after);
  const audit = await writeAudit(ctx, tx, {
    type: 'DATASET_UPDATED',
    outcome: 'SUCCESS',
    datasetId,
    subjectOwnerMsp: after.ownerMsp,
    details: {
      changed: Object.keys(update).filter((name) => update[name as keyof DatasetUpdate] !== undefined).sort(),
      contentVersion: after.contentVersion,
      fingerprint: after.fingerprint,
      version: after.version,
    },
  });
  emitEvent(ctx, 'DatasetUpdated', { txId: tx.txId, auditId: audit.id, datasetId, ownerMsp: after.ownerMsp });
  return after;
}

export async function retireDatasetTx(ctx: Context, tx: TxInfo, id: string): Promise<Dataset> {
  authorize(tx.caller, 'RETIRE_DATASET');
  const datasetId = parseArgument(Identifier, id);
  const before = await readDataset(ctx, datasetId);
  const after = retireDataset(before, tx);
  await replaceDataset(ctx, before, after);
  const audit = await writeAudit(ctx, tx, {
    type: 'DATASET_RETIRED',
    outcome: 'SUCCESS',
    datasetId,
    subjectOwnerMsp: after.ownerMsp,
    details: { version: after.version },
  });
  emitEvent(ctx, 'DatasetRetired', { txId: tx.txId, auditId: audit.id, datasetId, ownerMsp: after.ownerMsp });
  return after;
}

/** ListDatasets: a page of one index (owner / theme / classification) or of all datasets, in id order. */
export async function listDatasets(
  ctx: Context,
  by: string,
  value: string,
  pageSizeText: string,
  bookmarkText: string,
): Promise<Page<Dataset>> {
  const filter = parseArgument(DatasetListFilter, by === 'all' ? { by } : { by, value });
  const pageSize = parseArgument(PageSize, pageSizeText);
  const bookmark = parseArgument(Bookmark, bookmarkText);
  if (filter.by === 'all') {
    const page = await pageOfKeys(ctx, ObjectType.Dataset, [], pageSize, bookmark, (kv) =>
      parseJson(kv.value, Dataset, 'dataset'),
    );
    return { records: page.values, bookmark: page.bookmark, fetchedRecordsCount: page.fetchedRecordsCount };
  }
  const page = await pageOfKeys(ctx, INDEX_TYPES[filter.by], [filter.value], pageSize, bookmark, (kv) =>
    Buffer.from(kv.value).toString('utf8'),
  );
  const records: Dataset[] = [];
  for (const id of page.values) records.push(await readDataset(ctx, id));
  return { records, bookmark: page.bookmark, fetchedRecordsCount: page.fetchedRecordsCount };
}

/** GetDatasetHistory: every committed version of the dataset key, in GetHistoryForKey's order (newest first). */
export async function datasetHistory(ctx: Context, id: string): Promise<DatasetHistoryEntry[]> {
  const datasetId = parseArgument(Identifier, id);
  const history = await collect(ctx.stub.getHistoryForKey(datasetKey(ctx, datasetId)), (entry) => entry);
  if (history.length === 0) throw datasetNotFound(datasetId);
  return history.map((entry) => {
    // The shim hands out the protobuf Timestamp's toObject(): seconds is a plain number there, a Long in the typings.
    const { seconds, nanos } = entry.timestamp as unknown as { seconds: number | { toNumber(): number }; nanos: number };
    return {
      txId: entry.txId,
      timestamp: isoFromTimestamp(typeof seconds === 'number' ? seconds : seconds.toNumber(), nanos),
      isDelete: entry.isDelete,
      value: entry.isDelete || entry.value.length === 0 ? null : parseJson(entry.value, Dataset, `history of dataset '${datasetId}'`),
    };
  });
}
