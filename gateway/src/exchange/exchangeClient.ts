import { request } from 'node:https';

import { AccessReceipt } from 'govshare-contract';
import { z } from 'zod';

import { CONTENT_FINGERPRINT_HEADER, GRANT_ID_HEADER } from './headers';
import type { ExchangePeer } from './peers';
import { decodeReceiptHeader, RECEIPT_HEADER, type SignedAccessReceipt } from './receipts';

const headerOf = (value: string | string[] | undefined): string | undefined => (typeof value === 'string' ? value : undefined);

/** The owner's committed RecordDelivery of a refusal, as its exchange sends it in the 403 problem. */
export const RecordedDelivery = AccessReceipt.extend({ blockNumber: z.string() });
export type RecordedDelivery = z.infer<typeof RecordedDelivery>;

/** What an owner's gateway answered to a payload request. */
export type PayloadFetch =
  | {
      readonly kind: 'payload';
      /** The projected payload: only the fields asked for (and granted). */
      readonly bytes: Buffer;
      /** What the owner says it projected from: the dataset content's fingerprint. */
      readonly contentFingerprint: string | undefined;
      readonly grantId: string | undefined;
      /** The owner gateway's signed receipt of this delivery (verified by the caller). */
      readonly receipt: SignedAccessReceipt | undefined;
    }
  | { readonly kind: 'denied'; readonly status: number; readonly reason: string; readonly record?: RecordedDelivery | undefined }
  /** The owner granted the request but holds no payload with the dataset's committed fingerprint (none uploaded yet). */
  | { readonly kind: 'not-stored' }
  | { readonly kind: 'failed'; readonly status: number; readonly detail: string };

/** Fetches a dataset's payload from its owner's gateway. */
export interface PayloadFetcher {
  fetch(ownerMsp: string, datasetId: string, fields: readonly string[]): Promise<PayloadFetch>;
}

export interface MtlsFetcherOptions {
  /** This gateway's TLS identity, issued by its own organisation's CA: it is how the owner recognises us. */
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly peers: readonly ExchangePeer[];
  readonly timeoutMs?: number;
  readonly maxBytes?: number;
}

export const DEFAULT_EXCHANGE_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

function recordOf(body: string): RecordedDelivery | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || !('receipt' in parsed)) return undefined;
    const record = RecordedDelivery.safeParse(parsed.receipt);
    return record.success ? record.data : undefined;
  } catch {
    return undefined;
  }
}

/** The stable `code` of an owner's problem document, if the body is one. */
function codeOf(body: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'code' in parsed && typeof parsed.code === 'string') return parsed.code;
  } catch {
    // not a problem document
  }
  return undefined;
}

function reasonOf(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'reason' in parsed && typeof parsed.reason === 'string') {
      return parsed.reason;
    }
  } catch {
    // not a problem document
  }
  return 'REFUSED_BY_OWNER';
}

/** Mutual TLS to the owner: we present our TLS certificate and trust only the owner organisation's CA. */
export function createMtlsPayloadFetcher(options: MtlsFetcherOptions): PayloadFetcher {
  const timeoutMs = options.timeoutMs ?? DEFAULT_EXCHANGE_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  return {
    fetch(ownerMsp, datasetId, fields) {
      const peer = options.peers.find((candidate) => candidate.mspId === ownerMsp);
      if (peer === undefined) {
        return Promise.resolve({ kind: 'failed', status: 0, detail: `no data exchange endpoint is configured for ${ownerMsp}` });
      }
      const url = new URL(`/exchange/datasets/${encodeURIComponent(datasetId)}/data`, peer.url);
      url.searchParams.set('fields', fields.join(','));
      return new Promise((resolve) => {
        const req = request(
          url,
          { method: 'GET', cert: options.cert, key: options.key, ca: peer.tlsRootCert, minVersion: 'TLSv1.3', timeout: timeoutMs },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              size += chunk.length;
              if (size > maxBytes) {
                res.destroy();
                resolve({ kind: 'failed', status: 0, detail: `the payload exceeds ${maxBytes} bytes` });
                return;
              }
              chunks.push(chunk);
            });
            res.on('error', (err) => {
              resolve({ kind: 'failed', status: 0, detail: err.message });
            });
            res.on('end', () => {
              const bytes = Buffer.concat(chunks);
              const status = res.statusCode ?? 0;
              if (status === 200) {
                resolve({
                  kind: 'payload',
                  bytes,
                  contentFingerprint: headerOf(res.headers[CONTENT_FINGERPRINT_HEADER.toLowerCase()]),
                  grantId: headerOf(res.headers[GRANT_ID_HEADER.toLowerCase()]),
                  receipt: decodeReceiptHeader(headerOf(res.headers[RECEIPT_HEADER.toLowerCase()])),
                });
              }
              else if (status === 403) {
                const text = bytes.toString('utf8');
                resolve({ kind: 'denied', status, reason: reasonOf(text), record: recordOf(text) });
              }
              else if (status === 404 && codeOf(bytes.toString('utf8')) === 'PAYLOAD_NOT_AVAILABLE') resolve({ kind: 'not-stored' });
              else resolve({ kind: 'failed', status, detail: `the owner's gateway answered ${status}` });
            });
          },
        );
        req.on('timeout', () => {
          req.destroy(new Error(`no answer within ${timeoutMs} ms`));
        });
        req.on('error', (err) => {
          resolve({ kind: 'failed', status: 0, detail: err.message });
        });
        req.end();
      });
    },
  };
}
