/**
 * Attacks on the audit trail's bookmarks, made by Finance with the keys it really holds: its officer's API token
 * and its officer's own Fabric identity straight at its own peer. QueryAudit hands the inner part of a bookmark
 * to the peer as the start key of a range query (the cost of a narrow window is one page, not the day), so a
 * forged bookmark is an attempt to make the chaincode read keys outside the window's index, or records the caller
 * may not see. Each must be refused with INVALID_ARGUMENT, or leave the hidden records out.
 */
import { GatewayError } from '@hyperledger/fabric-gateway';
import { parseErrorCode } from 'govshare-contract';

import { connectAs, type FabricSession } from './support/fabric';
import { apiAfterPropagation as api, closePeerSessions } from './support/propagation';

interface AuditItem {
  readonly id: string;
  readonly type: string;
  readonly timestamp: string;
  readonly actorMsp: string;
  readonly subjectOwnerMsp?: string;
  readonly datasetId?: string;
  readonly details: Record<string, unknown>;
}

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const hiddenDatasetId = `audit-bookmark-${runId}`;

/** A composite key as the shim builds it: U+0000, the object type, then each attribute followed by U+0000. */
const compositeKey = (objectType: string, attributes: readonly string[]): string => `\u0000${objectType}\u0000${attributes.map((a) => `${a}\u0000`).join('')}`;
/** A QueryAudit bookmark as the chaincode writes it: base64url of the JSON pair [day, inner bookmark]. */
const bookmarkOf = (day: string, inner: string): string => Buffer.from(JSON.stringify([day, inner]), 'utf8').toString('base64url');

/** A record Finance may read: its own action, about its dataset, or a delivery to it (docs/security.md). */
const financeMayRead = (record: AuditItem): boolean =>
  record.actorMsp === 'FinanceMSP' || record.subjectOwnerMsp === 'FinanceMSP' || (record.type === 'DATA_ACCESSED' && record.details.requesterMsp === 'FinanceMSP');

let hidden: AuditItem;
let window: { from: string; to: string; day: string };
let financeOfficer: FabricSession;

const auditPath = (cursor: string, extra = ''): string =>
  `/api/v1/audit?from=${encodeURIComponent(window.from)}&to=${encodeURIComponent(window.to)}&limit=50${extra}${cursor === '' ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;

async function chaincodeErrorOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (error) {
    const texts = [String(error)];
    if (error instanceof GatewayError) texts.push(...error.details.map((detail) => detail.message));
    return parseErrorCode(texts.join(' | ')) ?? `uncoded: ${texts.join(' | ')}`;
  }
  return undefined;
}

beforeAll(async () => {
  const registered = await api('education', 'POST', '/api/v1/datasets', {
    body: {
      id: hiddenDatasetId,
      title: 'Exam appeals',
      description: 'Appeals against exam results, kept by Education alone',
      classification: 'RESTRICTED',
      fingerprint: '1'.repeat(64),
      themes: ['education'],
      fields: [{ name: 'appealCount', type: 'INTEGER', sensitivity: 'NONE' }],
    },
  });
  expect(registered.status).toBe(201);
  const own = await api('education', 'GET', `/api/v1/audit?dataset=${hiddenDatasetId}&limit=10`);
  expect(own.status).toBe(200);
  const found = (own.body.items as AuditItem[]).find((record) => record.type === 'DATASET_REGISTERED');
  if (found === undefined) throw new Error(`no DATASET_REGISTERED record for ${hiddenDatasetId}`);
  hidden = found;
  expect(financeMayRead(hidden)).toBe(false);
  const at = Date.parse(hidden.timestamp);
  // A one-minute window around the hidden record, within its UTC day.
  const day = hidden.timestamp.slice(0, 10);
  const from = new Date(Math.max(at - 30_000, Date.parse(`${day}T00:00:00Z`))).toISOString();
  const to = new Date(Math.min(at + 30_000, Date.parse(`${day}T00:00:00Z`) + 86_400_000)).toISOString();
  window = { from, to, day };
  financeOfficer = connectAs('finance', 'officer');
});

afterAll(() => {
  financeOfficer.close();
  closePeerSessions();
});

describe('a forged audit bookmark, from Finance', () => {
  it('aimed at the time key of a record Finance may not read: the page leaves it out and holds only what Finance may read', async () => {
    const atHidden = bookmarkOf(window.day, compositeKey('audit~time', [window.day, hidden.timestamp, hidden.id]));
    const page = await api('finance', 'GET', auditPath(atHidden));
    expect(page.status).toBe(200);
    const items = page.body.items as AuditItem[];
    expect(items.map((record) => record.id)).not.toContain(hidden.id);
    expect(items.filter((record) => !financeMayRead(record))).toEqual([]);
    // The same bookmark is honoured for the reader who may see the record: the forgery is not simply ignored.
    const auditor = await api('audit', 'GET', auditPath(atHidden), { role: 'auditor' });
    expect(auditor.status).toBe(200);
    expect((auditor.body.items as AuditItem[])[0]?.id).toBe(hidden.id);
  });

  it.each([
    ['into another index (Education\u2019s actor index)', () => compositeKey('audit~actor', ['EducationMSP', window.day, hidden.timestamp, hidden.id])],
    ['at the dataset records themselves', () => compositeKey('dataset', [hiddenDatasetId])],
    ['at the audit records themselves', () => compositeKey('audit', [hidden.id])],
    ['at the time index of another day', () => compositeKey('audit~time', ['2020-01-01', '2020-01-01T00:00:00.000Z', hidden.id])],
    ['at the very first key of the world state', () => '\u0000'],
  ])('whose inner key points %s is refused with INVALID_ARGUMENT, through the API and straight at the peer', async (_name, inner) => {
    const forged = bookmarkOf(window.day, inner());
    const answer = await api('finance', 'GET', auditPath(forged));
    expect(answer.status).toBe(400);
    expect(answer.contentType).toContain('application/problem+json');
    expect(answer.body.code).toBe('INVALID_ARGUMENT');

    const query = JSON.stringify({ from: window.from, to: window.to, pageSize: 50, bookmark: forged });
    expect(await chaincodeErrorOf(financeOfficer.contract.evaluateTransaction('QueryAudit', query))).toBe('INVALID_ARGUMENT');
  });

  it.each([
    ['a day outside the window', () => bookmarkOf('2020-01-01', '')],
    ['not base64url JSON', () => 'not-a-bookmark'],
    ['a JSON object instead of the pair', () => Buffer.from(JSON.stringify({ day: window.day, inner: '' })).toString('base64url')],
  ])('that is %s is refused with INVALID_ARGUMENT', async (_name, forged) => {
    const answer = await api('finance', 'GET', auditPath(forged()));
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('INVALID_ARGUMENT');
  });

  it('aimed into its own org index with another org as the filter is refused, and the filter cannot widen what Finance reads', async () => {
    const ownIndex = bookmarkOf(window.day, compositeKey('audit~actor', ['FinanceMSP', window.day, window.from]));
    const crossed = await api('finance', 'GET', auditPath(ownIndex, '&org=EducationMSP'));
    expect(crossed.status).toBe(400);
    expect(crossed.body.code).toBe('INVALID_ARGUMENT');

    const education = await api('finance', 'GET', auditPath('', '&org=EducationMSP'));
    expect(education.status).toBe(200);
    const items = education.body.items as AuditItem[];
    expect(items.map((record) => record.id)).not.toContain(hidden.id);
    expect(items.filter((record) => !financeMayRead(record))).toEqual([]);
  });
});
