/**
 * The govshare chaincode on the live network, driven directly through fabric-gateway with each
 * department user's own identity: catalogue, state-based endorsement, access grants with private
 * data, audit trail, e-certificates, contract metadata, and finally a walk over every block to
 * prove that no personal data reached the ledger.
 *
 * The catalogue and grant tests share one dataset and one grant, built by steps (support/steps.ts) that run once,
 * when the first test that needs them asks: each test awaits the state it needs, so it also runs alone.
 */
import { createHash } from 'node:crypto';
import { GatewayError, type Contract } from '@hyperledger/fabric-gateway';
import { common, ledger, peer } from '@hyperledger/fabric-protos';
import { parseErrorCode } from 'govshare-contract';
import { connectAs, connectAsGateway, decode, type FabricSession } from './support/fabric';
import { CHAINCODE, CHANNEL, DEPARTMENTS, mspIdOf, type Department, type Role } from './support/network';
import { step } from './support/steps';


const RUN = Date.now().toString(36);
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const iso = (offsetMs: number): string => new Date(Date.now() + offsetMs).toISOString();
const DAY = 86_400_000;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Personal data planted by this suite, which must never appear on the ledger in clear.
const CITIZEN_NATIONAL_ID = `NID-${RUN}-770412`;
const CITIZEN_SALT = `salt-${RUN}`;
const CASE_REFERENCE = `JUS/CASE/${RUN}/Jane-Roe-1980-04-12`;
/** The private details carry a random salt, so that their public hash cannot be found by hashing guesses. */
const DETAILS_SALT = createHash('sha256').update(`salt-${RUN}`).digest('hex');
const DETAILS = JSON.stringify({ caseReference: CASE_REFERENCE, salt: DETAILS_SALT });
const SUBJECT_PSEUDONYM = sha(`${CITIZEN_SALT}:${CITIZEN_NATIONAL_ID}`);

const sessions = new Map<string, FabricSession>();
/** A department user, or (`gateway`) the department gateway's own identity. */
type Who = Role | 'gateway';
function as(department: Department, role: Who): FabricSession {
  const name = `${department}-${role}`;
  let session = sessions.get(name);
  if (session === undefined) {
    session = role === 'gateway' ? connectAsGateway(department) : connectAs(department, role);
    sessions.set(name, session);
  }
  return session;
}

let lastBlock = 0n;

/** Waits until every peer has committed `block`, so the next transaction reads the same state everywhere. */
async function allPeersAt(block: bigint): Promise<void> {
  for (const department of DEPARTMENTS) {
    const qscc = as(department, 'officer').network.getContract('qscc');
    for (let attempt = 0; ; attempt += 1) {
      const proposal = qscc.newProposal('GetChainInfo', { arguments: [CHANNEL], endorsingOrganizations: [mspIdOf(department)] });
      const info = common.BlockchainInfo.deserializeBinary(await proposal.evaluate());
      if (BigInt(info.getHeight()) > block) break;
      if (attempt > 100) throw new Error(`${department} peer did not reach block ${block}`);
      await sleep(100);
    }
  }
}

interface SubmitOptions {
  readonly transient?: Record<string, string>;
  /** Private data: only these orgs' peers see the transient data (the gateway refuses to guess). */
  readonly endorsingOrganizations?: string[];
}

async function submit<T = unknown>(
  user: [Department, Who],
  name: string,
  args: readonly string[],
  options: SubmitOptions = {},
): Promise<T> {
  const { contract } = as(...user);
  const transientData = Object.fromEntries(
    Object.entries(options.transient ?? {}).map(([key, value]) => [key, Buffer.from(value)]),
  );
  const submitted = await contract
    .submitAsync(name, {
      arguments: [...args],
      transientData,
      ...(options.endorsingOrganizations === undefined ? {} : { endorsingOrganizations: options.endorsingOrganizations }),
    })
    .catch((error: unknown) => {
    // Keep the peers' messages (they carry the chaincode's error code) in the thrown error.
    const details = error instanceof GatewayError ? error.details.map((d) => `${d.mspId}: ${d.message}`).join('; ') : '';
    throw new Error(`${name}: ${String(error)} [${details}]`, { cause: error });
  });
  const status = await submitted.getStatus();
  if (!status.successful) throw new Error(`${name} committed as code ${status.code}`);
  lastBlock = status.blockNumber > lastBlock ? status.blockNumber : lastBlock;
  await allPeersAt(status.blockNumber);
  return JSON.parse(decode(submitted.getResult())) as T;
}

async function evaluate<T = unknown>(user: [Department, Who], name: string, args: readonly string[]): Promise<T> {
  return JSON.parse(decode(await as(...user).contract.evaluateTransaction(name, ...args))) as T;
}

/** The catalogue code the chaincode put at the start of its error, wherever Fabric wrapped it. */
async function errorCodeOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (error) {
    const texts = [String(error)];
    const cause = error instanceof Error ? error.cause : undefined;
    for (const candidate of [error, cause]) {
      if (candidate instanceof GatewayError) texts.push(...candidate.details.map((detail) => detail.message));
    }
    return parseErrorCode(texts.join(' | ')) ?? `uncoded: ${texts.join(' | ')}`;
  }
  return undefined;
}

