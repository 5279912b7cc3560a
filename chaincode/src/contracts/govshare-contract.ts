import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import {
  buildDataset,
  datasetExists,
  datasetNotFound,
  datasetRegisteredEvent,
  validateRegistration,
} from '../domain/datasets';
import { parseArgument } from '../domain/validation';
import { datasetKey, exists, getJson, putJson, sortedJson } from '../ledger';
import { Dataset, DATASET_REGISTERED_EVENT, Identifier } from '../model';
import { txInfoOf } from './tx-context';

/**
 * Transactions stay thin: parse → check ledger → pure domain rule → write (+ one event).
 * Results are returned as sorted-key JSON strings so every endorser returns identical bytes.
 */
@Info({ title: 'GovshareContract', description: 'govshare: inter-department data catalogue' })
export class GovshareContract extends Contract {
  constructor() {
    super('govshare');
  }

  @Transaction()
  @Param('id', 'string', 'Dataset id: 1-64 of [A-Za-z0-9._-], starting alphanumeric')
  @Param('title', 'string', '1-200 characters')
  @Param('description', 'string', '0-2000 characters')
  @Param('classification', 'string', 'PUBLIC | INTERNAL | RESTRICTED | SECRET')
  @Param('fingerprint', 'string', 'SHA-256 of the dataset content, 64 hex characters')
  @Returns('string')
  async RegisterDataset(
    ctx: Context,
    id: string,
    title: string,
    description: string,
    classification: string,
    fingerprint: string,
  ): Promise<string> {
    const registration = validateRegistration({ id, title, description, classification, fingerprint });
    const key = datasetKey(ctx, registration.id);
    if (await exists(ctx, key)) {
      throw datasetExists(registration.id);
    }
    const tx = txInfoOf(ctx);
    const dataset = buildDataset(registration, tx);
    await putJson(ctx, key, dataset);
    ctx.stub.setEvent(DATASET_REGISTERED_EVENT, Buffer.from(sortedJson(datasetRegisteredEvent(dataset, tx))));
    return sortedJson(dataset);
  }

  @Transaction(false)
  @Param('id', 'string', 'Dataset id')
  @Returns('string')
  async ReadDataset(ctx: Context, id: string): Promise<string> {
    const datasetId = parseArgument(Identifier, id);
    const dataset = await getJson(ctx, datasetKey(ctx, datasetId), Dataset);
    if (dataset === undefined) {
      throw datasetNotFound(datasetId);
    }
    return sortedJson(dataset);
  }
}
