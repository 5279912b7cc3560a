/**
 * Every organisation on its own host (`scripts/network.sh up --hosts`): one network namespace per department on a
 * private bridge, nodes addressed by host name. On that network: each department's CA, orderer, peer, chaincode and
 * gateway run on its own host and listen on its address only; certificates name the hosts; the sharing story runs
 * across the hosts (the payload crosses from Justice's host to Education's over mutual TLS by host name); a host cut
 * off the network, and an orderer and a peer killed on their own hosts, leave the others going, and each catches up
 * when it is back; verify-ledger.sh verifies the ledger on a department's host. Last, add-department.sh gives a fifth
 * department a host of its own (it changes the network for good, so it runs after everything else).
 *
 * Run by scripts/test.sh on a network of its own (`npm test`), or by hand on a running multi-host network:
 *   GOVSHARE_STATE=.govshare/multi-host NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects multi-host
 */
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { canonicalJson } from 'govshare-contract';

import { api as directApi, type ApiResponse } from '../integration/support/http';
import { DEPARTMENTS, STATE_DIR, addressOf, topology, type Department } from '../integration/support/network';
import { apiAfterPropagation as api, closePeerSessions } from '../integration/support/propagation';
import { step } from '../integration/support/steps';
import { eventually, hostOf, listenersOn, namespaceOf, ordererHeight, pidOf, processesOn, reachable, script } from './hosts';

afterAll(closePeerSessions);

const portBase = Number(process.env.GOVSHARE_PORT_BASE ?? '7000');
const indexOf = (department: Department): number => DEPARTMENTS.indexOf(department) + 1;
const peerPort = (department: Department): number => portBase + 200 + 10 * indexOf(department);
const ordererOpsPort = (department: Department): number => portBase + 100 + 10 * indexOf(department) + 2;
const hostName = (node: string): string => `${node}.govshare.test`;
const addressOfOrg = (department: Department): string => addressOf(hostName(`peer0.${department}`));

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;

function registration(id: string, theme: string): Record<string, unknown> {
  return {
    id,
    title: `Multi-host dataset ${id}`,
    description: 'Registered on one host, read on the others',
    classification: 'RESTRICTED',
    fingerprint: '0'.repeat(64),
    themes: [theme],
    fields: [
      { name: 'district', type: 'CODE', sensitivity: 'NONE' },
      { name: 'year', type: 'INTEGER', sensitivity: 'NONE' },
      { name: 'cases', type: 'INTEGER', sensitivity: 'NONE' },
      { name: 'officer', type: 'STRING', sensitivity: 'PERSONAL' },
    ],
  };
}

/** Highest orderer ledger height among the given departments' orderers (from their operations endpoints). */
async function heights(departments: readonly Department[]): Promise<(number | undefined)[]> {
  return Promise.all(departments.map((d) => ordererHeight(addressOfOrg(d), ordererOpsPort(d))));
}

