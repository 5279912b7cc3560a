import {
  Dataset,
  DatasetHistoryEntry,
  pageOf,
  type DatasetListFilter,
  type DatasetRegistration,
  type DatasetUpdate,
} from 'govshare-contract';
import { z } from 'zod';

import type { LedgerClient } from '../fabric/ledgerClient';
import type { AuthenticatedUser } from '../identity/user';
import { committed, pageResult, parseLedgerJson, type Committed, type PageRequest, type PageResult } from './ledgerJson';

export interface RegisteredDataset {
  readonly dataset: Dataset;
  readonly txId: string;
  readonly blockNumber: bigint;
}

export interface DatasetService {
  registerDataset(user: AuthenticatedUser, registration: DatasetRegistration): Promise<RegisteredDataset>;
  readDataset(user: AuthenticatedUser, id: string): Promise<Dataset>;
  listDatasets(user: AuthenticatedUser, filter: DatasetListFilter, page: PageRequest): Promise<PageResult<Dataset>>;
  /** A new version of the dataset's metadata (a new fingerprint is a new content version). */
  updateDataset(user: AuthenticatedUser, id: string, update: DatasetUpdate): Promise<Committed<Dataset>>;
  /** Simulates UpdateDataset with the caller's identity (nothing is written): throws what the chaincode would refuse. */
  authorizeUpdate(user: AuthenticatedUser, id: string, update: DatasetUpdate): Promise<void>;
  retireDataset(user: AuthenticatedUser, id: string): Promise<Committed<Dataset>>;
  /** Every committed version, newest first. */
  datasetHistory(user: AuthenticatedUser, id: string): Promise<readonly DatasetHistoryEntry[]>;
}

const DatasetPage = pageOf(Dataset);
const DatasetHistory = z.array(DatasetHistoryEntry);

export function createDatasetService(ledger: LedgerClient): DatasetService {
  return {
    async registerDataset(user, registration) {
      // RegisterDataset takes the whole registration as one JSON argument, validated again by the chaincode.
      const submitted = await ledger.submit(user, 'RegisterDataset', [JSON.stringify(registration)]);
      const { value, txId, blockNumber } = committed(Dataset, submitted, 'RegisterDataset');
      return { dataset: value, txId, blockNumber };
    },

    async readDataset(user, id) {
      return parseLedgerJson(Dataset, await ledger.evaluate(user, 'ReadDataset', [id]), 'ReadDataset');
    },

    async listDatasets(user, filter, page) {
      const value = filter.by === 'all' ? '' : filter.value;
      const payload = await ledger.evaluate(user, 'ListDatasets', [filter.by, value, String(page.limit), page.cursor]);
      return pageResult(parseLedgerJson(DatasetPage, payload, 'ListDatasets'));
    },

    async updateDataset(user, id, update) {
      return committed(Dataset, await ledger.submit(user, 'UpdateDataset', [id, JSON.stringify(update)]), 'UpdateDataset');
    },

    async authorizeUpdate(user, id, update) {
      await ledger.evaluate(user, 'UpdateDataset', [id, JSON.stringify(update)]);
    },

    async retireDataset(user, id) {
      return committed(Dataset, await ledger.submit(user, 'RetireDataset', [id]), 'RetireDataset');
    },

    async datasetHistory(user, id) {
      return parseLedgerJson(DatasetHistory, await ledger.evaluate(user, 'GetDatasetHistory', [id]), 'GetDatasetHistory');
    },
  };
}
