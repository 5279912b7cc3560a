import './support/quiet-fabric-logs';
import { createHash } from 'crypto';
import { KeyEndorsementPolicy } from 'fabric-shim';
import { callerOf } from '../src/contracts/context';
import { GovshareContract, type TransactionMethods } from '../src/contracts/govshare-contract';
import { contracts } from '../src/index';
import { AuditRecord, Dataset, EVENT_NAMES, Grant, TRANSACTION_LIST, type TransactionName } from 'govshare-contract';
import {
  AUDITOR,
  EDU_APPROVER,
  EDU_OFFICER,
  FakeLedger,
  FIN_APPROVER,
  FIN_OFFICER,
  JUS_APPROVER,
  JUS_OFFICER,
  EDU_GATEWAY,
  JUS_GATEWAY,
  gateway,
  user,
  type FakeIdentity,
  type FakeTx,
  type TxOptions,
} from './support/fake-context';

const FINGERPRINT = 'ab'.repeat(32);
const REGISTRATION = {
  id: 'census-2021',
  title: 'Census 2021',
  description: 'Household census microdata',
  classification: 'RESTRICTED',
  fingerprint: FINGERPRINT,
  themes: ['population'],
  fields: [
    { name: 'region', type: 'CODE', sensitivity: 'NONE' },
    { name: 'household_size', type: 'INTEGER', sensitivity: 'NONE' },
    { name: 'birth_year', type: 'INTEGER', sensitivity: 'PERSONAL' },
  ],
};
const DATASET_KEY = '\u0000dataset\u0000census-2021\u0000';
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

const contract = new GovshareContract() as GovshareContract & TransactionMethods;
let ledger: FakeLedger;
// Successive transactions one minute apart, starting 2026-03-01T12:00Z.
let minute = 0;
function tx(identity: FakeIdentity, options: TxOptions = {}): FakeTx {
  minute += 1;
  return ledger.tx({ identity, timestamp: new Date(Date.UTC(2026, 2, 1, 12, minute)), ...options });
}

type Method = Record<TransactionName, string[]>;
/** Runs one transaction and returns the parsed result plus the tx (writes, events). */
async function run<T = Record<string, unknown>, K extends keyof Method = keyof Method>(
  identity: FakeIdentity,
  name: K,
  ...args: Method[K]
): Promise<T & { tx: FakeTx }> {
  const t = tx(identity);
  const methods = contract as unknown as Record<string, (ctx: FakeTx['ctx'], ...a: Method[K]) => Promise<string>>;
  const method = methods[name];
  if (method === undefined) throw new Error(`no transaction ${name}`);
  const result = JSON.parse(await method.call(contract, t.ctx, ...args)) as T;
  return Object.assign(result as object, { tx: t }) as T & { tx: FakeTx };
}
async function fails(identity: FakeIdentity, name: keyof Method, args: string[], options: TxOptions = {}): Promise<{ message: string; tx: FakeTx }> {
  const t = tx(identity, options);
  const methods = contract as unknown as Record<string, (ctx: FakeTx['ctx'], ...a: string[]) => Promise<string>>;
  try {
    await methods[name]?.call(contract, t.ctx, ...args);
  } catch (error) {
    return { message: (error as Error).message, tx: t };
  }
  throw new Error(`${name} did not fail`);
}

/** What Education's gateway is about to release of census-2021 to Justice. */
const delivery = (overrides: Record<string, unknown> = {}): string =>
  JSON.stringify({
    datasetId: 'census-2021',
    requesterMsp: 'JusticeMSP',
    fields: ['region'],
    contentFingerprint: FINGERPRINT,
    payloadSha256: sha('p'),
    ...overrides,
  });

const register = (identity: FakeIdentity = EDU_OFFICER, overrides: Record<string, unknown> = {}) =>
  run<Dataset>(identity, 'RegisterDataset', JSON.stringify({ ...REGISTRATION, ...overrides }));
const requestJson = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({
    datasetId: 'census-2021',
    purpose: { code: 'OFFICIAL_STATISTICS', text: 'Regional household model' },
    legalBasis: 'Statistics Act s.4',
    fields: ['region', 'household_size'],
    notBefore: '2026-03-01T00:00:00Z',
    notAfter: '2026-06-01T00:00:00Z',
    ...overrides,
  });
const audits = (): AuditRecord[] => ledger.valuesOf('audit').map((value) => AuditRecord.parse(value));

beforeEach(() => {
  ledger = new FakeLedger();
  minute = 0;
});

describe('GovshareContract', () => {
  it('is the only, hence default, contract and is named govshare', () => {
    expect(contracts).toEqual([GovshareContract]);
    expect(contract.getName()).toBe('govshare');
  });

  it('declares every transaction of the issue with its parameters', () => {
    // fabric-contract-api's decorators store the metadata with reflect-metadata (loaded by the contract).
    const reflect = Reflect as unknown as { getMetadata(key: string, target: object): unknown };
    const declared = reflect.getMetadata('fabric:transactions', GovshareContract.prototype) as {
      name: string;
      tag: string[];
      parameters: { name: string; schema: { type: string } }[];
    }[];
    const byName = new Map(declared.map((t) => [t.name, t]));
    const names = [
      'RegisterDataset', 'UpdateDataset', 'RetireDataset', 'ReadDataset', 'ListDatasets', 'GetDatasetHistory',
      'RequestAccess', 'ApproveAccess', 'DenyAccess', 'WithdrawRequest', 'RevokeAccess', 'CountersignAccess', 'CheckAccess',
      'RecordDelivery', 'QueryAudit', 'IssueCertificate', 'VerifyCertificate', 'RevokeCertificate',
    ];
    for (const name of names) {
      const transaction = byName.get(name);
      expect(transaction).toBeDefined();
      expect(transaction?.parameters.length).toBeGreaterThan(0);
      expect(transaction?.parameters.every((p) => p.schema.type === 'string')).toBe(true);
    }
    const evaluateOnly = declared.filter((t) => t.tag.includes('EVALUATE')).map((t) => t.name).sort();
    expect(evaluateOnly).toEqual([
      'CheckAccess', 'GetDatasetHistory', 'ListDatasets', 'ListGrantsByDataset', 'ListGrantsByRequester', 'ListPendingGrants',
      'QueryAudit', 'ReadDataset', 'ReadGrant', 'ReadGrantDetails', 'ReadOrgConfig', 'VerifyCertificate',
    ]);
    // The generated methods declare exactly the table's arguments, in order.
    for (const tx of TRANSACTION_LIST) {
      expect(byName.get(tx.name)?.parameters.map((p) => p.name)).toEqual(Object.keys(tx.args));
    }
    expect(declared).toHaveLength(TRANSACTION_LIST.length);
  });

  it('reports an unknown transaction with a catalogue code', async () => {
    await expect(contract.unknownTransaction(tx(EDU_OFFICER).ctx)).rejects.toThrow(/^INVALID_ARGUMENT: unknown transaction/);
  });

  it('reads MSP, enrolment id (CN) and role attribute of the caller', () => {
    expect(callerOf(tx(EDU_OFFICER).ctx)).toEqual({ mspId: 'EducationMSP', id: 'education-officer', role: 'officer', gateway: false });
    expect(callerOf(tx(user('FinanceMSP', null)).ctx)).toEqual({ mspId: 'FinanceMSP', id: 'finance-norole', role: null, gateway: false });
    expect(callerOf(tx(EDU_GATEWAY).ctx)).toEqual({ mspId: 'EducationMSP', id: 'gateway.education', role: null, gateway: true });
  });
});