const EDU_OFFICER: [Department, Role] = ['education', 'officer'];
const EDU_APPROVER: [Department, Role] = ['education', 'approver'];
const FIN_OFFICER: [Department, Role] = ['finance', 'officer'];
const FIN_APPROVER: [Department, Role] = ['finance', 'approver'];
const JUS_OFFICER: [Department, Role] = ['justice', 'officer'];
const EDU_GATEWAY: [Department, Who] = ['education', 'gateway'];
const JUS_GATEWAY: [Department, Who] = ['justice', 'gateway'];
const JUS_APPROVER: [Department, Role] = ['justice', 'approver'];
const AUDITOR: [Department, Role] = ['audit', 'auditor'];

const FIELDS = [
  { name: 'school_id', type: 'CODE', sensitivity: 'NONE' },
  { name: 'year_group', type: 'INTEGER', sensitivity: 'NONE' },
  { name: 'pupil_count', type: 'INTEGER', sensitivity: 'NONE' },
  { name: 'pupil_birthdate', type: 'DATE', sensitivity: 'PERSONAL' },
];
const eduDatasetId = `it-${RUN}-enrolment`;
const finSecretId = `it-${RUN}-tax-secret`;
const THEME = `it-${RUN}`;

interface Dataset {
  id: string;
  ownerMsp: string;
  version: number;
  contentVersion: number;
  fingerprint: string;
  status: string;
  themes: string[];
  created: { txId: string };
}
interface GrantView {
  id: string;
  status: string;
  active: boolean;
  fields: string[];
  notAfter: string;
  privateDetailsSha256?: string;
}
interface Page<T> {
  records: T[];
  bookmark: string;
}

afterAll(() => {
  for (const session of sessions.values()) session.close();
});

describe('contract metadata', () => {
  it('lists every transaction of the issue, with typed parameters, in the default contract', async () => {
    const metadata = JSON.parse(
      decode(await as(...EDU_OFFICER).contract.evaluateTransaction('org.hyperledger.fabric:GetMetadata')),
    ) as { contracts: Record<string, { transactions: { name: string; parameters?: { name: string; schema: { type: string } }[] }[] }> };
    const contract = metadata.contracts.govshare;
    expect(contract).toBeDefined();
    const transactions = new Map((contract?.transactions ?? []).map((tx) => [tx.name, tx.parameters ?? []]));
    const expected: Record<string, string[]> = {
      RegisterDataset: ['registration'],
      UpdateDataset: ['id', 'update'],
      RetireDataset: ['id'],
      ReadDataset: ['id'],
      ListDatasets: ['by', 'value', 'pageSize', 'bookmark'],
      GetDatasetHistory: ['id'],
      RequestAccess: ['request'],
      AttachRequestDetails: ['grantId'],
      ApproveAccess: ['grantId', 'approval'],
      DenyAccess: ['grantId', 'reason'],
      WithdrawRequest: ['grantId'],
      RevokeAccess: ['grantId', 'reason'],
      CountersignAccess: ['grantId'],
      CheckAccess: ['datasetId', 'requesterMsp', 'fields'],
      RecordDelivery: ['delivery'],
      QueryAudit: ['query'],
      IssueCertificate: ['type', 'documentSha256', 'subjectPseudonym', 'notAfter'],
      VerifyCertificate: ['documentSha256'],
      RevokeCertificate: ['documentSha256', 'reason'],
    };
    for (const [name, params] of Object.entries(expected)) {
      const declared = transactions.get(name);
      expect({ name, params: declared?.map((p) => p.name) }).toEqual({ name, params });
      for (const param of declared ?? []) expect(param.schema.type).toBe('string');
    }
  });
});

/** Education's dataset, which the catalogue, grant and audit tests share. */
const registered = step("Education registers its dataset", () =>
  submit<Dataset>(EDU_OFFICER, 'RegisterDataset', [
      JSON.stringify({
        id: eduDatasetId,
        title: 'School enrolment',
        description: 'Pupils enrolled per school and year group',
        classification: 'RESTRICTED',
        fingerprint: sha(`content-1-${RUN}`),
        themes: [THEME, 'education'],
        keywords: ['enrolment'],
        fields: FIELDS,
        updateFrequency: 'ANNUAL',
        license: 'CC-BY-4.0',
        contactUnit: 'EDU.STATISTICS',
      }),
    ]),
);

/** Two updates of it by its owner: a new title (version 2), then new content (version 3, contentVersion 2). */
const updated = step('Education updates its title and then its content', async () => {
  await registered();
  const titled = await submit<Dataset>(EDU_OFFICER, 'UpdateDataset', [eduDatasetId, JSON.stringify({ title: 'School enrolment (all years)' })]);
  const content = await submit<Dataset>(EDU_OFFICER, 'UpdateDataset', [eduDatasetId, JSON.stringify({ fingerprint: sha(`content-2-${RUN}`) })]);
  return { titled, content };
});

