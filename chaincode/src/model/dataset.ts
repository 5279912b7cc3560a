import { z } from 'zod';
import { Classification, Identifier, MspId, Sha256Hex, TxStamp } from './common';

/** Input of RegisterDataset (also the gateway's request body). Unknown fields are rejected. */
export const DatasetRegistration = z.strictObject({
  id: Identifier,
  title: z
    .string()
    .min(1, 'must not be empty')
    .max(200, 'must be at most 200 characters')
    .regex(/\S/, 'must not be blank'),
  description: z.string().max(2000, 'must be at most 2000 characters'),
  classification: Classification,
  fingerprint: Sha256Hex,
});
export type DatasetRegistrationInput = z.input<typeof DatasetRegistration>;
export type DatasetRegistration = z.output<typeof DatasetRegistration>;

export const DatasetStatus = z.enum(['ACTIVE']);
export type DatasetStatus = z.infer<typeof DatasetStatus>;

/** A dataset as stored on the ledger and returned by RegisterDataset / ReadDataset. */
export const Dataset = z.object({
  id: Identifier,
  ownerMsp: MspId,
  title: z.string(),
  description: z.string(),
  classification: Classification,
  fingerprint: Sha256Hex,
  version: z.number().int().positive(),
  status: DatasetStatus,
  created: TxStamp,
  updated: TxStamp,
});
export type Dataset = z.infer<typeof Dataset>;

/** Payload of the `DatasetRegistered` chaincode event. */
export const DatasetRegisteredEvent = z.object({
  datasetId: Identifier,
  ownerMsp: MspId,
  txId: z.string().min(1),
});
export type DatasetRegisteredEvent = z.infer<typeof DatasetRegisteredEvent>;

export const DATASET_REGISTERED_EVENT = 'DatasetRegistered';
