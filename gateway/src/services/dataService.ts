import { sha256Hex, type AccessReceipt, type Dataset, type GrantView } from 'govshare-contract';

import type { PayloadFetcher } from '../exchange/exchangeClient';
import { canonicalPayload, checkRecords, parsePayload, projectRecords, type DataRecord } from '../exchange/payload';
import type { PayloadStore } from '../exchange/payloadStore';
import { HttpProblem } from '../http/problem';
import type { AuthenticatedUser } from '../identity/user';
import type { DatasetService } from './datasetService';
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
  /** The committed RecordAccess (null when the owner reads its own dataset: nothing is shared). */
  readonly receipt: Committed<AccessReceipt> | null;
}

export interface DataService {
  /** Owner side: stores the payload locally and commits its fingerprint as the dataset's new content version. */
  uploadData(user: AuthenticatedUser, datasetId: string, records: readonly DataRecord[]): Promise<Committed<Dataset>>;
  /** Requester side: fetches from the owner's gateway, verifies, projects and records the access on chain. */
  fetchData(user: AuthenticatedUser, datasetId: string, request: FetchRequest): Promise<FetchedData>;
}

export interface DataServiceDeps {
  readonly datasets: DatasetService;
  readonly grants: GrantService;
  readonly store: PayloadStore;
  readonly fetcher: PayloadFetcher;
  readonly onPruneError?: (err: unknown) => void;
}

const MAX_GRANT_PAGES = 10;

export function receiptBody(receipt: Committed<AccessReceipt>): Record<string, unknown> {
  return { ...receipt.value, blockNumber: receipt.blockNumber.toString() };
}

/** 403 with the committed receipt: the refusal is on the ledger. */
function accessDenied(datasetId: string, receipt: Committed<AccessReceipt>): HttpProblem {
  return new HttpProblem({
    status: 403,
    code: 'ACCESS_DENIED',
    title: 'Access denied',
    detail: `Access to dataset '${datasetId}' was refused (${receipt.value.reason}); the refusal is recorded on the ledger`,
    txId: receipt.txId,
    extensions: { reason: receipt.value.reason, grantId: receipt.value.grantId, receipt: receiptBody(receipt) },
  });
}

function exchangeFailed(detail: string, extensions?: Record<string, unknown>): HttpProblem {
  return new HttpProblem({ status: 502, code: 'DATA_EXCHANGE_FAILED', title: 'Data exchange failed', detail, extensions });
}

const covers = (grant: GrantView, fields: readonly string[]): boolean => fields.every((field) => grant.fields.includes(field));

export function createDataService(deps: DataServiceDeps): DataService {
  const { datasets, grants, store, fetcher } = deps;

  /** The caller organisation's grant on the dataset: an active one if any, else the newest (its refusal is recorded). */
  async function findGrant(user: AuthenticatedUser, datasetId: string): Promise<GrantView | undefined> {
    const mine: GrantView[] = [];
    let cursor = '';
    for (let page = 0; page < MAX_GRANT_PAGES; page++) {
      const result = await grants.listGrants(user, { by: 'dataset', datasetId }, { limit: 100, cursor });
      mine.push(...result.items.filter((grant) => grant.requesterMsp === user.mspId));
      if (result.nextCursor === null) break;
      cursor = result.nextCursor;
    }
    return mine.find((grant) => grant.active) ?? [...mine].sort((a, b) => b.requested.timestamp.localeCompare(a.requested.timestamp))[0];
  }

  async function readOwn(dataset: Dataset, fields: readonly string[] | undefined): Promise<FetchedData> {
    const bytes = await store.load(dataset.id, dataset.fingerprint);
    if (bytes === undefined) {
      throw new HttpProblem({ status: 404, code: 'PAYLOAD_NOT_AVAILABLE', title: 'Not found', detail: `No payload of dataset '${dataset.id}' is stored` });
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
        throw new HttpProblem({
          status: 403,
          code: 'FORBIDDEN',
          title: 'Forbidden',
          detail: `Only ${dataset.ownerMsp} stores the data of dataset '${datasetId}'`,
        });
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
      if (grant === undefined) {
        throw new HttpProblem({
          status: 403,
          code: 'ACCESS_DENIED',
          title: 'Access denied',
          detail: `${user.mspId} has no grant on dataset '${datasetId}'; request access first`,
          extensions: { reason: 'NO_GRANT' },
        });
      }
      if (grant.datasetId !== datasetId) {
        throw new HttpProblem({
          status: 400,
          code: 'INVALID_ARGUMENT',
          title: 'Invalid request',
          detail: `Grant '${grant.id}' is for dataset '${grant.datasetId}', not '${datasetId}'`,
        });
      }
      const fields = request.fields ?? grant.fields;
      const record = (payloadSha256: string) => grants.recordAccess(user, grant.id, payloadSha256, fields);

      // The ledger already says no: record the refused attempt without asking the owner.
      let recorded: Committed<AccessReceipt> | undefined;
      if (!grant.active || grant.requesterMsp !== user.mspId || !covers(grant, fields)) {
        recorded = await record(dataset.fingerprint);
        if (recorded.value.decision === 'DENIED') throw accessDenied(datasetId, recorded);
      }

      const fetched = await fetcher.fetch(dataset.ownerMsp, datasetId, fields);
      if (fetched.kind === 'denied') {
        const receipt = recorded ?? (await record(dataset.fingerprint));
        if (receipt.value.decision === 'DENIED') throw accessDenied(datasetId, receipt);
        throw exchangeFailed(`${dataset.ownerMsp} refused the payload although the ledger grants access (${fetched.reason})`, {
          receipt: receiptBody(receipt),
        });
      }
      if (fetched.kind === 'failed') {
        throw exchangeFailed(`Could not fetch the payload from ${dataset.ownerMsp}: ${fetched.detail}`);
      }
      // The owner projected the fields at its end; what it says it projected from must be the content on the ledger.
      if (fetched.contentFingerprint !== dataset.fingerprint) {
        throw exchangeFailed(
          `${dataset.ownerMsp} projected content ${fetched.contentFingerprint ?? '(unnamed)'}, not the fingerprint ${dataset.fingerprint} on the ledger`,
        );
      }
      const payloadSha256 = sha256Hex(fetched.bytes);
      let records: DataRecord[];
      try {
        records = parsePayload(fetched.bytes);
      } catch {
        throw exchangeFailed(`The payload from ${dataset.ownerMsp} is not an array of records`);
      }
      const extra = [...new Set(records.flatMap((item) => Object.keys(item)))].filter((name) => !fields.includes(name));
      if (extra.length > 0) {
        // Never handed on: the app must not receive fields it did not ask for, even when the owner over-shares.
        throw exchangeFailed(`${dataset.ownerMsp} sent fields that were not asked for: ${extra.sort().join(', ')}`);
      }
      const receipt = recorded ?? (await record(payloadSha256));
      // Revoked between the check and the commit: the data is not handed out.
      if (receipt.value.decision === 'DENIED') throw accessDenied(datasetId, receipt);
      return {
        datasetId,
        grantId: grant.id,
        fields,
        contentVersion: dataset.contentVersion,
        contentFingerprint: dataset.fingerprint,
        payloadSha256,
        data: records,
        receipt,
      };
    },
  };
}