describe('RegisterDataset', () => {
  it('stores the dataset, its indexes, an owner-only endorsement policy and an audit record', async () => {
    const { tx: t, ...dataset } = await register();
    expect(Dataset.parse(dataset)).toEqual(dataset);
    expect(dataset).toMatchObject({ ownerMsp: 'EducationMSP', version: 1, contentVersion: 1, status: 'ACTIVE', created: { txId: t.txId } });
    expect(ledger.state.get(DATASET_KEY)).toBeDefined();
    expect(ledger.keysOf('dataset~owner')).toEqual(['\u0000dataset~owner\u0000EducationMSP\u0000census-2021\u0000']);
    expect(ledger.keysOf('dataset~theme')).toHaveLength(1);
    expect(ledger.keysOf('dataset~classification')).toHaveLength(1);
    const policy = Buffer.from(ledger.validationParameters.get(DATASET_KEY) ?? []).toString('latin1');
    expect(policy).toContain('EducationMSP');
    expect(policy).not.toContain('FinanceMSP');
    expect(audits()).toEqual([expect.objectContaining({ type: 'DATASET_REGISTERED', datasetId: 'census-2021', actorMsp: 'EducationMSP', role: 'officer', outcome: 'SUCCESS' })]);
    expect(ledger.keysOf('audit~dataset')).toHaveLength(1);
    expect(ledger.keysOf('audit~actor')).toHaveLength(1);
    expect(ledger.keysOf('audit~time')).toHaveLength(1);
  });

  it('emits exactly one DatasetRegistered event with ids only, as sorted-key JSON', async () => {
    const { tx: t } = await register();
    expect(t.events).toEqual([
      { name: 'DatasetRegistered', payload: `{"auditId":"${t.txId}","datasetId":"census-2021","ownerMsp":"EducationMSP","txId":"${t.txId}"}` },
    ]);
  });

  it('returns sorted-key JSON at every level', async () => {
    const t = tx(EDU_OFFICER);
    const returned = await contract.RegisterDataset(t.ctx, JSON.stringify(REGISTRATION));
    const keysInOrder = (value: unknown): void => {
      if (value === null || typeof value !== 'object') return;
      const keys = Object.keys(value);
      expect(keys).toEqual([...keys].sort());
      Object.values(value).forEach(keysInOrder);
    };
    keysInOrder(JSON.parse(returned));
    expect(Buffer.from(ledger.state.get(DATASET_KEY) ?? []).toString('utf8')).toBe(returned);
  });

  it.each<[string, FakeIdentity, string, RegExp]>([
    ['a duplicate id', EDU_OFFICER, JSON.stringify(REGISTRATION), /^DATASET_EXISTS: /],
    ['malformed JSON', EDU_OFFICER, '{', /^INVALID_ARGUMENT: registration: must be a JSON document/],
    ['an invalid title', EDU_OFFICER, JSON.stringify({ ...REGISTRATION, id: 'x', title: '' }), /^INVALID_ARGUMENT: title: /],
    ['a person as contact', EDU_OFFICER, JSON.stringify({ ...REGISTRATION, id: 'x', contactUnit: 'j.roe@example.org' }), /^INVALID_ARGUMENT: contactUnit: /],
    ['an approver', EDU_APPROVER, JSON.stringify({ ...REGISTRATION, id: 'x' }), /^FORBIDDEN: /],
    ['the Audit org', AUDITOR, JSON.stringify({ ...REGISTRATION, id: 'x' }), /^FORBIDDEN: /],
    ['a caller without role', user('EducationMSP', null), JSON.stringify({ ...REGISTRATION, id: 'x' }), /^FORBIDDEN: /],
  ])('refuses %s and writes nothing', async (_name, identity, input, code) => {
    await register();
    const before = ledger.snapshot();
    const { message, tx: t } = await fails(identity, 'RegisterDataset', [input]);
    expect(message).toMatch(code);
    expect(ledger.snapshot()).toEqual(before);
    expect(t.writes).toEqual([]);
    expect(t.events).toEqual([]);
  });
});

describe('ReadDataset, UpdateDataset, RetireDataset, GetDatasetHistory', () => {
  it('reads a dataset byte for byte and reports missing or malformed ids', async () => {
    await register();
    const t = tx(FIN_OFFICER);
    await expect(contract.ReadDataset(t.ctx, 'census-2021')).resolves.toBe(Buffer.from(ledger.state.get(DATASET_KEY) ?? []).toString('utf8'));
    expect(t.writes).toEqual([]);
    expect((await fails(FIN_OFFICER, 'ReadDataset', ['nope'])).message).toBe("DATASET_NOT_FOUND: dataset 'nope' does not exist");
    expect((await fails(FIN_OFFICER, 'ReadDataset', ['a\u0000b'])).message).toMatch(/^INVALID_ARGUMENT: id: /);
    ledger.state.set(DATASET_KEY, Buffer.from('{"id":"census-2021"}'));
    expect((await fails(FIN_OFFICER, 'ReadDataset', ['census-2021'])).message).toMatch(/^INTERNAL: /);
  });

  it('updates: version bump, new content version for a new fingerprint, indexes moved, one event', async () => {
    await register();
    const updated = await run<Dataset>(EDU_OFFICER, 'UpdateDataset', 'census-2021', JSON.stringify({ fingerprint: 'cd'.repeat(32), themes: ['households'], classification: 'SECRET' }));
    expect(updated).toMatchObject({ version: 2, contentVersion: 2, fingerprint: 'cd'.repeat(32) });
    expect(ledger.keysOf('dataset~theme')).toEqual(['\u0000dataset~theme\u0000households\u0000census-2021\u0000']);
    expect(ledger.keysOf('dataset~classification')).toEqual(['\u0000dataset~classification\u0000SECRET\u0000census-2021\u0000']);
    expect(updated.tx.events.map((e) => e.name)).toEqual(['DatasetUpdated']);
    expect(audits().map((a) => a.type)).toContain('DATASET_UPDATED');
    expect(audits().find((a) => a.type === 'DATASET_UPDATED')?.details).toMatchObject({ changed: ['classification', 'fingerprint', 'themes'], contentVersion: 2 });
  });

  it("refuses another org's update and a retired dataset", async () => {
    await register();
    expect((await fails(FIN_OFFICER, 'UpdateDataset', ['census-2021', '{"title":"x"}'])).message).toMatch(/^FORBIDDEN: .*owned by EducationMSP/);
    expect((await fails(EDU_OFFICER, 'UpdateDataset', ['census-2021', '{}'])).message).toMatch(/^INVALID_ARGUMENT: /);
    const retired = await run<Dataset>(EDU_APPROVER, 'RetireDataset', 'census-2021');
    expect(retired).toMatchObject({ status: 'RETIRED', version: 2 });
    expect(retired.tx.events.map((e) => e.name)).toEqual(['DatasetRetired']);
    expect((await fails(EDU_OFFICER, 'UpdateDataset', ['census-2021', '{"title":"x"}'])).message).toMatch(/^DATASET_RETIRED: /);
    expect((await fails(EDU_OFFICER, 'RetireDataset', ['census-2021'])).message).toMatch(/^FORBIDDEN: /);
  });

  it('returns the history of the dataset key, newest first', async () => {
    const { tx: first } = await register();
    const { tx: second } = await run(EDU_OFFICER, 'UpdateDataset', 'census-2021', '{"title":"Census"}');
    const history = await run<{ length: number } & { txId: string; isDelete: boolean; timestamp: string; value: Dataset }[]>(FIN_OFFICER, 'GetDatasetHistory', 'census-2021');
    expect([...history].map((h) => [h.txId, h.value.version, h.isDelete])).toEqual([[second.txId, 2, false], [first.txId, 1, false]]);
    expect(history[1]?.timestamp).toBe('2026-03-01T12:01:00.000Z');
    expect((await fails(FIN_OFFICER, 'GetDatasetHistory', ['nope'])).message).toMatch(/^DATASET_NOT_FOUND: /);
  });
});

