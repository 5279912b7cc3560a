import { GovshareError } from '../errors';
import {
  type Dataset,
  DatasetRegistration,
  type DatasetRegisteredEvent,
} from '../model';
import { stampOf, type TxInfo } from './tx';
import { parseArgument } from './validation';

/** Rules for the data catalogue; pure functions so they are unit-tested without a ledger. */

/** Validates untrusted registration input (e.g. raw transaction arguments). */
export function validateRegistration(input: unknown): DatasetRegistration {
  return parseArgument(DatasetRegistration, input);
}

/** A new dataset is owned by the caller's organisation and starts ACTIVE at version 1. */
export function buildDataset(registration: DatasetRegistration, tx: TxInfo): Dataset {
  const stamp = stampOf(tx);
  return {
    id: registration.id,
    ownerMsp: tx.caller.mspId,
    title: registration.title,
    description: registration.description,
    classification: registration.classification,
    fingerprint: registration.fingerprint,
    version: 1,
    status: 'ACTIVE',
    created: stamp,
    updated: stamp,
  };
}

export function datasetRegisteredEvent(dataset: Dataset, tx: TxInfo): DatasetRegisteredEvent {
  return { datasetId: dataset.id, ownerMsp: dataset.ownerMsp, txId: tx.txId };
}

export function datasetExists(id: string): GovshareError {
  return new GovshareError('DATASET_EXISTS', `dataset '${id}' already exists`);
}

export function datasetNotFound(id: string): GovshareError {
  return new GovshareError('DATASET_NOT_FOUND', `dataset '${id}' does not exist`);
}