const secondDatasetId = `it-${RUN}-enrolment-b`;
const registeredSecond = step('Education registers a second, PUBLIC dataset in the theme', async () => {
  await registered();
  return await submit<Dataset>(EDU_OFFICER, 'RegisterDataset', [
    JSON.stringify({ id: secondDatasetId, title: 'B', description: '', classification: 'PUBLIC', fingerprint: sha(secondDatasetId), themes: [THEME] }),
  ]);
});

describe('catalogue', () => {
  it('registers a dataset owned by the caller organisation', async () => {
    const dataset = await registered();

    expect(dataset).toMatchObject({ id: eduDatasetId, ownerMsp: 'EducationMSP', version: 1, contentVersion: 1, status: 'ACTIVE' });
    const read = await evaluate<Dataset>(FIN_OFFICER, 'ReadDataset', [eduDatasetId]);
    expect(read).toMatchObject({ id: eduDatasetId, created: dataset.created });
  });

  it('refuses a duplicate id, a person as contact unit and a role that may not register', async () => {
    await registered();
    const body = { id: eduDatasetId, title: 't', description: '', classification: 'PUBLIC', fingerprint: sha('x') };
    await expect(errorCodeOf(submit(EDU_OFFICER, 'RegisterDataset', [JSON.stringify(body)]))).resolves.toBe('DATASET_EXISTS');
    await expect(
      errorCodeOf(submit(EDU_OFFICER, 'RegisterDataset', [JSON.stringify({ ...body, id: `${eduDatasetId}-x`, contactUnit: 'jane.doe@example.org' })])),
    ).resolves.toBe('INVALID_ARGUMENT');
    await expect(
      errorCodeOf(submit(['audit', 'auditor'], 'RegisterDataset', [JSON.stringify({ ...body, id: `${eduDatasetId}-y` })])),
    ).resolves.toBe('FORBIDDEN');
  });

  it('lets the owner update: version always bumps, contentVersion only for a new fingerprint', async () => {
    const { titled, content } = await updated();

    expect(titled).toMatchObject({ version: 2, contentVersion: 1 });
    expect(content).toMatchObject({ version: 3, contentVersion: 2, fingerprint: sha(`content-2-${RUN}`) });
  });

  it("refuses another organisation's update in chaincode (FORBIDDEN)", async () => {
    await registered();
    await expect(
      errorCodeOf(submit(FIN_OFFICER, 'UpdateDataset', [eduDatasetId, JSON.stringify({ title: 'hijacked' })])),
    ).resolves.toBe('FORBIDDEN');
  });

  it("rejects at validation an owner's update not endorsed by the owner's peer (state-based endorsement)", async () => {
    await updated();
    const proposal = as(...EDU_OFFICER).contract.newProposal('UpdateDataset', {
      arguments: [eduDatasetId, JSON.stringify({ title: 'endorsed without the owner' })],
      endorsingOrganizations: ['FinanceMSP', 'JusticeMSP', 'AuditMSP'],
    });
    const transaction = await proposal.endorse();
    const submitted = await transaction.submit();
    const status = await submitted.getStatus();
    expect(status.successful).toBe(false);
    expect(status.code).toBe(peer.TxValidationCode.ENDORSEMENT_POLICY_FAILURE);
    await allPeersAt(status.blockNumber);
    await expect(evaluate<Dataset>(EDU_OFFICER, 'ReadDataset', [eduDatasetId])).resolves.toMatchObject({ version: 3 });
  });

  it('lists by owner, theme and classification through indexes, page by page', async () => {
    await registeredSecond();
    const second = secondDatasetId;
    const first = await evaluate<Page<Dataset>>(FIN_OFFICER, 'ListDatasets', ['theme', THEME, '1', '']);
    expect(first.records.map((d) => d.id)).toEqual([eduDatasetId]);
    expect(first.bookmark).not.toBe('');
    const next = await evaluate<Page<Dataset>>(FIN_OFFICER, 'ListDatasets', ['theme', THEME, '1', first.bookmark]);
    expect(next.records.map((d) => d.id)).toEqual([second]);

    // Other users of the network own datasets too: page through the owner index.
    const byOwner: Dataset[] = [];
    let bookmark = '';
    do {
      const page = await evaluate<Page<Dataset>>(FIN_OFFICER, 'ListDatasets', ['owner', 'EducationMSP', '100', bookmark]);
      byOwner.push(...page.records);
      bookmark = page.bookmark;
    } while (bookmark !== '' && !byOwner.some((d) => d.id === second));
    expect(byOwner.map((d) => d.id)).toEqual(expect.arrayContaining([eduDatasetId, second]));
    expect(byOwner.every((d) => d.ownerMsp === 'EducationMSP')).toBe(true);
    const restricted = await evaluate<Page<Dataset>>(FIN_OFFICER, 'ListDatasets', ['classification', 'RESTRICTED', '100', '']);
    expect(restricted.records.map((d) => d.id)).toContain(eduDatasetId);
    expect(restricted.records.map((d) => d.id)).not.toContain(second);
  });

  it('retires a dataset, which then refuses requests and updates', async () => {
    await registeredSecond();
    const second = secondDatasetId;
    await expect(submit<Dataset>(EDU_APPROVER, 'RetireDataset', [second])).resolves.toMatchObject({ status: 'RETIRED' });
    await expect(
      errorCodeOf(submit(EDU_OFFICER, 'UpdateDataset', [second, JSON.stringify({ title: 'again' })])),
    ).resolves.toBe('DATASET_RETIRED');
    const request = { datasetId: second, purpose: { code: 'OFFICIAL_STATISTICS', text: 'x' }, legalBasis: 'Statistics Act s.4', fields: ['x'], notBefore: iso(-60_000), notAfter: iso(DAY) };
    await expect(errorCodeOf(submit(JUS_OFFICER, 'RequestAccess', [JSON.stringify(request)]))).resolves.toBe('DATASET_RETIRED');
  });

  it('returns the history of the dataset key with txId, timestamp and value', async () => {
    const dataset = await registered();
    await updated();
    const history = await evaluate<{ txId: string; timestamp: string; isDelete: boolean; value: Dataset | null }[]>(
      FIN_OFFICER,
      'GetDatasetHistory',
      [eduDatasetId],
    );
    expect(history.map((entry) => entry.value?.version).sort()).toEqual([1, 2, 3]);
    expect(history.every((entry) => /^[0-9a-f]{64}$/.test(entry.txId) && !entry.isDelete)).toBe(true);
    expect(history.map((entry) => entry.txId)).toContain(dataset.created.txId);
  });
});