describe('every organisation on its own host', () => {
  beforeAll(() => {
    if (topology() !== 'hosts') throw new Error(`${STATE_DIR} is not a multi-host network: start one with scripts/network.sh up --hosts`);
  });

  test("each department's CA, orderer, peer, chaincode and gateway run in its own namespace", async () => {
    for (const department of DEPARTMENTS) {
      for (const daemon of [`ca.${department}`, `orderer0.${department}`, `peer0.${department}`, `gateway.${department}`]) {
        expect([daemon, await namespaceOf(pidOf(daemon))]).toEqual([daemon, hostOf(department)]);
      }
      // The peer launched its chaincode through the external builder: a child on the same host.
      const chaincode = (await processesOn(hostOf(department))).filter((p) => p.command.includes('fabric-shim'));
      expect(chaincode.length).toBeGreaterThanOrEqual(1);
    }
  });

  test("on each host every listener is on the host's own address: nothing is reachable over loopback", async () => {
    for (const department of DEPARTMENTS) {
      const listeners = await listenersOn(hostOf(department));
      expect(listeners.length).toBeGreaterThanOrEqual(10); // CA (+ops), orderer (+admin, ops), peer (+chaincode, ops), gateway API, ops, exchange
      expect(listeners.filter((address) => !address.startsWith(`${addressOfOrg(department)}:`))).toEqual([]);
    }
  });

  test('TLS certificates name the hosts: every node is checked against its host name', () => {
    for (const department of DEPARTMENTS) {
      const org = path.join(STATE_DIR, 'orgs', department, 'nodes');
      for (const node of [`peer0.${department}`, `orderer0.${department}`, `gateway.${department}`]) {
        const certificate = new X509Certificate(readFileSync(path.join(org, node, 'tls', 'server.crt')));
        expect(certificate.checkHost(hostName(node))).toBe(hostName(node));
        expect(certificate.checkIP(addressOfOrg(department))).toBe(addressOfOrg(department));
        // Another department's name does not pass.
        expect(certificate.checkHost(hostName(`peer0.${department === 'audit' ? 'finance' : 'audit'}`))).toBeUndefined();
      }
    }
  });

  describe('the sharing story across the hosts', () => {
    const datasetId = `multi-host-${runId}`;
    const records = [
      { district: 'NORTH-1', year: 2025, cases: 14, officer: 'Officer Alpha' },
      { district: 'SOUTH-2', year: 2025, cases: 9, officer: 'Officer Beta' },
    ];
    const granted = records.map(({ district, year, cases }) => ({ district, year, cases }));

    test('Justice registers and uploads; Education requests; Justice approves; Education fetches the granted fields; Audit sees it all', async () => {
      const registered = await api('justice', 'POST', '/api/v1/datasets', { body: registration(datasetId, 'justice') });
      expect(registered.status).toBe(201);
      const uploaded = await api('justice', 'PUT', `/api/v1/datasets/${datasetId}/data`, { body: records });
      expect(uploaded.status).toBe(200);
      expect(uploaded.body.fingerprint).toBe(createHash('sha256').update(canonicalJson(records)).digest('hex'));

      const requested = await api('education', 'POST', '/api/v1/grants', {
        body: {
          datasetId,
          purpose: { code: 'POLICY_EVALUATION', text: 'Evaluate the programme by district' },
          legalBasis: 'Education Act s.42',
          fields: ['district', 'year', 'cases'],
          notBefore: new Date(Date.now() - 60_000).toISOString(),
          notAfter: new Date(Date.now() + 86_400_000).toISOString(),
        },
      });
      expect(requested.status).toBe(201);
      const grantId = String(requested.body.id);

      const approved = await api('justice', 'POST', `/api/v1/grants/${grantId}/approve`, { role: 'approver' });
      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ status: 'APPROVED', active: true });

      // Education's gateway fetches from Justice's, host to host: https://gateway.justice.govshare.test, mutual TLS.
      const fetched = await api('education', 'GET', `/api/v1/datasets/${datasetId}/data`);
      expect(fetched.status).toBe(200);
      // Justice's gateway recorded the delivery before release and signed the receipt that came across the hosts.
      expect(fetched.body).toMatchObject({
        datasetId,
        grantId,
        data: granted,
        receipt: { receipt: { grantId, datasetId, ownerMsp: 'JusticeMSP', requesterMsp: 'EducationMSP' } },
      });
      expect(JSON.stringify(fetched.body)).not.toContain('Officer Alpha');

      const trail = await api('audit', 'GET', `/api/v1/audit?dataset=${datasetId}&limit=100`, { role: 'auditor' });
      expect(trail.status).toBe(200);
      expect((trail.body.items as { type: string; actorMsp: string }[]).map((r) => [r.type, r.actorMsp])).toEqual([
        ['DATASET_REGISTERED', 'JusticeMSP'],
        ['DATASET_UPDATED', 'JusticeMSP'],
        ['ACCESS_REQUESTED', 'EducationMSP'],
        ['ACCESS_APPROVED', 'JusticeMSP'],
        ['DATA_ACCESSED', 'JusticeMSP'],
      ]);
    });
  });

  describe('faults across hosts', () => {
    /**
     * A write on one host that the others must see, registered through `department`'s gateway as a careful
     * department app does it: one Idempotency-Key for all attempts, retrying while the answer is 503 (not sent) or
     * 504 (outcome unknown: the retry settles the transaction already sent, never submits a second one). Until the
     * peers' gossip declares a cut-off host dead (aliveExpirationTimeout, 25 s), endorsements may still wait on it.
     * Any other answer ends the attempts. Returns the final answer and how long it took.
     */
    async function register(department: Department, id: string, timeoutMs = 120_000): Promise<{ answer: ApiResponse; ms: number }> {
      const started = Date.now();
      const headers = { 'idempotency-key': `register-${id}` };
      for (;;) {
        const answer = await directApi(department, 'POST', '/api/v1/datasets', { body: registration(id, department), headers });
        if ((answer.status !== 503 && answer.status !== 504) || Date.now() - started > timeoutMs) return { answer, ms: Date.now() - started };
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    const readable = (department: Department, id: string): Promise<ApiResponse> => directApi(department, 'GET', `/api/v1/datasets/${id}`);

    test("Justice's host cut off the network: the others go on; reconnected, its peer and orderer catch up", async () => {
      await script('network.sh', ['cut', 'justice']);
      const id = `cut-${runId}`;
      try {
        expect(await reachable(addressOfOrg('justice'), peerPort('justice'))).toBe(false);
        expect(await reachable(addressOfOrg('education'), peerPort('education'))).toBe(true);

        // 3 of 4 consenters order, 3 of 4 peers endorse (MAJORITY): Education's write commits without Justice.
        const written = await register('education', id);
        expect(written.answer.status).toBe(201);
        console.log(`[multi-host] Justice cut off: Education's first write committed after ${String(written.ms)} ms`);
        await eventually('Finance reads it', () => readable('finance', id), (r) => r.status === 200, 30_000);
        // Education's orderer answers from here, Justice's does not, as any other org's node finds it.
        await eventually("Education's orderer height", () => heights(['education']), ([e]) => e !== undefined && e > 0, 30_000);
        expect((await heights(['justice']))[0]).toBeUndefined();
      } finally {
        await script('network.sh', ['reconnect', 'justice']);
      }
      const reconnected = Date.now();
      // Justice's own peer (read through its own gateway, on its host) has the write made while it was away,
      await eventually("Justice's peer catches up", () => readable('justice', id), (r) => r.status === 200, 120_000);
      // and its orderer has replicated the blocks it missed.
      await eventually(
        "Justice's orderer catches up",
        () => heights(['education', 'justice']),
        ([e, j]) => e !== undefined && j !== undefined && j >= e,
        120_000,
      );
      console.log(`[multi-host] Justice reconnected: peer and orderer caught up in ${String(Date.now() - reconnected)} ms`);
      // Justice writes again, and everyone sees it.
      const after = `after-cut-${runId}`;
      expect((await register('justice', after)).answer.status).toBe(201);
      await eventually('Education reads it', () => readable('education', after), (r) => r.status === 200, 30_000);
    }, 600_000);

    test("Finance's orderer and Audit's peer killed on their own hosts: writes go on; restarted, both catch up", async () => {
      const id = `killed-${runId}`;
      // Starts on a whole network: every consenter at the same height (the previous test ends with a reconnect).
      await eventually(
        'every orderer level',
        () => heights(DEPARTMENTS),
        (all) => all.every((h) => h !== undefined && h === all[0]),
        120_000,
      );
      await script('network.sh', ['kill', 'orderer0.finance']);
      try {
        await script('network.sh', ['kill', 'peer0.audit']);
        try {
          const written = await register('education', id);
          // With the body, so a refusal names its code and detail.
          expect({ status: written.answer.status, body: written.answer.body }).toMatchObject({ status: 201 });
          console.log(`[multi-host] orderer0.finance and peer0.audit killed: Education's write committed after ${String(written.ms)} ms`);
          await eventually('Justice reads it', () => readable('justice', id), (r) => r.status === 200, 30_000);
        } finally {
          await script('network.sh', ['start', 'peer0.audit']);
        }
      } finally {
        await script('network.sh', ['start', 'orderer0.finance']);
      }
      const restarted = Date.now();
      await eventually("Audit's peer catches up", () => readable('audit', id), (r) => r.status === 200, 120_000);
      // A restarted SmartBFT follower (SyncOnStart: false) that missed a block fetches it when the next one is
      // proposed: the next write brings Finance's orderer level with the others.
      const next = `after-restart-${runId}`;
      expect((await register('finance', next)).answer.status).toBe(201);
      await eventually(
        "Finance's orderer catches up",
        () => heights(['education', 'finance', 'justice', 'audit']),
        (all) => all.every((h) => h !== undefined && h === all[0]),
        120_000,
      );
      console.log(`[multi-host] restarted: Audit's peer and Finance's orderer caught up in ${String(Date.now() - restarted)} ms`);
    }, 600_000);
  });

  test("verify-ledger.sh verifies the channel on Audit's host: hash chain, orderer signatures, audit trail", async () => {
    const output = await script('verify-ledger.sh', ['audit']);
    expect(output).toContain('VERDICT: INTACT');
    expect(output).toMatch(/audit trail: [1-9]\d* records visible to AuditMSP/);
  });

  test('network.sh status shows each host, its address and its link', async () => {
    const output = await script('network.sh', ['status']);
    for (const department of DEPARTMENTS) {
      expect(output).toMatch(new RegExp(`${hostOf(department)}\\s+${addressOfOrg(department).replaceAll('.', '\\.')}\\s+UP`));
    }
  });
  describe('a department added later gets a host of its own', () => {
    const NAME = 'health';
    const added = step(`add-department.sh ${NAME} on the multi-host network`, () => script('add-department.sh', [NAME], 900_000));
    const addressOfHealth = (): string => addressOf(hostName(`peer0.${NAME}`));

    test("add-department.sh gives Health its own namespace and address, names it in every host's table, and makes its orderer a consenter", async () => {
      const output = await added();
      console.log(`[multi-host] ${output.split('\n').filter((line) => line.includes(' added to ')).join('')}`);

      expect(output).toContain(`department ${NAME} (HealthMSP) added to govchannel`);
      expect(output).toMatch(/orderer0\.health is consenter 5 of govchannel: 5 consenters/);
      for (const daemon of [`ca.${NAME}`, `orderer0.${NAME}`, `peer0.${NAME}`, `gateway.${NAME}`]) {
        expect([daemon, await namespaceOf(pidOf(daemon))]).toEqual([daemon, hostOf(NAME)]);
      }
      expect(addressOfHealth()).toMatch(/^10\.231\.\d+\.\d+$/);
      expect((await listenersOn(hostOf(NAME))).filter((address) => !address.startsWith(`${addressOfHealth()}:`))).toEqual([]);
      for (const host of [...DEPARTMENTS, NAME].map(hostOf)) {
        expect([host, readFileSync(`/etc/netns/${host}/hosts`, 'utf8').includes(hostName(`peer0.${NAME}`))]).toEqual([host, true]);
      }
      const certificate = new X509Certificate(readFileSync(path.join(STATE_DIR, 'orgs', NAME, 'nodes', `peer0.${NAME}`, 'tls', 'server.crt')));
      expect(certificate.checkHost(hostName(`peer0.${NAME}`))).toBe(hostName(`peer0.${NAME}`));
    }, 900_000);

    test("Health's gateway serves by host name from its host: a dataset it registers reads back through Education's", async () => {
      await added(); // fails, with the script's output, when add-department.sh did
      const health = NAME as Department;
      const id = `multi-host-health-${runId}`;
      const registered = await api(health, 'POST', '/api/v1/datasets', { body: registration(id, 'health') });
      expect(registered.status).toBe(201);
      expect(registered.body).toMatchObject({ id, ownerMsp: 'HealthMSP' });

      const read = await eventually(
        `${id} on Education's peer`,
        () => directApi('education', 'GET', `/api/v1/datasets/${id}`),
        (response: ApiResponse) => response.status === 200,
        30_000,
      );
      expect(read.body).toMatchObject({ id, ownerMsp: 'HealthMSP' });
    }, 300_000);
  });
});
