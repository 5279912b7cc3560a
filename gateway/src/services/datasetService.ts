import { Dataset, type DatasetRegistration } from 'govshare-chaincode/model';

import type { LedgerClient } from '../fabric/ledgerClient';
import type { AuthenticatedUser } from '../identity/user';

export interface RegisteredDataset {
  readonly dataset: Dataset;
  readonly txId: string;
  readonly blockNumber: bigint;
}

export interface DatasetService {
  registerDataset(user: AuthenticatedUser, registration: DatasetRegistration): Promise<RegisteredDataset>;
  readDataset(user: AuthenticatedUser, id: string): Promise<Dataset>;
}

/** The chaincode's reply is checked against the shared model, so a contract drift fails loudly here. */
function parseDataset(payload: Buffer, txName: string): Dataset {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new Error(`${txName} returned a payload that is not JSON`);
  }
  const result = Dataset.safeParse(json);
  if (!result.success) {
    throw new Error(`${txName} returned an unexpected dataset shape: ${result.error.message}`);
  }
  return result.data;
}

export function createDatasetService(ledger: LedgerClient): DatasetService {
  return {
    async registerDataset(user, registration) {
      // RegisterDataset takes the whole registration as one JSON argument, validated again by the chaincode.
      const { result, txId, blockNumber } = await ledger.submit(user, 'RegisterDataset', [JSON.stringify(registration)]);
      return { dataset: parseDataset(result, 'RegisterDataset'), txId, blockNumber };
    },

    async readDataset(user, id) {
      return parseDataset(await ledger.evaluate(user, 'ReadDataset', [id]), 'ReadDataset');
    },
  };
}
