import type { ArgumentsOf, DatasetHistoryEntry, DatasetListFilter, Page } from 'govshare-contract';
import {
  DatasetListFilter as DatasetListFilterSchema,
  type Dataset,
  type DatasetUpdate,
  type GetDatasetHistory,
  type ListDatasets,
  type ReadDataset,
  type RegisterDataset,
  type RetireDataset,
  type UpdateDataset,
} from 'govshare-contract';
import type { GovshareContext } from '../contracts/context';
import { buildDataset, datasetExists, retireDataset, updateDataset } from '../domain/datasets';
import { parseArgument } from '../domain/validation';
import { repositoriesOf } from '../repositories';

export async function registerDataset(ctx: GovshareContext, { registration }: ArgumentsOf<typeof RegisterDataset>): Promise<Dataset> {
  const { datasets, audit } = repositoriesOf(ctx);
  if (await datasets.exists(registration.id)) throw datasetExists(registration.id);
  const dataset = buildDataset(registration, ctx.tx);
  await datasets.save(undefined, dataset);
  await audit.record(
    {
      type: 'DATASET_REGISTERED',
      outcome: 'SUCCESS',
      datasetId: dataset.id,
      subjectOwnerMsp: dataset.ownerMsp,
      details: { classification: dataset.classification, fingerprint: dataset.fingerprint, version: dataset.version },
    },
    'DatasetRegistered',
    { datasetId: dataset.id, ownerMsp: dataset.ownerMsp },
  );
  return dataset;
}

export async function updateDatasetMetadata(ctx: GovshareContext, { id, update }: ArgumentsOf<typeof UpdateDataset>): Promise<Dataset> {
  const { datasets, audit } = repositoriesOf(ctx);
  const before = await datasets.get(id);
  const after = updateDataset(before, update, ctx.tx);
  await datasets.save(before, after);
  await audit.record(
    {
      type: 'DATASET_UPDATED',
      outcome: 'SUCCESS',
      datasetId: id,
      subjectOwnerMsp: after.ownerMsp,
      details: {
        changed: Object.keys(update).filter((name) => update[name as keyof DatasetUpdate] !== undefined).sort(),
        contentVersion: after.contentVersion,
        fingerprint: after.fingerprint,
        version: after.version,
      },
    },
    'DatasetUpdated',
    { datasetId: id, ownerMsp: after.ownerMsp },
  );
  return after;
}

export async function retire(ctx: GovshareContext, { id }: ArgumentsOf<typeof RetireDataset>): Promise<Dataset> {
  const { datasets, audit } = repositoriesOf(ctx);
  const before = await datasets.get(id);
  const after = retireDataset(before, ctx.tx);
  await datasets.save(before, after);
  await audit.record(
    { type: 'DATASET_RETIRED', outcome: 'SUCCESS', datasetId: id, subjectOwnerMsp: after.ownerMsp, details: { version: after.version } },
    'DatasetRetired',
    { datasetId: id, ownerMsp: after.ownerMsp },
  );
  return after;
}

export async function readDataset(ctx: GovshareContext, { id }: ArgumentsOf<typeof ReadDataset>): Promise<Dataset> {
  return repositoriesOf(ctx).datasets.get(id);
}

/** ListDatasets: a page of one index (owner / theme / classification) or of all datasets, in id order. */
export async function listDatasets(ctx: GovshareContext, { by, value, pageSize, bookmark }: ArgumentsOf<typeof ListDatasets>): Promise<Page<Dataset>> {
  const filter: DatasetListFilter = parseArgument(DatasetListFilterSchema, by === 'all' ? { by } : { by, value });
  return repositoriesOf(ctx).datasets.page(filter, pageSize, bookmark);
}

/** GetDatasetHistory: every committed version of the dataset key, newest first. */
export async function datasetHistory(ctx: GovshareContext, { id }: ArgumentsOf<typeof GetDatasetHistory>): Promise<DatasetHistoryEntry[]> {
  return repositoriesOf(ctx).datasets.history(id);
}
