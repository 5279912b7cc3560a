import type { Context } from 'fabric-contract-api';
import { buildAuditRecord, canReadAudit, dayOf, daysOfWindow, decodeAuditCursor, encodeAuditCursor, type AuditEntry } from '../domain/audit';
import { AuditQuery, AuditRecord, authorize, GovshareError, type Page } from 'govshare-contract';
import type { TxInfo } from '../domain/tx';
import { parseArgument, parseJsonArgument } from '../domain/validation';
import { auditKey, getJson, key, ObjectType, pageOfKeys, putIndex, putJson } from '../ledger';

/** Writes the transaction's audit record and its three composite-key indexes (dataset, actor org, time). */
export async function writeAudit(ctx: Context, tx: TxInfo, entry: AuditEntry): Promise<AuditRecord> {
  const record = buildAuditRecord(entry, tx);
  const day = dayOf(record.timestamp);
  await putJson(ctx, auditKey(ctx, record.id), record);
  await putIndex(ctx, key(ctx, ObjectType.AuditByTime, [day, record.timestamp, record.id]), record.id);
  await putIndex(ctx, key(ctx, ObjectType.AuditByActor, [record.actorMsp, day, record.timestamp, record.id]), record.id);
  if (record.datasetId !== undefined) {
    await putIndex(ctx, key(ctx, ObjectType.AuditByDataset, [record.datasetId, day, record.timestamp, record.id]), record.id);
  }
  return record;
}

/**
 * QueryAudit: one page of audit records in a time window, through the dataset, actor-org or time
 * index. Indexes are bucketed by UTC day (the shim forbids range queries over composite keys), so a
 * page walks the window's days in order; the bookmark is (day, Fabric bookmark within that day).
 * Records the caller may not read are left out of the page (auditors read everything).
 */
export async function queryAudit(ctx: Context, tx: TxInfo, queryJson: string): Promise<Page<AuditRecord>> {
  authorize(tx.caller, 'QUERY_AUDIT');
  const query = parseArgument(AuditQuery, parseJsonArgument(queryJson, 'query'));
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
  let inner = cursor?.inner ?? '';
  const records: AuditRecord[] = [];
  let fetched = 0;
  for (; dayIndex < days.length && fetched < query.pageSize; dayIndex += 1, inner = '') {
    const day = days[dayIndex] ?? '';
    const page = await pageOfKeys(ctx, index, [...prefix, day], query.pageSize - fetched, inner, (kv) =>
      Buffer.from(kv.value).toString('utf8'),
    );
    fetched += page.fetchedRecordsCount;
    for (const id of page.values) {
      const record = await getJson(ctx, auditKey(ctx, id), AuditRecord);
      if (record !== undefined && record.timestamp >= query.from && record.timestamp < query.to && canReadAudit(tx.caller, record)) {
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
