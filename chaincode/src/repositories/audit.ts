import type { Context } from 'fabric-contract-api';
import {
  AuditRecord,
  GovshareError,
  type AuditQuery,
  type ChaincodeEventPayload,
  type EventName,
  type Page,
} from 'govshare-contract';
import { buildAuditRecord, canReadAudit, type AuditEntry } from '../domain/audit';
import type { Caller, TxInfo } from '../domain/tx';
import { auditKey, emitEvent, getJson, key, ObjectType, pageOfKeys, putIndex, putJson } from '../ledger';

/** UTC day (YYYY-MM-DD) of an ISO timestamp: the time bucket of the audit indexes. */
export function dayOf(timestamp: string): string {
  return timestamp.slice(0, 10);
}

/** Every UTC day touched by the window [from, to), in order. */
export function daysOfWindow(from: string, to: string): string[] {
  const days: string[] = [];
  const last = dayOf(new Date(Date.parse(to) - 1).toISOString());
  for (let day = dayOf(from); day <= last; day = dayOf(new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString())) {
    days.push(day);
  }
  return days;
}

/** Position in a multi-day audit query: the day bucket and Fabric's bookmark inside it. */
export interface AuditCursor {
  readonly day: string;
  readonly inner: string;
}

export function encodeAuditCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.day, cursor.inner]), 'utf8').toString('base64url');
}

export function decodeAuditCursor(bookmark: string): AuditCursor | undefined {
  if (bookmark === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(bookmark, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(parsed[0]) && typeof parsed[1] === 'string') {
      return { day: parsed[0], inner: parsed[1] };
    }
  } catch {
    // fall through
  }
  throw new GovshareError('INVALID_ARGUMENT', 'bookmark: is not a bookmark returned by QueryAudit');
}

/** What a transaction's event says besides its txId and audit id (filled in by `record`). */
export type EventPayload = Omit<ChaincodeEventPayload, 'txId' | 'auditId'>;

/**
 * The audit trail: one record per transaction under its txId, with three composite-key indexes (dataset,
 * actor org, time), each bucketed by UTC day (the shim forbids range queries over composite keys).
 */
export class AuditRepository {
  constructor(
    private readonly ctx: Context,
    private readonly tx: TxInfo,
    private readonly supervisorMsp: string,
  ) {}

  /**
   * The one way a use case writes its audit record: the record and its indexes, and the transaction's one
   * chaincode event (Fabric keeps only the last), which carries the record's id.
   */
  async record(entry: AuditEntry, event: EventName, payload: EventPayload): Promise<AuditRecord> {
    const record = buildAuditRecord(entry, this.tx);
    const day = dayOf(record.timestamp);
    await putJson(this.ctx, auditKey(this.ctx, record.id), record);
    await putIndex(this.ctx, key(this.ctx, ObjectType.AuditByTime, [day, record.timestamp, record.id]), record.id);
    await putIndex(this.ctx, key(this.ctx, ObjectType.AuditByActor, [record.actorMsp, day, record.timestamp, record.id]), record.id);
    if (entry.alsoListedUnder !== undefined && entry.alsoListedUnder !== record.actorMsp) {
      await putIndex(this.ctx, key(this.ctx, ObjectType.AuditByActor, [entry.alsoListedUnder, day, record.timestamp, record.id]), record.id);
    }
    if (record.datasetId !== undefined) {
      await putIndex(this.ctx, key(this.ctx, ObjectType.AuditByDataset, [record.datasetId, day, record.timestamp, record.id]), record.id);
    }
    emitEvent(this.ctx, event, { txId: this.tx.txId, auditId: record.id, ...payload });
    return record;
  }

  /**
   * One page of the records of a window through the dataset, actor-org or time index; a page walks the
   * window's days in order and its bookmark is (day, Fabric bookmark within that day). Records `reader` may
   * not read are left out of the page (the supervisor's auditors read everything).
   *
   * The cost is the page, not the day: Fabric's paginated range query starts at its bookmark (the peer's
   * handler uses a non-empty bookmark as the start key), so the window's first day is entered at the key
   * of `from` instead of the day's first record, and the walk stops at the first key at or after `to`.
   * A 1-hour window in a day of 100k records reads one page, not the 100k before it.
   */
  async query(query: AuditQuery, reader: Caller): Promise<Page<AuditRecord>> {
    const [index, prefix] =
      query.datasetId !== undefined
        ? [ObjectType.AuditByDataset, [query.datasetId]]
        : query.actorMsp !== undefined
          ? [ObjectType.AuditByActor, [query.actorMsp]]
          : [ObjectType.AuditByTime, []];
    const days = daysOfWindow(query.from, query.to);
    const cursor = decodeAuditCursor(query.bookmark);
    let dayIndex = cursor === undefined ? 0 : days.indexOf(cursor.day);
    if (dayIndex < 0) throw new GovshareError('INVALID_ARGUMENT', 'bookmark: does not belong to this window');
    const dayPrefix = (day: string): string => key(this.ctx, index, [...prefix, day]);
    if (cursor !== undefined && cursor.inner !== '' && !cursor.inner.startsWith(dayPrefix(cursor.day))) {
      // The inner bookmark becomes the peer's start key: one outside the day's index would read other keys.
      throw new GovshareError('INVALID_ARGUMENT', 'bookmark: does not belong to this window');
    }
    // No cursor: seek the first day to `from` (a key that sorts before every record at or after it).
    let inner = cursor?.inner ?? key(this.ctx, index, [...prefix, days[0] ?? dayOf(query.from), query.from]);
    const records: AuditRecord[] = [];
    let fetched = 0;
    for (; dayIndex < days.length && fetched < query.pageSize; dayIndex += 1, inner = '') {
      const day = days[dayIndex] ?? '';
      const page = await pageOfKeys(this.ctx, index, [...prefix, day], query.pageSize - fetched, inner, (kv) => ({
        id: Buffer.from(kv.value).toString('utf8'),
        // The index key ends with (timestamp, id): the time is known before the record is read.
        timestamp: this.ctx.stub.splitCompositeKey(kv.key).attributes.at(-2) ?? '',
      }));
      fetched += page.fetchedRecordsCount;
      for (const entry of page.values) {
        if (entry.timestamp >= query.to) {
          // Keys are in time order and every later day is later still: the window is done.
          return { records, bookmark: '', fetchedRecordsCount: fetched };
        }
        const record = await getJson(this.ctx, auditKey(this.ctx, entry.id), AuditRecord);
        if (record !== undefined && record.timestamp >= query.from && record.timestamp < query.to && canReadAudit(reader, record, this.supervisorMsp)) {
          records.push(record);
        }
      }
      if (page.bookmark !== '') {
        return { records, bookmark: encodeAuditCursor({ day, inner: page.bookmark }), fetchedRecordsCount: fetched };
      }
    }
    const next = days[dayIndex];
    return { records, bookmark: next === undefined ? '' : encodeAuditCursor({ day: next, inner: '' }), fetchedRecordsCount: fetched };
  }
}