const request = () => ({
  datasetId: eduDatasetId,
  purpose: { code: 'LAW_ENFORCEMENT', text: 'Verify school attendance for an open case' },
  legalBasis: 'Criminal Procedure Act s.12',
  fields: ['school_id', 'year_group', 'pupil_count'],
  notBefore: iso(-60_000),
  notAfter: iso(30 * DAY),
});

/** Justice's request for three fields of Education's dataset, with its private details attached. */
const requested = step("Justice requests access to Education's dataset", async () => {
  await updated();
  const grant = await submit<GrantView>(JUS_OFFICER, 'RequestAccess', [JSON.stringify({ ...request(), privateDetailsSha256: sha(DETAILS) })]);
  const attached = await submit(JUS_OFFICER, 'AttachRequestDetails', [grant.id], {
    endorsingOrganizations: ['EducationMSP', 'JusticeMSP'],
    transient: { details: DETAILS },
  });
  return { grant, attached };
});
const grantOf = async (): Promise<GrantView> => (await requested()).grant;

/** Education's approver approves it for two of the three fields. */
const approved = step("Education approves Justice's request for two fields", async () =>
  submit<GrantView>(EDU_APPROVER, 'ApproveAccess', [(await grantOf()).id, JSON.stringify({ fields: ['school_id', 'pupil_count'] })]),
);

const delivery = (overrides: Record<string, unknown> = {}): string[] => [
  JSON.stringify({
    datasetId: eduDatasetId,
    requesterMsp: 'JusticeMSP',
    fields: ['school_id'],
    contentFingerprint: sha(`content-2-${RUN}`),
    payloadSha256: sha(`payload-1-${RUN}`),
    ...overrides,
  }),
];
type Delivery = { decision: string; reason: string; auditId: string; txId: string; grantId: string };

/** Education's gateway records a granted delivery, one of a field out of scope, and one to a department without a grant. */
const delivered = step("Education's gateway records deliveries to Justice and to Finance", async () => {
  await approved();
  const granted = await submit<Delivery>(EDU_GATEWAY, 'RecordDelivery', delivery());
  const denied = await submit<Delivery>(EDU_GATEWAY, 'RecordDelivery', delivery({ fields: ['year_group'] }));
  const stranger = await submit<Delivery>(EDU_GATEWAY, 'RecordDelivery', delivery({ requesterMsp: 'FinanceMSP' }));
  return { granted, denied, stranger };
});

/** Education's approver revokes the grant (after the deliveries). */
const revoked = step("Education revokes Justice's grant", async () => {
  await delivered();
  return await submit<GrantView>(EDU_APPROVER, 'RevokeAccess', [(await grantOf()).id, 'Case closed']);
});

