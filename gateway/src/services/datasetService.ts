import {
  GetDatasetHistory,
  ListDatasets,
  ReadDataset,
  RegisterDataset,
  RetireDataset,
  UpdateDataset,
  type Dataset,
  type DatasetHistoryEntry,
  type DatasetListFilter,
  type DatasetRegistration,
  type DatasetUpdate,
} from 'govshare-contract';

import type { LedgerClient } from '../fabric/ledgerClient';
import type { AuthenticatedUser } from '../identity/user';
import { typedLedger } from './ledgerCalls';
import { pageResult, type Committed, type PageRequest, type PageResult } from './ledgerJson';

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

export function createDatasetService(client: LedgerClient): DatasetService {
  const ledger = typedLedger(client);
  return {
    async registerDataset(user, registration) {
      // The chaincode validates the registration again: the gateway is not trusted by the ledger.
      const { value, txId, blockNumber } = await ledger.call(user, RegisterDataset, { registration });
      return { dataset: value, txId, blockNumber };
    },

    async readDataset(user, id) {
      return await ledger.call(user, ReadDataset, { id });
    },

    async listDatasets(user, filter, page) {
      const value = filter.by === 'all' ? '' : filter.value;
      return pageResult(await ledger.call(user, ListDatasets, { by: filter.by, value, pageSize: page.limit, bookmark: page.cursor }));
    },

    async updateDataset(user, id, update) {
      return await ledger.call(user, UpdateDataset, { id, update });
    },

    async authorizeUpdate(user, id, update) {
      await ledger.simulate(user, UpdateDataset, { id, update });
    },

    async retireDataset(user, id) {
      return await ledger.call(user, RetireDataset, { id });
    },

    async datasetHistory(user, id) {
      return await ledger.call(user, GetDatasetHistory, { id });
    },
  };
}