describe('ListDatasets', () => {
  beforeEach(async () => {
    await register(EDU_OFFICER, { id: 'b-edu', themes: ['population', 'schools'] });
    await register(EDU_OFFICER, { id: 'a-edu', classification: 'PUBLIC', themes: [] });
    await register(FIN_OFFICER, { id: 'c-fin', themes: ['population'] });
  });

  const list = (by: string, value: string, size: string, bookmark = '') =>
    run<{ records: Dataset[]; bookmark: string; fetchedRecordsCount: number }>(FIN_OFFICER, 'ListDatasets', by, value, size, bookmark);

  it.each([
    ['owner', 'EducationMSP', ['a-edu', 'b-edu']],
    ['owner', 'JusticeMSP', []],
    ['theme', 'population', ['b-edu', 'c-fin']],
    ['classification', 'PUBLIC', ['a-edu']],
    ['all', '', ['a-edu', 'b-edu', 'c-fin']],
  ])('filters by %s %s through the index', async (by, value, ids) => {
    expect((await list(by, value, '10')).records.map((d) => d.id)).toEqual(ids);
  });

  it('pages with bookmarks', async () => {
    const first = await list('theme', 'population', '1');
    expect(first.records.map((d) => d.id)).toEqual(['b-edu']);
    expect(first.bookmark).not.toBe('');
    const second = await list('theme', 'population', '1', first.bookmark);
    expect(second).toMatchObject({ records: [expect.objectContaining({ id: 'c-fin' })], bookmark: '' });
  });

  it.each([
    [['colour', 'red', '10', ''], /^INVALID_ARGUMENT: by: /],
    [['classification', 'TOP', '10', ''], /^INVALID_ARGUMENT: value: /],
    [['owner', 'EducationMSP', '0', ''], /^INVALID_ARGUMENT: pageSize: /],
    [['owner', 'EducationMSP', 'ten', ''], /^INVALID_ARGUMENT: pageSize: /],
    [['owner', 'EducationMSP', '101', ''], /^INVALID_ARGUMENT: pageSize: /],
  ])('rejects %j', async (args, code) => {
    expect((await fails(FIN_OFFICER, 'ListDatasets', args)).message).toMatch(code);
  });
});