/** Polls an evaluate until it matches (an expiry is a moment of the peers' clock, not an event to wait for). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${String(timeoutMs)} ms`);
    await sleep(250);
  }
}

describe('access grants', () => {
  it('refuses requests for own datasets and unknown fields', async () => {
    await registered();
    await expect(errorCodeOf(submit(EDU_OFFICER, 'RequestAccess', [JSON.stringify(request())]))).resolves.toBe('OWN_DATASET');
    await expect(
      errorCodeOf(submit(JUS_OFFICER, 'RequestAccess', [JSON.stringify({ ...request(), fields: ['school_id', 'home_address'] })])),
    ).resolves.toBe('UNKNOWN_FIELDS');
  });

  it('records a PENDING request whose private details only owner and requester peers receive', async () => {
    const details = DETAILS;
    const { grant, attached } = await requested();
    expect(grant).toMatchObject({ status: 'PENDING', active: false, privateDetailsSha256: sha(details) });
    expect(attached).toEqual({ grantId: grant.id, privateDetailsSha256: sha(details) });
    const parties = { endorsingOrganizations: ['EducationMSP', 'JusticeMSP'] };
    await expect(
      errorCodeOf(submit(JUS_OFFICER, 'AttachRequestDetails', [grant.id], { ...parties, transient: { details: JSON.stringify({ caseReference: 'other', salt: DETAILS_SALT }) } })),
    ).resolves.toBe('INVALID_ARGUMENT');
    await expect(
      errorCodeOf(submit(EDU_OFFICER, 'AttachRequestDetails', [grant.id], { ...parties, transient: { details } })),
    ).resolves.toBe('FORBIDDEN');
    const pending = await evaluate<Page<GrantView>>(EDU_APPROVER, 'ListPendingGrants', ['EducationMSP', '100', '']);
    expect(pending.records.map((g) => g.id)).toContain(grant.id);
  });

  it('lets owner and requester read the private details from their own peers, and nobody else', async () => {
    const grant = await grantOf();
    for (const user of [JUS_OFFICER, EDU_APPROVER]) {
      let details: unknown;
      for (let attempt = 0; attempt < 30 && details === undefined; attempt += 1) {
        try {
          details = await evaluate(user, 'ReadGrantDetails', [grant.id]);
        } catch {
          await sleep(200); // private data may reach a member peer a moment after the block
        }
      }
      expect(details).toEqual({ caseReference: CASE_REFERENCE, salt: DETAILS_SALT });
    }
    await expect(errorCodeOf(evaluate(FIN_OFFICER, 'ReadGrantDetails', [grant.id]))).resolves.toBe('FORBIDDEN');
  });

  it('refuses a second live request for the same dataset and requester', async () => {
    await requested();
    await expect(errorCodeOf(submit(JUS_OFFICER, 'RequestAccess', [JSON.stringify(request())]))).resolves.toBe('GRANT_CONFLICT');
  });

  it('lets only the owner approver approve, narrowing fields', async () => {
    const grant = await grantOf();
    await expect(errorCodeOf(submit(EDU_OFFICER, 'ApproveAccess', [grant.id, '{}']))).resolves.toBe('FORBIDDEN');
    await expect(errorCodeOf(submit(JUS_APPROVER, 'ApproveAccess', [grant.id, '{}']))).resolves.toBe('FORBIDDEN');
    expect(await approved()).toMatchObject({ status: 'APPROVED', active: true, fields: ['pupil_count', 'school_id'] });
  });

  it('answers CheckAccess from the grant and its field scope', async () => {
    const grant = await grantOf();
    await approved();
    await expect(evaluate(FIN_OFFICER, 'CheckAccess', [eduDatasetId, 'JusticeMSP', '["school_id"]'])).resolves.toEqual({
      decision: 'GRANTED',
      reason: 'ACTIVE',
      grantId: grant.id,
    });
    await expect(evaluate(FIN_OFFICER, 'CheckAccess', [eduDatasetId, 'JusticeMSP', '["year_group"]'])).resolves.toMatchObject({
      decision: 'DENIED',
      reason: 'FIELDS_OUT_OF_SCOPE',
    });
    await expect(evaluate(FIN_OFFICER, 'CheckAccess', [eduDatasetId, 'FinanceMSP', '["school_id"]'])).resolves.toEqual({
      decision: 'DENIED',
      reason: 'NO_GRANT',
    });
  });

  it("records granted and denied deliveries alike, by the owner's gateway identity only", async () => {
    const grant = await grantOf();
    const { granted, denied, stranger } = await delivered();
    expect(granted).toMatchObject({ decision: 'GRANTED', reason: 'ACTIVE', grantId: grant.id, requesterMsp: 'JusticeMSP', ownerMsp: 'EducationMSP' });
    expect(granted.auditId).toBe(granted.txId);
    expect(denied).toMatchObject({ decision: 'DENIED', reason: 'FIELDS_OUT_OF_SCOPE' });
    expect(stranger).toMatchObject({ decision: 'DENIED', reason: 'NO_GRANT' });
    // The requester, its gateway and the owner's own users cannot record a delivery.
    for (const who of [JUS_OFFICER, JUS_GATEWAY, EDU_OFFICER]) {
      await expect(errorCodeOf(submit(who, 'RecordDelivery', delivery()))).resolves.toBe('FORBIDDEN');
    }
    await expect(errorCodeOf(submit(EDU_GATEWAY, 'RecordDelivery', delivery({ contentFingerprint: sha('stale') })))).resolves.toBe('CONTENT_CHANGED');
  });

  it('lists grants by dataset and by requester', async () => {
    const grant = await grantOf();
    const byDataset = await evaluate<Page<GrantView>>(FIN_OFFICER, 'ListGrantsByDataset', [eduDatasetId, '', '', '100', '']);
    expect(byDataset.records.map((g) => g.id)).toEqual([grant.id]);
    const byRequester = await evaluate<Page<GrantView>>(FIN_OFFICER, 'ListGrantsByRequester', ['JusticeMSP', '', '100', '']);
    expect(byRequester.records.map((g) => g.id)).toContain(grant.id);
  });

  it('revokes: the owner ends the grant and access is denied', async () => {
    const grant = await grantOf();
    await approved();
    await expect(errorCodeOf(submit(JUS_APPROVER, 'RevokeAccess', [grant.id, 'not yours']))).resolves.toBe('FORBIDDEN');
    await expect(revoked()).resolves.toMatchObject({ status: 'REVOKED' });
    await expect(evaluate(FIN_OFFICER, 'CheckAccess', [eduDatasetId, 'JusticeMSP', '["school_id"]'])).resolves.toMatchObject({
      decision: 'DENIED',
      reason: 'ENDED',
    });
  });

  it('withdraws and denies pending requests', async () => {
    // Justice's first grant must have ended: a department has one live request per dataset.
    await revoked();
    const withdrawn = await submit<GrantView>(JUS_OFFICER, 'RequestAccess', [JSON.stringify(request())]);
    await expect(errorCodeOf(submit(EDU_OFFICER, 'WithdrawRequest', [withdrawn.id]))).resolves.toBe('FORBIDDEN');
    await expect(submit(JUS_OFFICER, 'WithdrawRequest', [withdrawn.id])).resolves.toMatchObject({ status: 'WITHDRAWN' });
    const denied = await submit<GrantView>(JUS_OFFICER, 'RequestAccess', [JSON.stringify(request())]);
    await expect(submit(EDU_APPROVER, 'DenyAccess', [denied.id, 'Purpose not covered'])).resolves.toMatchObject({ status: 'DENIED' });
    await expect(errorCodeOf(submit(EDU_APPROVER, 'ApproveAccess', [denied.id, '']))).resolves.toBe('INVALID_STATE');
  });

  it('derives EXPIRED from the transaction timestamp', async () => {
    await updated();
    const shortLived = await submit<GrantView>(FIN_OFFICER, 'RequestAccess', [
      JSON.stringify({ ...request(), purpose: { code: 'AUDIT', text: 'Spot check' }, notAfter: iso(6_000) }),
    ]);
    await submit(EDU_APPROVER, 'ApproveAccess', [shortLived.id, '']);
    const read = await eventually(
      () => evaluate<GrantView>(FIN_OFFICER, 'ReadGrant', [shortLived.id]),
      (grant) => grant.status !== 'APPROVED',
      'the short-lived grant',
    );
    expect(read).toMatchObject({ status: 'EXPIRED', active: false });
    await expect(evaluate(FIN_OFFICER, 'CheckAccess', [eduDatasetId, 'FinanceMSP', '["school_id"]'])).resolves.toMatchObject({
      decision: 'DENIED',
      reason: 'EXPIRED',
    });
    const receipt = await submit<{ decision: string; reason: string }>(EDU_GATEWAY, 'RecordDelivery', [
      JSON.stringify({ datasetId: eduDatasetId, requesterMsp: 'FinanceMSP', fields: ['school_id'], contentFingerprint: sha(`content-2-${RUN}`), payloadSha256: sha('late') }),
    ]);
    expect(receipt).toEqual(expect.objectContaining({ decision: 'DENIED', reason: 'EXPIRED' }));
  });

  it("needs the Audit org's countersignature before a grant on a SECRET dataset is active", async () => {
    await submit(FIN_OFFICER, 'RegisterDataset', [
      JSON.stringify({
        id: finSecretId,
        title: 'Tax investigations',
        description: 'Aggregates of open investigations',
        classification: 'SECRET',
        fingerprint: sha(finSecretId),
        fields: [{ name: 'region', type: 'CODE', sensitivity: 'NONE' }, { name: 'open_cases', type: 'INTEGER', sensitivity: 'NONE' }],
      }),
    ]);
    const secret = await submit<GrantView>(JUS_OFFICER, 'RequestAccess', [
      JSON.stringify({ ...request(), datasetId: finSecretId, fields: ['region', 'open_cases'] }),
    ]);
    await submit(FIN_APPROVER, 'ApproveAccess', [secret.id, '']);
    await expect(evaluate(JUS_OFFICER, 'CheckAccess', [finSecretId, 'JusticeMSP', '["region"]'])).resolves.toMatchObject({
      decision: 'DENIED',
      reason: 'AWAITING_COUNTERSIGNATURE',
    });
    await expect(errorCodeOf(submit(['audit', 'officer'], 'CountersignAccess', [secret.id]))).resolves.toBe('FORBIDDEN');
    await expect(submit(AUDITOR, 'CountersignAccess', [secret.id])).resolves.toMatchObject({ active: true });
    await expect(evaluate(JUS_OFFICER, 'CheckAccess', [finSecretId, 'JusticeMSP', '["region"]'])).resolves.toMatchObject({
      decision: 'GRANTED',
    });
  });
});

describe('audit trail', () => {
  interface AuditRecord {
    type: string;
    datasetId?: string;
    actorMsp: string;
    outcome: string;
    subjectOwnerMsp?: string;
    timestamp: string;
    details: Record<string, unknown>;
  }
  const window = () => ({ from: iso(-DAY), to: iso(60_000) });

  it('gives the Audit org every record about a dataset, including denied fetches', async () => {
    await revoked();
    const page = await evaluate<Page<AuditRecord>>(AUDITOR, 'QueryAudit', [JSON.stringify({ datasetId: eduDatasetId, ...window() })]);
    const types = page.records.map((r) => `${r.type}:${r.outcome}`);
    expect(types).toEqual(
      expect.arrayContaining(['DATASET_REGISTERED:SUCCESS', 'ACCESS_APPROVED:SUCCESS', 'DATA_ACCESSED:GRANTED', 'DATA_ACCESSED:DENIED', 'ACCESS_REVOKED:SUCCESS']),
    );
    const times = page.records.map((r) => r.timestamp);
    expect(times).toEqual([...times].sort());
  });

  it('pages through a time window with bookmarks', async () => {
    await revoked();
    const seen: AuditRecord[] = [];
    let bookmark = '';
    let pages = 0;
    do {
      const page = await evaluate<Page<AuditRecord>>(AUDITOR, 'QueryAudit', [
        JSON.stringify({ datasetId: eduDatasetId, ...window(), pageSize: 3, bookmark }),
      ]);
      seen.push(...page.records);
      bookmark = page.bookmark;
      pages += 1;
    } while (bookmark !== '' && pages < 50);
    expect(pages).toBeGreaterThan(1);
    const all = await evaluate<Page<AuditRecord>>(AUDITOR, 'QueryAudit', [JSON.stringify({ datasetId: eduDatasetId, ...window(), pageSize: 100 })]);
    expect(seen).toEqual(all.records);
  });

  it('shows a department only records about its own datasets, its own actions and the deliveries made to it', async () => {
    await delivered();
    const deliveredTo = (r: AuditRecord, mspId: string): boolean => r.type === 'DATA_ACCESSED' && r.details.requesterMsp === mspId;
    const finance = await evaluate<Page<AuditRecord>>(FIN_OFFICER, 'QueryAudit', [JSON.stringify({ datasetId: eduDatasetId, ...window(), pageSize: 100 })]);
    expect(finance.records.length).toBeGreaterThan(0);
    expect(finance.records.every((r) => r.actorMsp === 'FinanceMSP' || deliveredTo(r, 'FinanceMSP'))).toBe(true);
    const justice = await evaluate<Page<AuditRecord>>(JUS_OFFICER, 'QueryAudit', [JSON.stringify({ ...window(), pageSize: 100 })]);
    expect(justice.records.every((r) => r.actorMsp === 'JusticeMSP' || r.subjectOwnerMsp === 'JusticeMSP' || deliveredTo(r, 'JusticeMSP'))).toBe(true);
    // Education's deliveries to Justice are recorded by Education and listed under Justice too.
    expect(justice.records.some((r) => r.actorMsp === 'EducationMSP' && deliveredTo(r, 'JusticeMSP'))).toBe(true);
    const byActor = await evaluate<Page<AuditRecord>>(AUDITOR, 'QueryAudit', [JSON.stringify({ actorMsp: 'JusticeMSP', ...window(), pageSize: 100 })]);
    expect(byActor.records.length).toBeGreaterThan(0);
    expect(byActor.records.every((r) => r.actorMsp === 'JusticeMSP' || deliveredTo(r, 'JusticeMSP'))).toBe(true);
  });
});

describe('e-certificates', () => {
  const diploma = sha(`diploma-${RUN}`);

  it('lets only the issuer org of a type issue it, with a pseudonymous subject', async () => {
    await expect(
      errorCodeOf(submit(FIN_OFFICER, 'IssueCertificate', ['DIPLOMA', diploma, SUBJECT_PSEUDONYM, iso(365 * DAY)])),
    ).resolves.toBe('FORBIDDEN');
    await expect(submit(EDU_OFFICER, 'IssueCertificate', ['DIPLOMA', diploma, SUBJECT_PSEUDONYM, iso(365 * DAY)])).resolves.toMatchObject({
      issuerMsp: 'EducationMSP',
      status: 'ISSUED',
    });
    await expect(
      errorCodeOf(submit(EDU_OFFICER, 'IssueCertificate', ['DIPLOMA', diploma, SUBJECT_PSEUDONYM, iso(365 * DAY)])),
    ).resolves.toBe('CERTIFICATE_EXISTS');
    await expect(evaluate(FIN_OFFICER, 'VerifyCertificate', [diploma])).resolves.toMatchObject({
      status: 'VALID',
      type: 'DIPLOMA',
      issuerMsp: 'EducationMSP',
    });
    await expect(evaluate(FIN_OFFICER, 'VerifyCertificate', [sha(`never-${RUN}`)])).resolves.toMatchObject({ status: 'UNKNOWN' });
  });

  it('lets only the issuer revoke', async () => {
    await expect(errorCodeOf(submit(JUS_APPROVER, 'RevokeCertificate', [diploma, 'FRAUD']))).resolves.toBe('FORBIDDEN');
    await expect(submit(EDU_APPROVER, 'RevokeCertificate', [diploma, 'ISSUED_IN_ERROR'])).resolves.toMatchObject({ status: 'REVOKED' });
    await expect(evaluate(JUS_OFFICER, 'VerifyCertificate', [diploma])).resolves.toMatchObject({ status: 'REVOKED', issuerMsp: 'EducationMSP' });
  });

  it('reports EXPIRED after notAfter', async () => {
    const clearance = sha(`clearance-${RUN}`);
    // The same citizen's second certificate carries a pseudonym of its own (docs/security.md: one per certificate).
    await expect(
      errorCodeOf(submit(FIN_OFFICER, 'IssueCertificate', ['TAX_CLEARANCE', clearance, SUBJECT_PSEUDONYM, iso(4_000)])),
    ).resolves.toBe('PSEUDONYM_REUSED');
    await submit(FIN_OFFICER, 'IssueCertificate', ['TAX_CLEARANCE', clearance, sha(`${CITIZEN_SALT}:${CITIZEN_NATIONAL_ID}:${clearance}`), iso(4_000)]);
    const verified = await eventually(
      () => evaluate<{ status: string }>(EDU_OFFICER, 'VerifyCertificate', [clearance]),
      (result) => result.status !== 'VALID',
      'the tax clearance',
    );
    expect(verified).toMatchObject({ status: 'EXPIRED', type: 'TAX_CLEARANCE' });
  });
});

describe('citizen privacy on the ledger (runs last)', () => {
  interface Write {
    key: string;
    value: string;
  }

  /** Every public write to the govshare namespace, and the raw bytes of every block, from block 0 to the last one this suite wrote. */
  async function walkLedger(qscc: Contract): Promise<{ writes: Write[]; privateWrites: number; rawBlocks: Buffer[] }> {
    const writes: Write[] = [];
    const rawBlocks: Buffer[] = [];
    let privateWrites = 0;
    for (let number = 0n; number <= lastBlock; number += 1n) {
      const bytes = await qscc.evaluateTransaction('GetBlockByNumber', CHANNEL, number.toString());
      rawBlocks.push(Buffer.from(bytes));
      const block = common.Block.deserializeBinary(bytes);
      for (const envelopeBytes of block.getData()?.getDataList_asU8() ?? []) {
        const payload = common.Payload.deserializeBinary(common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8());
        const header = common.ChannelHeader.deserializeBinary(payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array());
        if (header.getType() !== common.HeaderType.ENDORSER_TRANSACTION) continue;
        const transaction = peer.Transaction.deserializeBinary(payload.getData_asU8());
        for (const action of transaction.getActionsList()) {
          const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(action.getPayload_asU8());
          const responsePayload = peer.ProposalResponsePayload.deserializeBinary(
            actionPayload.getAction()?.getProposalResponsePayload_asU8() ?? new Uint8Array(),
          );
          const chaincodeAction = peer.ChaincodeAction.deserializeBinary(responsePayload.getExtension_asU8());
          const rwset = ledger.rwset.TxReadWriteSet.deserializeBinary(chaincodeAction.getResults_asU8());
          for (const ns of rwset.getNsRwsetList()) {
            if (ns.getNamespace() !== CHAINCODE) continue;
            const kv = ledger.rwset.kvrwset.KVRWSet.deserializeBinary(ns.getRwset_asU8());
            for (const write of kv.getWritesList()) {
              writes.push({ key: write.getKey(), value: Buffer.from(write.getValue_asU8()).toString('utf8') });
            }
            privateWrites += ns.getCollectionHashedRwsetList().length;
          }
        }
      }
    }
    return { writes, privateWrites, rawBlocks };
  }

  it('holds no personal data in clear: only hashes and pseudonyms of the citizens involved', async () => {
    const { writes, privateWrites, rawBlocks } = await walkLedger(as(...AUDITOR).network.getContract('qscc'));
    const ours = writes.filter((write) => write.key.includes(RUN) || write.value.includes(RUN) || write.value.includes(SUBJECT_PSEUDONYM));
    expect(ours.length).toBeGreaterThan(10);
    expect(privateWrites).toBeGreaterThan(0);

    // The planted identifiers never reach a block (transient data is stripped; private data is hashed).
    for (const secret of [CITIZEN_NATIONAL_ID, CASE_REFERENCE, 'Jane-Roe', CITIZEN_SALT, DETAILS_SALT]) {
      expect(rawBlocks.some((raw) => raw.includes(Buffer.from(secret)))).toBe(false);
    }
    // The citizen appears only as the salted pseudonym, and the case only as the hash of the private details.
    expect(writes.some((write) => write.value.includes(SUBJECT_PSEUDONYM))).toBe(true);
    const detailsHash = sha(DETAILS);
    expect(writes.some((write) => write.value.includes(`"privateDetailsSha256":"${detailsHash}"`))).toBe(true);

    // Digests and transaction timestamps are not personal data; blank them before looking for patterns.
    const scrub = (text: string): string =>
      text.replace(/[0-9a-f]{64}/g, '<sha256>').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, '<instant>');
    // Generic identifiers of a person: e-mail addresses, phone numbers, dates of birth in free text.
    const personal = [/[\w.+-]+@[\w-]+\.[\w.]+/, /\+?\d[\d ()-]{8,}\d/, /\b(19|20)\d\d-\d\d-\d\d\b(?!T)/];
    for (const write of ours) {
      for (const pattern of personal) {
        expect({ key: write.key, match: pattern.exec(scrub(write.value))?.[0] }).toEqual({
          key: write.key,
          match: undefined,
        });
      }
    }
  });
});
