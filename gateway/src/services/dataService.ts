import { sha256Hex, type AccessReceipt, type Dataset, type GrantView } from 'govshare-contract';

import type { PayloadFetcher } from '../exchange/exchangeClient';
import { checkReceiptSignature, type MspRoots, type SignedAccessReceipt } from '../exchange/receipts';
import { canonicalPayload, checkRecords, parsePayload, projectRecords, type DataRecord } from '../exchange/payload';
import type { PayloadStore } from '../exchange/payloadStore';
import type { AuthenticatedUser } from '../identity/user';
import type { DatasetService } from './datasetService';
import { AccessDeniedError, DataExchangeFailedError, ForbiddenError, InvalidRequestError, PayloadNotAvailableError } from './errors';
import type { GrantService } from './grantService';
import type { Committed } from './ledgerJson';

export interface FetchRequest {
  /** The grant to fetch under; by default the caller's organisation's active grant on the dataset. */
  readonly grantId?: string | undefined;
  /** The fields wanted; by default every granted field. */
  readonly fields?: readonly string[] | undefined;
}

export interface FetchedData {
  readonly datasetId: string;
  readonly grantId: string | null;
  readonly fields: readonly string[];
  readonly contentVersion: number;
  /** The dataset content the data was projected from: the on-chain fingerprint. */
  readonly contentFingerprint: string;
  /** SHA-256 of the payload as received: the owner's projection to `fields` (canonical JSON). */
  readonly payloadSha256: string;
  readonly data: readonly DataRecord[];
  /**
   * The owner gateway's signed receipt of this delivery, verified here (signature against the owner's CA in the
   * channel configuration, payload hash, content, fields); null when the owner reads its own dataset.
   */
  readonly receipt: SignedAccessReceipt | null;
}

export interface DataService {
  /** Owner side: stores the payload locally and commits its fingerprint as the dataset's new content version. */
  uploadData(user: AuthenticatedUser, datasetId: string, records: readonly DataRecord[]): Promise<Committed<Dataset>>;
  /** Requester side: fetches the granted fields from the owner's gateway, which records the delivery; verifies its receipt. */
  fetchData(user: AuthenticatedUser, datasetId: string, request: FetchRequest): Promise<FetchedData>;
}

export interface DataServiceDeps {
  readonly datasets: DatasetService;
  readonly grants: GrantService;
  readonly store: PayloadStore;
  readonly fetcher: PayloadFetcher;
  /** The organisations' CAs as the channel configuration names them (read with `user`'s identity). */
  readonly mspRoots: (user: AuthenticatedUser) => Promise<MspRoots>;
  readonly now?: () => Date;
  readonly onPruneError?: (err: unknown) => void;
}

const MAX_GRANT_PAGES = 10;

/** A committed delivery record as the API shows it (the owner's RecordDelivery, with its block). */
export function receiptBody(receipt: Committed<AccessReceipt>): Record<string, unknown> {
  return { ...receipt.value, blockNumber: receipt.blockNumber.toString() };
}

const sortedUnique = (fields: readonly string[]): string[] => [...new Set(fields)].sort();
const sameList = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((item, i) => item === b[i]);