describe('access grants', () => {
  beforeEach(async () => {
    await register();
  });

  const request = (identity: FakeIdentity = JUS_OFFICER, overrides: Record<string, unknown> = {}) =>
    run<Grant & { active: boolean }>(identity, 'RequestAccess', requestJson(overrides));

  it('creates a PENDING grant with its indexes, audit record and one event', async () => {
    const grant = await request();
    expect(grant).toMatchObject({ id: grant.tx.txId, status: 'PENDING', active: false, requesterMsp: 'JusticeMSP', ownerMsp: 'EducationMSP' });
    expect(ledger.keysOf('grant~pending')).toEqual([`\u0000grant~pending\u0000EducationMSP\u0000${grant.id}\u0000`]);
    expect(ledger.keysOf('grant~live')).toHaveLength(1);
    expect(grant.tx.events.map((e) => e.name)).toEqual(['AccessRequested']);
    expect(audits().at(-1)).toMatchObject({ type: 'ACCESS_REQUESTED', grantId: grant.id, subjectOwnerMsp: 'EducationMSP', details: { purposeCode: 'OFFICIAL_STATISTICS' } });
  });

  it.each<[string, FakeIdentity, Record<string, unknown>, RegExp]>([
    ['own dataset', EDU_OFFICER, {}, /^OWN_DATASET: /],
    ['unknown fields', JUS_OFFICER, { fields: ['region', 'name'] }, /^UNKNOWN_FIELDS: /],
    ['unknown dataset', JUS_OFFICER, { datasetId: 'nope' }, /^DATASET_NOT_FOUND: /],
    ['the Audit org', AUDITOR, {}, /^FORBIDDEN: /],
  ])('refuses a request for %s', async (_name, identity, overrides, code) => {
    expect((await fails(identity, 'RequestAccess', [requestJson(overrides)])).message).toMatch(code);
  });

  it('refuses a second live grant, but not after the first is withdrawn', async () => {
    const first = await request();
    expect((await fails(JUS_APPROVER, 'RequestAccess', [requestJson()])).message).toMatch(/^GRANT_CONFLICT: /);
    await run(JUS_OFFICER, 'WithdrawRequest', first.id);
    expect(ledger.keysOf('grant~live')).toEqual([]);
    expect(ledger.keysOf('grant~pending')).toEqual([]);
    await expect(request()).resolves.toMatchObject({ status: 'PENDING' });
  });

  it('runs approve → check → record → revoke, auditing each step', async () => {
    const { id } = await request();
    expect((await fails(EDU_OFFICER, 'ApproveAccess', [id, ''])).message).toMatch(/^FORBIDDEN: /);
    expect((await fails(FIN_APPROVER, 'ApproveAccess', [id, ''])).message).toMatch(/^FORBIDDEN: .*owner/);
    const approved = await run<Grant & { active: boolean }>(EDU_APPROVER, 'ApproveAccess', id, '{"fields":["region"]}');
    expect(approved).toMatchObject({ status: 'APPROVED', active: true, fields: ['region'] });
    expect(ledger.keysOf('grant~pending')).toEqual([]);
    expect(ledger.keysOf('grant~live')).toHaveLength(1);

    await expect(run(FIN_OFFICER, 'CheckAccess', 'census-2021', 'JusticeMSP', '["region"]')).resolves.toMatchObject({ decision: 'GRANTED', reason: 'ACTIVE', grantId: id });
    await expect(run(FIN_OFFICER, 'CheckAccess', 'census-2021', 'JusticeMSP', '["household_size"]')).resolves.toMatchObject({ decision: 'DENIED', reason: 'FIELDS_OUT_OF_SCOPE' });

    const granted = await run<{ decision: string; auditId: string; txId: string }>(EDU_GATEWAY, 'RecordDelivery', delivery({ payloadSha256: sha('payload') }));
    expect(granted).toMatchObject({
      decision: 'GRANTED',
      reason: 'ACTIVE',
      grantId: id,
      auditId: granted.tx.txId,
      txId: granted.tx.txId,
      timestamp: '2026-03-01T12:08:00.000Z',
      datasetId: 'census-2021',
      ownerMsp: 'EducationMSP',
      requesterMsp: 'JusticeMSP',
      fields: ['region'],
      contentFingerprint: FINGERPRINT,
      payloadSha256: sha('payload'),
    });
    // The requester reads the delivery in its own trail, listed under its organisation.
    const mine = await run<{ records: AuditRecord[] }>(JUS_OFFICER, 'QueryAudit', JSON.stringify({ actorMsp: 'JusticeMSP', from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' }));
    expect(mine.records.map((r) => `${r.type}:${r.actorMsp}`)).toContain('DATA_ACCESSED:EducationMSP');
    expect(granted.tx.events).toEqual([{ name: 'AccessRecorded', payload: expect.stringContaining('"decision":"GRANTED"') as string }]);

    const revoked = await run<Grant>(EDU_APPROVER, 'RevokeAccess', id, 'Purpose fulfilled');
    expect(revoked).toMatchObject({ status: 'REVOKED', closed: { reason: 'Purpose fulfilled' } });
    expect(ledger.keysOf('grant~live')).toEqual([]);
    await expect(run(FIN_OFFICER, 'CheckAccess', 'census-2021', 'JusticeMSP', '["region"]')).resolves.toMatchObject({ decision: 'DENIED', reason: 'ENDED' });
    expect(audits().map((a) => `${a.type}:${a.outcome}`)).toEqual(
      expect.arrayContaining(['ACCESS_REQUESTED:SUCCESS', 'ACCESS_APPROVED:SUCCESS', 'DATA_ACCESSED:GRANTED', 'ACCESS_REVOKED:SUCCESS']),
    );
  });

  it('commits a denied RecordDelivery as an audit record and a receipt, not an error, also with no grant at all', async () => {
    await request();
    const denied = await run<{ decision: string; reason: string }>(EDU_GATEWAY, 'RecordDelivery', delivery());
    expect(denied).toMatchObject({ decision: 'DENIED', reason: 'PENDING' });
    const unknown = await run<{ decision: string; reason: string }>(EDU_GATEWAY, 'RecordDelivery', delivery({ requesterMsp: 'FinanceMSP' }));
    expect(unknown).toMatchObject({ decision: 'DENIED', reason: 'NO_GRANT' });
    expect(unknown).not.toHaveProperty('grantId');
    expect(audits().filter((a) => a.type === 'DATA_ACCESSED').map((a) => [a.outcome, a.details.reason, a.actorMsp, a.details.requesterMsp])).toEqual([
      ['DENIED', 'PENDING', 'EducationMSP', 'JusticeMSP'],
      ['DENIED', 'NO_GRANT', 'EducationMSP', 'FinanceMSP'],
    ]);
    expect(denied.tx.events.map((e) => e.name)).toEqual(['AccessRecorded']);
    expect((await fails(EDU_GATEWAY, 'RecordDelivery', [delivery({ payloadSha256: 'not-a-digest' })])).message).toMatch(/^INVALID_ARGUMENT: payloadSha256/);
  });

  it('records a delivery only from the owner gateway identity, and only of the current content', async () => {
    const { id } = await request();
    await run(EDU_APPROVER, 'ApproveAccess', id, '');
    // Users of every kind, the requester's own gateway and another org's gateway: none may record a delivery.
    for (const identity of [JUS_OFFICER, JUS_APPROVER, EDU_OFFICER, EDU_APPROVER, AUDITOR, JUS_GATEWAY, gateway('FinanceMSP'), gateway('AuditMSP')]) {
      expect((await fails(identity, 'RecordDelivery', [delivery()])).message).toMatch(/^FORBIDDEN: /);
    }
    expect((await fails(EDU_GATEWAY, 'RecordDelivery', [delivery({ contentFingerprint: 'cd'.repeat(32) })])).message).toMatch(/^CONTENT_CHANGED: /);
    expect(audits().filter((a) => a.type === 'DATA_ACCESSED')).toEqual([]);
    // A gateway identity has no user role: it cannot decide, request or register either.
    expect((await fails(EDU_GATEWAY, 'RevokeAccess', [id, 'by the gateway'])).message).toMatch(/^FORBIDDEN: EducationMSP gateway identity/);
  });

  it('denies and refuses later decisions', async () => {
    const { id } = await request();
    await expect(run(EDU_APPROVER, 'DenyAccess', id, 'Not proportionate')).resolves.toMatchObject({ status: 'DENIED' });
    expect((await fails(EDU_APPROVER, 'ApproveAccess', [id, ''])).message).toMatch(/^INVALID_STATE: /);
    expect((await fails(EDU_APPROVER, 'DenyAccess', ['nope', 'x'])).message).toMatch(/^GRANT_NOT_FOUND: /);
    expect((await fails(EDU_APPROVER, 'DenyAccess', [id, ''])).message).toMatch(/^INVALID_ARGUMENT: /);
  });

  it('suspends the grants of a dataset raised to SECRET until the Audit org countersigns them', async () => {
    const { id } = await request();
    await run(EDU_APPROVER, 'ApproveAccess', id, '');
    await expect(run(FIN_OFFICER, 'CheckAccess', 'census-2021', 'JusticeMSP', '["region"]')).resolves.toMatchObject({ decision: 'GRANTED' });
    await run(EDU_OFFICER, 'UpdateDataset', 'census-2021', '{"classification":"SECRET"}');
    await expect(run(FIN_OFFICER, 'CheckAccess', 'census-2021', 'JusticeMSP', '["region"]')).resolves.toMatchObject({ decision: 'DENIED', reason: 'AWAITING_COUNTERSIGNATURE' });
    await expect(run(EDU_GATEWAY, 'RecordDelivery', delivery())).resolves.toMatchObject({ decision: 'DENIED', reason: 'AWAITING_COUNTERSIGNATURE' });
    await expect(run(JUS_OFFICER, 'ReadGrant', id)).resolves.toMatchObject({ status: 'APPROVED', active: false });
    // Lowering it again does not need the countersignature; raising it back suspends again.
    await run(EDU_OFFICER, 'UpdateDataset', 'census-2021', '{"classification":"RESTRICTED"}');
    await expect(run(FIN_OFFICER, 'CheckAccess', 'census-2021', 'JusticeMSP', '["region"]')).resolves.toMatchObject({ decision: 'GRANTED' });
    await run(EDU_OFFICER, 'UpdateDataset', 'census-2021', '{"classification":"SECRET"}');
    const signed = await run<Grant & { active: boolean }>(AUDITOR, 'CountersignAccess', id);
    expect(signed).toMatchObject({ active: true, countersigned: { actor: { mspId: 'AuditMSP' } } });
    await expect(run(EDU_GATEWAY, 'RecordDelivery', delivery())).resolves.toMatchObject({ decision: 'GRANTED' });
  });

  it('keeps each party to its own key, each with its own endorsement policy set at request time', async () => {
    const { id } = await request();
    const policyOf = (type: string): string => Buffer.from(ledger.validationParameters.get(`\u0000${type}\u0000${id}\u0000`) ?? []).toString('latin1');
    expect(policyOf('grant')).toContain('EducationMSP');
    expect(policyOf('grant')).not.toContain('JusticeMSP');
    expect(policyOf('grant~withdrawal')).toContain('JusticeMSP');
    expect(policyOf('grant~withdrawal')).not.toContain('EducationMSP');
    expect(policyOf('grant~countersignature')).toContain('AuditMSP');
    expect(policyOf('grant~countersignature')).not.toContain('EducationMSP');
    // A withdrawal writes the requester's key (and the indexes), never the owner's decision record.
    const withdrawn = await run<Grant>(JUS_OFFICER, 'WithdrawRequest', id);
    expect(withdrawn).toMatchObject({ status: 'WITHDRAWN', closed: { stamp: { txId: withdrawn.tx.txId } } });
    expect(withdrawn.tx.writes).toContain(`\u0000grant~withdrawal\u0000${id}\u0000`);
    expect(withdrawn.tx.writes).not.toContain(`\u0000grant\u0000${id}\u0000`);
    await expect(run(JUS_OFFICER, 'ReadGrant', id)).resolves.toMatchObject({ status: 'WITHDRAWN' });
    expect((await fails(EDU_APPROVER, 'ApproveAccess', [id, ''])).message).toMatch(/^INVALID_STATE: .*WITHDRAWN/);
  });

  it("keeps the owner's register of approved grants: created with the dataset under its policy, added on approval, removed on revocation", async () => {
    const REGISTER_KEY = '\u0000dataset~approved\u0000census-2021\u0000';
    const register = (): unknown => JSON.parse(Buffer.from(ledger.state.get(REGISTER_KEY) ?? []).toString('utf8'));
    expect(register()).toEqual({ datasetId: 'census-2021', grantIds: [] });
    expect(Buffer.from(ledger.validationParameters.get(REGISTER_KEY) ?? []).toString('latin1')).toContain('EducationMSP');
    const { id } = await request();
    const approved = await run(EDU_APPROVER, 'ApproveAccess', id, '');
    expect(approved.tx.writes).toContain(REGISTER_KEY);
    expect(register()).toEqual({ datasetId: 'census-2021', grantIds: [id] });
    // A decision reads the register once: the answer's `active` comes from the set it wrote.
    expect(approved.tx.reads.filter((key) => key === REGISTER_KEY)).toHaveLength(1);
    expect(approved).toMatchObject({ active: true });
    const revoked = await run(EDU_APPROVER, 'RevokeAccess', id, 'Case closed');
    expect(register()).toEqual({ datasetId: 'census-2021', grantIds: [] });
    expect(revoked.tx.reads.filter((key) => key === REGISTER_KEY)).toHaveLength(1);
  });

  /**
   * What three colluding organisations can write without the owner's peer: new keys, under the chaincode's
   * MAJORITY policy, with any value and any key-level policy. Here written straight into the fake ledger.
   */
  const forge = (id: string, status: 'PENDING' | 'APPROVED', policies: 'as requested' | 'none'): void => {
    const stamp = { txId: id, timestamp: '2026-03-01T11:00:00.000Z', actor: { mspId: 'JusticeMSP', id: 'justice-officer' } };
    const grant = {
      id,
      datasetId: 'census-2021',
      ownerMsp: 'EducationMSP',
      requesterMsp: 'JusticeMSP',
      purpose: { code: 'OFFICIAL_STATISTICS', text: 'Forged' },
      legalBasis: 'None',
      fields: ['birth_year', 'household_size', 'region'],
      notBefore: '2026-01-01T00:00:00.000Z',
      notAfter: '2027-01-01T00:00:00.000Z',
      status,
      countersignatureRequired: false,
      requested: stamp,
      ...(status === 'APPROVED' ? { decided: { stamp } } : {}),
      updated: stamp,
    };
    const put = (key: string, value: unknown): void => {
      ledger.state.set(key, Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));
    };
    put(`\u0000grant\u0000${id}\u0000`, grant);
    put(`\u0000grant~withdrawal\u0000${id}\u0000`, { grantId: id });
    put(`\u0000grant~countersignature\u0000${id}\u0000`, { grantId: id });
    put(`\u0000grant~dataset\u0000census-2021\u0000JusticeMSP\u0000${id}\u0000`, id);
    put(`\u0000grant~live\u0000census-2021\u0000JusticeMSP\u0000${id}\u0000`, id);
    if (policies === 'as requested') {
      // The policies RequestAccess would set: a forger can put any policy on the keys it creates.
      const peerOf = (mspId: string): Uint8Array => {
        const policy = new KeyEndorsementPolicy();
        policy.addOrgs('PEER', mspId);
        return policy.getPolicy();
      };
      ledger.validationParameters.set(`\u0000grant\u0000${id}\u0000`, peerOf('EducationMSP'));
      ledger.validationParameters.set(`\u0000grant~withdrawal\u0000${id}\u0000`, peerOf('JusticeMSP'));
      ledger.validationParameters.set(`\u0000grant~countersignature\u0000${id}\u0000`, peerOf('AuditMSP'));
    }
  };

  it("gives nothing through a grant created APPROVED without the owner's peer: CheckAccess and RecordDelivery deny it", async () => {
    forge('forged-approved', 'APPROVED', 'as requested');
    await expect(run(FIN_OFFICER, 'CheckAccess', 'census-2021', 'JusticeMSP', '["region"]')).resolves.toMatchObject({
      decision: 'DENIED',
      reason: 'NOT_APPROVED_BY_OWNER',
      grantId: 'forged-approved',
    });
    const recorded = await run(EDU_GATEWAY, 'RecordDelivery', delivery({ fields: ['birth_year'], payloadSha256: sha('forged') }));
    expect(recorded).toMatchObject({ decision: 'DENIED', reason: 'NOT_APPROVED_BY_OWNER' });
    await expect(run(JUS_OFFICER, 'ReadGrant', 'forged-approved')).resolves.toMatchObject({ status: 'APPROVED', active: false });
    // The owner never approved it, and cannot now: it is no longer PENDING.
    expect((await fails(EDU_APPROVER, 'ApproveAccess', ['forged-approved', ''])).message).toMatch(/^INVALID_STATE: .*APPROVED, not PENDING/);
  });

  it('refuses to approve a forged PENDING grant whose parts lack their parties\' policies, and leaves nothing written', async () => {
    forge('forged-pending', 'PENDING', 'none');
    const before = ledger.snapshot();
    const refused = await fails(EDU_APPROVER, 'ApproveAccess', ['forged-pending', '']);
    expect(refused.message).toMatch(/^INVALID_STATE: grant 'forged-pending' is not as a RequestAccess writes it: its decision would not need EducationMSP's peer/);
    expect(ledger.snapshot()).toEqual(before);
    // The same grant with the parts' policies as RequestAccess sets them is approved like any request.
    forge('forged-pending-2', 'PENDING', 'as requested');
    await expect(run(EDU_APPROVER, 'ApproveAccess', 'forged-pending-2', '{"fields":["region"]}')).resolves.toMatchObject({ status: 'APPROVED', active: true });
  });

  it('needs the Audit org countersignature on SECRET datasets', async () => {
    await register(FIN_OFFICER, { id: 'secret', classification: 'SECRET' });
    const { id } = await request(JUS_OFFICER, { datasetId: 'secret' });
    await run(FIN_APPROVER, 'ApproveAccess', id, '{}');
    await expect(run(JUS_OFFICER, 'CheckAccess', 'secret', 'JusticeMSP', '["region"]')).resolves.toMatchObject({ reason: 'AWAITING_COUNTERSIGNATURE' });
    expect((await fails(user('AuditMSP', 'officer'), 'CountersignAccess', [id])).message).toMatch(/^FORBIDDEN: /);
    const signed = await run<{ active: boolean }>(AUDITOR, 'CountersignAccess', id);
    expect(signed).toMatchObject({ active: true });
    expect(signed.tx.events.map((e) => e.name)).toEqual(['AccessCountersigned']);
    // The supervisor's key only: the owner's decision record is not touched.
    expect(signed.tx.writes).not.toContain(`\u0000grant\u0000${id}\u0000`);
    await expect(run(JUS_OFFICER, 'CheckAccess', 'secret', 'JusticeMSP', '["region"]')).resolves.toMatchObject({ decision: 'GRANTED' });
    await expect(run(FIN_APPROVER, 'RevokeAccess', id, 'done')).resolves.toMatchObject({ status: 'REVOKED', countersigned: { actor: { mspId: 'AuditMSP' } } });
  });

  it('lists grants by dataset, by requester and pending for an owner, with effective status', async () => {
    const a = await request(JUS_OFFICER);
    const b = await request(FIN_OFFICER, { notAfter: '2026-03-01T12:04:30Z' }); // approved at 12:04, listed from 12:05
    await run(EDU_APPROVER, 'ApproveAccess', b.id, '');
    const ids = async (name: 'ListGrantsByDataset' | 'ListGrantsByRequester' | 'ListPendingGrants', ...args: string[]) =>
      (await run<{ records: { id: string; status: string }[] }>(FIN_OFFICER, name, ...args, '10', '')).records.map((g) => `${g.id === a.id ? 'a' : 'b'}:${g.status}`);
    expect((await ids('ListGrantsByDataset', 'census-2021', '', '')).sort()).toEqual(['a:PENDING', 'b:EXPIRED']);
    expect(await ids('ListGrantsByDataset', 'census-2021', 'FinanceMSP', '')).toEqual(['b:EXPIRED']);
    expect(await ids('ListGrantsByDataset', 'census-2021', '', 'EXPIRED')).toEqual(['b:EXPIRED']);
    expect(await ids('ListGrantsByDataset', 'census-2021', '', 'APPROVED')).toEqual([]);
    expect(await ids('ListGrantsByRequester', 'JusticeMSP', '')).toEqual(['a:PENDING']);
    expect(await ids('ListGrantsByRequester', 'JusticeMSP', 'PENDING')).toEqual(['a:PENDING']);
    expect(await ids('ListPendingGrants', 'EducationMSP')).toEqual(['a:PENDING']);
    expect((await fails(FIN_OFFICER, 'ListGrantsByRequester', ['', '', '10', ''])).message).toMatch(/^INVALID_ARGUMENT: /);
    expect((await fails(FIN_OFFICER, 'ListGrantsByRequester', ['JusticeMSP', 'LOST', '10', ''])).message).toMatch(/^INVALID_ARGUMENT: status: /);
  });

  it('fills a filtered page from as many index entries as it takes, and its bookmark resumes exactly after the last one read', async () => {
    // Justice and Finance each request twelve times (withdrawing each), then one request each stays PENDING.
    for (let round = 0; round < 12; round += 1) {
      for (const requester of [JUS_OFFICER, FIN_OFFICER]) {
        const { id } = await request(requester);
        await run(requester, 'WithdrawRequest', id);
      }
    }
    const pending = [(await request(JUS_OFFICER)).id, (await request(FIN_OFFICER)).id];
    type GrantPage = { records: { id: string; status: string }[]; bookmark: string; fetchedRecordsCount: number };
    const page = (status: string, size: string, bookmark: string) => run<GrantPage>(FIN_OFFICER, 'ListGrantsByDataset', 'census-2021', '', status, size, bookmark);

    // Three WITHDRAWN a page: every page full, pages of 3 walk all 24 once, in index order.
    const seen: string[] = [];
    let bookmark = '';
    do {
      const next = await page('WITHDRAWN', '3', bookmark);
      expect(next.records.length === 3 || next.bookmark === '').toBe(true);
      expect(next.records.every((g) => g.status === 'WITHDRAWN')).toBe(true);
      seen.push(...next.records.map((g) => g.id));
      bookmark = next.bookmark;
    } while (bookmark !== '');
    expect(seen).toHaveLength(24);
    expect(new Set(seen).size).toBe(24);
    // The two PENDING ones, among 26 entries, fill one page of two, read past every withdrawn entry.
    const both = await page('PENDING', '2', '');
    expect(both.records.map((g) => g.id).sort()).toEqual([...pending].sort());
    expect(both.fetchedRecordsCount).toBeGreaterThanOrEqual(2);
  });

  describe('private request details', () => {
    const details = JSON.stringify({ caseReference: 'JUS/2026/0042', salt: '5a'.repeat(32) });

    it('records only the declared hash in the public grant and its audit record', async () => {
      const grant = await request(JUS_OFFICER, { privateDetailsSha256: sha(details) });
      expect(grant.privateDetailsSha256).toBe(sha(details));
      expect(audits().at(-1)?.details).toMatchObject({ privateDetailsSha256: sha(details) });
    });

    it('attaches details from the transient map, checked against the declared hash', async () => {
      const { id } = await request(JUS_OFFICER, { privateDetailsSha256: sha(details) });
      const t = tx(JUS_OFFICER, { transient: { details } });
      await contract.AttachRequestDetails(t.ctx, id);
      expect([...ledger.privateData.keys()].sort()).toEqual(['_implicit_org_EducationMSP', '_implicit_org_JusticeMSP']);
      expect(t.writes.every((w) => w.startsWith('_implicit_org_'))).toBe(true);
      expect(t.events.map((e) => e.name)).toEqual(['AccessDetailsAttached']);
      for (const value of ledger.snapshot().values()) expect(value).not.toContain('JUS/2026/0042');

      for (const reader of [JUS_OFFICER, EDU_APPROVER]) {
        await expect(run(reader, 'ReadGrantDetails', id)).resolves.toMatchObject({ caseReference: 'JUS/2026/0042' });
      }
      expect((await fails(FIN_OFFICER, 'ReadGrantDetails', [id])).message).toMatch(/^FORBIDDEN: /);
    });

    it('refuses missing, mismatching or foreign details', async () => {
      const { id } = await request(JUS_OFFICER, { privateDetailsSha256: sha(details) });
      expect((await fails(JUS_OFFICER, 'AttachRequestDetails', [id])).message).toMatch(/^INVALID_ARGUMENT: details: missing/);
      const salt = 'ab'.repeat(32);
      expect((await fails(JUS_OFFICER, 'AttachRequestDetails', [id], { transient: { details: `{"caseReference":"x","salt":"${salt}"}` } })).message).toMatch(/^INVALID_ARGUMENT: details: /);
      // Unsalted details are refused: their public hash could be found by hashing guessed case references.
      expect((await fails(JUS_OFFICER, 'AttachRequestDetails', [id], { transient: { details: '{"caseReference":"JUS/2026/0042"}' } })).message).toMatch(/^INVALID_ARGUMENT: salt: /);
      expect((await fails(JUS_OFFICER, 'AttachRequestDetails', [id], { transient: { details: '{"name":"Jane Roe"}' } })).message).toMatch(/^INVALID_ARGUMENT: /);
      expect((await fails(EDU_OFFICER, 'AttachRequestDetails', [id], { transient: { details } })).message).toMatch(/^FORBIDDEN: /);
      expect((await fails(JUS_OFFICER, 'ReadGrantDetails', [id])).message).toMatch(/^GRANT_NOT_FOUND: .*not on this peer/);
    });
  });
});

describe('QueryAudit', () => {
  const window = { from: '2026-03-01T00:00:00Z', to: '2026-03-03T00:00:00Z' };

  beforeEach(async () => {
    await register(); // Education, minute 1
    await register(FIN_OFFICER, { id: 'fin-data' }); // Finance, minute 2
    await run(JUS_OFFICER, 'RequestAccess', requestJson()); // Justice on Education's dataset
    await run(JUS_OFFICER, 'IssueCertificate', 'NO_CRIMINAL_RECORD', sha('doc'), sha('subject'), '2027-01-01T00:00:00Z');
  });
  const query = (identity: FakeIdentity, q: Record<string, unknown>) =>
    run<{ records: AuditRecord[]; bookmark: string }>(identity, 'QueryAudit', JSON.stringify({ ...window, ...q }));

  it('gives the Audit org every record in time order', async () => {
    const { records } = await query(AUDITOR, {});
    expect(records.map((r) => r.type)).toEqual(['DATASET_REGISTERED', 'DATASET_REGISTERED', 'ACCESS_REQUESTED', 'CERTIFICATE_ISSUED']);
  });

  it('filters by dataset and by actor org', async () => {
    expect((await query(AUDITOR, { datasetId: 'census-2021' })).records.map((r) => r.type)).toEqual(['DATASET_REGISTERED', 'ACCESS_REQUESTED']);
    expect((await query(AUDITOR, { actorMsp: 'JusticeMSP' })).records.map((r) => r.type)).toEqual(['ACCESS_REQUESTED', 'CERTIFICATE_ISSUED']);
  });

  it('shows a department its own datasets and its own actions only', async () => {
    const types = async (identity: FakeIdentity) => (await query(identity, {})).records.map((r) => `${r.actorMsp}:${r.type}`);
    expect(await types(EDU_OFFICER)).toEqual(['EducationMSP:DATASET_REGISTERED', 'JusticeMSP:ACCESS_REQUESTED']);
    expect(await types(FIN_OFFICER)).toEqual(['FinanceMSP:DATASET_REGISTERED']);
    expect(await types(JUS_OFFICER)).toEqual(['JusticeMSP:ACCESS_REQUESTED', 'JusticeMSP:CERTIFICATE_ISSUED']);
    expect(await types(user('AuditMSP', 'admin'))).toEqual([]);
  });

  it('pages through days and within a day', async () => {
    const seen: string[] = [];
    let bookmark = '';
    let pages = 0;
    do {
      const page = await query(AUDITOR, { pageSize: 1, bookmark });
      seen.push(...page.records.map((r) => r.id));
      bookmark = page.bookmark;
      pages += 1;
    } while (bookmark !== '' && pages < 10);
    expect(seen).toEqual((await query(AUDITOR, {})).records.map((r) => r.id));
    expect(pages).toBeGreaterThanOrEqual(4);
  });

  it('keeps to the window and rejects a bookmark from another window', async () => {
    expect((await query(AUDITOR, { from: '2026-03-01T12:02:30Z', to: '2026-03-01T12:03:30Z' })).records.map((r) => r.type)).toEqual(['ACCESS_REQUESTED']);
    const { bookmark } = await query(AUDITOR, { pageSize: 1 });
    expect((await fails(AUDITOR, 'QueryAudit', [JSON.stringify({ from: '2026-04-01T00:00:00Z', to: '2026-04-02T00:00:00Z', bookmark })])).message).toMatch(/^INVALID_ARGUMENT: bookmark: /);
    expect((await fails(AUDITOR, 'QueryAudit', ['not json'])).message).toMatch(/^INVALID_ARGUMENT: query: /);
  });
});

describe('e-certificates', () => {
  const doc = sha('diploma');
  const issue = (identity: FakeIdentity, type = 'DIPLOMA', notAfter = '2027-01-01T00:00:00Z') =>
    run(identity, 'IssueCertificate', type, doc, sha('salt:subject'), notAfter);

  it('issues for the issuer org of the type, with an issuer-only endorsement policy and one event', async () => {
    expect((await fails(FIN_OFFICER, 'IssueCertificate', ['DIPLOMA', doc, sha('s'), '2027-01-01T00:00:00Z'])).message).toMatch(/^FORBIDDEN: DIPLOMA certificates are issued by EducationMSP/);
    const issued = await issue(EDU_OFFICER);
    expect(issued).toMatchObject({ status: 'ISSUED', issuerMsp: 'EducationMSP', type: 'DIPLOMA' });
    expect(issued.tx.events.map((e) => e.name)).toEqual(['CertificateIssued']);
    expect(Buffer.from(ledger.validationParameters.get(`\u0000certificate\u0000${doc}\u0000`) ?? []).toString('latin1')).toContain('EducationMSP');
    expect((await fails(EDU_OFFICER, 'IssueCertificate', ['DIPLOMA', doc, sha('s'), '2027-01-01T00:00:00Z'])).message).toMatch(/^CERTIFICATE_EXISTS: /);
  });

  it('refuses a subject pseudonym already on another certificate: one citizen\'s certificates stay unlinkable', async () => {
    await issue(EDU_OFFICER);
    const again = await fails(EDU_OFFICER, 'IssueCertificate', ['TRANSCRIPT', sha('another document'), sha('salt:subject'), '2027-01-01T00:00:00Z']);
    expect(again.message).toMatch(/^PSEUDONYM_REUSED: subjectPseudonym/);
    expect(again.tx.writes).toEqual([]);
    await expect(run(EDU_OFFICER, 'IssueCertificate', 'TRANSCRIPT', sha('another document'), sha('another pseudonym'), '2027-01-01T00:00:00Z')).resolves.toMatchObject({ status: 'ISSUED' });
  });

  it('verifies and revokes by the issuer only', async () => {
    await issue(EDU_OFFICER);
    await expect(run(JUS_OFFICER, 'VerifyCertificate', doc)).resolves.toMatchObject({ status: 'VALID', issuerMsp: 'EducationMSP', type: 'DIPLOMA' });
    await expect(run(JUS_OFFICER, 'VerifyCertificate', sha('other'))).resolves.toMatchObject({ status: 'UNKNOWN' });
    expect((await fails(JUS_APPROVER, 'RevokeCertificate', [doc, 'FRAUD'])).message).toMatch(/^FORBIDDEN: /);
    expect((await fails(EDU_APPROVER, 'RevokeCertificate', [doc, 'he lied'])).message).toMatch(/^INVALID_ARGUMENT: /);
    expect((await fails(EDU_APPROVER, 'RevokeCertificate', [sha('other'), 'FRAUD'])).message).toMatch(/^CERTIFICATE_NOT_FOUND: /);
    const revoked = await run(EDU_APPROVER, 'RevokeCertificate', doc, 'FRAUD');
    expect(revoked.tx.events.map((e) => e.name)).toEqual(['CertificateRevoked']);
    await expect(run(JUS_OFFICER, 'VerifyCertificate', doc)).resolves.toMatchObject({ status: 'REVOKED', revocationReason: 'FRAUD' });
    expect(audits().map((a) => a.type)).toEqual(['CERTIFICATE_ISSUED', 'CERTIFICATE_REVOKED']);
  });

  it('reports EXPIRED from the transaction time', async () => {
    await issue(EDU_OFFICER, 'TRANSCRIPT', '2026-03-01T12:05:00Z');
    for (let i = 0; i < 5; i += 1) tx(EDU_OFFICER); // let five transaction-minutes pass
    await expect(run(JUS_OFFICER, 'VerifyCertificate', doc)).resolves.toMatchObject({ status: 'EXPIRED' });
  });
});

describe('org roles (SetOrgConfig)', () => {
  const HEALTH_OFFICER = user('HealthMSP', 'officer');
  const withIssuers = (transcript: string[]) =>
    JSON.stringify({
      supervisorMsp: 'AuditMSP',
      certificateIssuers: { DIPLOMA: ['EducationMSP'], TRANSCRIPT: transcript, TAX_CLEARANCE: ['FinanceMSP'], NO_CRIMINAL_RECORD: ['JusticeMSP'] },
    });

  it('starts from the founding configuration and lets only the supervisor admin change it, audited', async () => {
    await expect(run(JUS_OFFICER, 'ReadOrgConfig')).resolves.toMatchObject({ supervisorMsp: 'AuditMSP', updated: null });
    expect((await fails(user('EducationMSP', 'admin'), 'SetOrgConfig', [withIssuers(['EducationMSP', 'HealthMSP'])])).message).toMatch(/^FORBIDDEN: /);
    expect((await fails(AUDITOR, 'SetOrgConfig', [withIssuers(['EducationMSP', 'HealthMSP'])])).message).toMatch(/^FORBIDDEN: /);
    expect((await fails(user('AuditMSP', 'admin'), 'SetOrgConfig', ['{"supervisorMsp":"AuditMSP"}'])).message).toMatch(/^INVALID_ARGUMENT: certificateIssuers: /);
    expect((await fails(HEALTH_OFFICER, 'IssueCertificate', ['TRANSCRIPT', sha('t'), sha('s'), '2027-01-01T00:00:00Z'])).message).toMatch(/^FORBIDDEN: /);

    const changed = await run(user('AuditMSP', 'admin'), 'SetOrgConfig', withIssuers(['EducationMSP', 'HealthMSP']));
    expect(changed).toMatchObject({ certificateIssuers: { TRANSCRIPT: ['EducationMSP', 'HealthMSP'] }, updated: { actor: { mspId: 'AuditMSP' } } });
    expect(changed.tx.events.map((e) => e.name)).toEqual(['OrgConfigChanged']);
    expect(audits().map((a) => a.type)).toEqual(['ORG_CONFIG_CHANGED']);

    await expect(run(HEALTH_OFFICER, 'IssueCertificate', 'TRANSCRIPT', sha('t'), sha('s'), '2027-01-01T00:00:00Z')).resolves.toMatchObject({ issuerMsp: 'HealthMSP' });
  });

  it('moves the supervisor role: the new supervisor reads the whole trail, AuditMSP no longer countersigns', async () => {
    await run(user('AuditMSP', 'admin'), 'SetOrgConfig', JSON.stringify({ ...JSON.parse(withIssuers(['EducationMSP'])) as object, supervisorMsp: 'HealthMSP' }));
    const window = JSON.stringify({ from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' });
    expect((await fails(AUDITOR, 'CountersignAccess', ['any-grant'])).message).toMatch(/^FORBIDDEN: AuditMSP role 'auditor' may not countersign access/);
    const page = await run<{ records: AuditRecord[] }>(user('HealthMSP', 'auditor'), 'QueryAudit', window);
    expect(page.records.map((r) => r.type)).toEqual(['ORG_CONFIG_CHANGED']);
  });
});

describe('events', () => {
  it('sets exactly one catalogued event, with ids only, in every transaction that writes', async () => {
    await register();
    await run(EDU_OFFICER, 'UpdateDataset', 'census-2021', '{"title":"Census"}');
    const { id } = await run<Grant>(JUS_OFFICER, 'RequestAccess', requestJson());
    await run(EDU_APPROVER, 'ApproveAccess', id, '');
    await run(EDU_GATEWAY, 'RecordDelivery', delivery({ fields: ['region'] }));
    await run(EDU_GATEWAY, 'RecordDelivery', delivery({ fields: ['birth_year'] }));
    await run(EDU_APPROVER, 'RevokeAccess', id, 'done');
    await run(EDU_OFFICER, 'IssueCertificate', 'DIPLOMA', sha('d'), sha('s'), '2027-01-01T00:00:00Z');
    await run(EDU_APPROVER, 'RevokeCertificate', sha('d'), 'SUPERSEDED');
    await run(EDU_APPROVER, 'RetireDataset', 'census-2021');
    await run(AUDITOR, 'QueryAudit', JSON.stringify({ from: '2026-03-01T00:00:00Z', to: '2026-03-02T00:00:00Z' }));

    const writing = ledger.txs.filter((t) => t.writes.length > 0);
    expect(writing).toHaveLength(10);
    for (const t of ledger.txs) {
      expect(t.events).toHaveLength(t.writes.length > 0 ? 1 : 0);
      for (const event of t.events) {
        expect(EVENT_NAMES).toContain(event.name);
        const payload = JSON.parse(event.payload) as Record<string, string>;
        expect(payload.txId).toBe(t.txId);
        expect(Object.keys(payload)).toEqual(Object.keys(payload).sort());
        expect(Object.keys(payload).every((k) => ['txId', 'auditId', 'datasetId', 'ownerMsp', 'grantId', 'requesterMsp', 'documentSha256', 'decision'].includes(k))).toBe(true);
      }
    }
  });
});
