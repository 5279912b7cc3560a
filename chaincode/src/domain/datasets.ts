import { DatasetRegistration, DatasetUpdate, GovshareError, type Dataset } from 'govshare-contract';
import { stampOf, type TxInfo } from './tx';

/** Rules for the data catalogue; pure functions so they are unit-tested without a ledger. */

/** A new dataset is owned by the caller's organisation and starts ACTIVE at version 1. */
export function buildDataset(registration: DatasetRegistration, tx: TxInfo): Dataset {
  const stamp = stampOf(tx);
  return {
    ...registration,
    ownerMsp: tx.caller.mspId,
    version: 1,
    contentVersion: 1,
    status: 'ACTIVE',
    created: stamp,
    updated: stamp,
  };
}

/** Only the owner organisation changes its dataset (the key-level endorsement policy enforces it too). */
export function assertOwner(dataset: Dataset, tx: TxInfo): void {
  if (dataset.ownerMsp !== tx.caller.mspId) {
    throw new GovshareError('FORBIDDEN', `dataset '${dataset.id}' is owned by ${dataset.ownerMsp}, not ${tx.caller.mspId}`);
  }
}

function assertActive(dataset: Dataset): void {
  if (dataset.status === 'RETIRED') {
    throw new GovshareError('DATASET_RETIRED', `dataset '${dataset.id}' is retired`);
  }
}

/** Every update bumps `version`; a new fingerprint is new content and also bumps `contentVersion`. */
export function updateDataset(dataset: Dataset, update: DatasetUpdate, tx: TxInfo): Dataset {
  assertOwner(dataset, tx);
  assertActive(dataset);
  const changed = Object.fromEntries(Object.entries(update).filter(([, value]: [string, unknown]) => value !== undefined));
  const newContent = update.fingerprint !== undefined && update.fingerprint !== dataset.fingerprint;
  return {
    ...dataset,
    ...changed,
    version: dataset.version + 1,
    contentVersion: dataset.contentVersion + (newContent ? 1 : 0),
    updated: stampOf(tx),
  };
}

export function retireDataset(dataset: Dataset, tx: TxInfo): Dataset {
  assertOwner(dataset, tx);
  assertActive(dataset);
  return { ...dataset, status: 'RETIRED', version: dataset.version + 1, updated: stampOf(tx) };
}

export function datasetExists(id: string): GovshareError {
  return new GovshareError('DATASET_EXISTS', `dataset '${id}' already exists`);
}

export function datasetNotFound(id: string): GovshareError {
  return new GovshareError('DATASET_NOT_FOUND', `dataset '${id}' does not exist`);
}