export function createDataService(deps: DataServiceDeps): DataService {
  const { datasets, grants, store, fetcher } = deps;

  /** The caller organisation's grant on the dataset: an active one if any, else the newest (its refusal is recorded). */
  async function findGrant(user: AuthenticatedUser, datasetId: string): Promise<GrantView | undefined> {
    const mine: GrantView[] = [];
    let cursor = '';
    for (let page = 0; page < MAX_GRANT_PAGES; page++) {
      const result = await grants.listGrants(user, { by: 'dataset', datasetId, requesterMsp: user.mspId }, { limit: 100, cursor });
      mine.push(...result.items);
      if (result.nextCursor === null) break;
      cursor = result.nextCursor;
    }
    return mine.find((grant) => grant.active) ?? [...mine].sort((a, b) => b.requested.timestamp.localeCompare(a.requested.timestamp))[0];
  }

  async function readOwn(dataset: Dataset, fields: readonly string[] | undefined): Promise<FetchedData> {
    const bytes = await store.load(dataset.id, dataset.fingerprint);
    if (bytes === undefined) {
      throw new PayloadNotAvailableError(dataset.id);
    }
    const selected = fields ?? dataset.fields.map((field) => field.name);
    return {
      datasetId: dataset.id,
      grantId: null,
      fields: selected,
      contentVersion: dataset.contentVersion,
      contentFingerprint: dataset.fingerprint,
      payloadSha256: dataset.fingerprint,
      data: projectRecords(parsePayload(bytes), selected),
      receipt: null,
    };
  }

  return {
    async uploadData(user, datasetId, records) {
      const dataset = await datasets.readDataset(user, datasetId);
      if (dataset.ownerMsp !== user.mspId) {
        throw new ForbiddenError(`Only ${dataset.ownerMsp} stores the data of dataset '${datasetId}'`);
      }
      checkRecords(dataset, records);
      const bytes = canonicalPayload(records);
      const fingerprint = sha256Hex(bytes);
      // Authorised before anything is stored: the chaincode simulates the update with the caller's identity, so
      // a caller it refuses (wrong role, retired dataset) leaves no file behind.
      await datasets.authorizeUpdate(user, datasetId, { fingerprint });
      // Stored under its digest before the commit: the committed fingerprint always names a payload that exists.
      const existed = (await store.load(datasetId, fingerprint)) !== undefined;
      await store.save(datasetId, fingerprint, bytes);
      let updated: Committed<Dataset>;
      try {
        updated = await datasets.updateDataset(user, datasetId, { fingerprint });
      } catch (err) {
        // Refused or failed at commit (a race with a retirement, say): the new file names nothing on the ledger.
        if (!existed) await store.remove(datasetId, fingerprint).catch((removeErr: unknown) => deps.onPruneError?.(removeErr));
        throw err;
      }
      await store.prune(datasetId, updated.value.fingerprint).catch((err: unknown) => deps.onPruneError?.(err));
      return updated;
    },

    async fetchData(user, datasetId, request) {
      const dataset = await datasets.readDataset(user, datasetId);
      if (dataset.ownerMsp === user.mspId) return await readOwn(dataset, request.fields);

      const grant = request.grantId === undefined ? await findGrant(user, datasetId) : await grants.readGrant(user, request.grantId);
      if (grant !== undefined && grant.datasetId !== datasetId) {
        throw new InvalidRequestError(`Grant '${grant.id}' is for dataset '${grant.datasetId}', not '${datasetId}'`);
      }
      // Always asked of the owner, even without a grant: the owner decides, and records the refusal too.
      const fields = request.fields ?? grant?.fields ?? dataset.fields.map((field) => field.name);
      const fetched = await fetcher.fetch(dataset.ownerMsp, datasetId, fields);
      if (fetched.kind === 'denied') throw new AccessDeniedError(datasetId, fetched.reason, fetched.record);
      // Granted, but the owner has no payload of the committed content yet: the same 404 as for one's own dataset.
      if (fetched.kind === 'not-stored') throw new PayloadNotAvailableError(datasetId);
      if (fetched.kind === 'failed') {
        throw new DataExchangeFailedError(`Could not fetch the payload from ${dataset.ownerMsp}: ${fetched.detail}`);
      }
      const payloadSha256 = sha256Hex(fetched.bytes);
      const signed = fetched.receipt;
      if (signed === undefined) throw new DataExchangeFailedError(`${dataset.ownerMsp} sent no signed receipt with the data`);
      const verdict = checkReceiptSignature(signed, await deps.mspRoots(user), (deps.now ?? (() => new Date()))());
      if (!verdict.ok) throw new DataExchangeFailedError(`The receipt from ${dataset.ownerMsp} does not verify: ${verdict.problem}`);
      const { receipt } = signed;
      const mismatch =
        receipt.datasetId !== datasetId
          ? 'it names another dataset'
          : receipt.ownerMsp !== dataset.ownerMsp
            ? 'it names another owner'
            : receipt.requesterMsp !== user.mspId
              ? 'it names another requester'
              : !sameList(receipt.fields, sortedUnique(fields))
                ? 'it names other fields'
                : receipt.payloadSha256 !== payloadSha256
                  ? `it names payload ${receipt.payloadSha256}, the bytes received hash to ${payloadSha256}`
                  : receipt.contentFingerprint !== dataset.fingerprint
                    ? `it names content ${receipt.contentFingerprint}, not the fingerprint ${dataset.fingerprint} on the ledger`
                    : undefined;
      if (mismatch !== undefined) throw new DataExchangeFailedError(`The receipt from ${dataset.ownerMsp} does not match the delivery: ${mismatch}`);
      let records: DataRecord[];
      try {
        records = parsePayload(fetched.bytes);
      } catch {
        throw new DataExchangeFailedError(`The payload from ${dataset.ownerMsp} is not an array of records`);
      }
      const extra = [...new Set(records.flatMap((item) => Object.keys(item)))].filter((name) => !fields.includes(name));
      if (extra.length > 0) {
        // Never handed on: the app must not receive fields it did not ask for, even when the owner over-shares.
        throw new DataExchangeFailedError(`${dataset.ownerMsp} sent fields that were not asked for: ${extra.sort().join(', ')}`);
      }
      return {
        datasetId,
        grantId: receipt.grantId,
        fields: receipt.fields,
        contentVersion: dataset.contentVersion,
        contentFingerprint: dataset.fingerprint,
        payloadSha256,
        data: records,
        receipt: signed,
      };
    },
  };
}
