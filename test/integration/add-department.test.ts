/**
 * scripts/add-department.sh: a fifth department ("health") joins the running channel through a real
 * configuration update, and in BFT mode its orderer becomes the fifth consenter through a second one. Adding an org changes the network for good (the channel configuration keeps
 * HealthMSP), so this suite only runs when asked (GOVSHARE_TEST_ADD_DEPARTMENT=1) or when the network
 * already has the department; otherwise it is skipped.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { common } from '@hyperledger/fabric-protos';
import { connectAs, decode, evaluateOnPeer, type FabricSession } from './support/fabric';
import { addedDepartments, CHANNEL, consensusMode, consenterDepartments, DEPARTMENTS, gatewaysFile, mspIdOf, REPO_ROOT } from './support/network';
import { step } from './support/steps';
import path from 'node:path';

const NAME = 'health';
const enabled = process.env.GOVSHARE_TEST_ADD_DEPARTMENT === '1' || addedDepartments().includes(NAME);
const describeIfEnabled = enabled ? describe : describe.skip;

describeIfEnabled(`add-department.sh ${NAME}`, () => {
  const sessions: FabricSession[] = [];
  const session = (department: string, role: 'officer' | 'admin'): FabricSession => {
    const created = connectAs(department, role);
    sessions.push(created);
    return created;
  };

  afterAll(() => {
    for (const opened of sessions) opened.close();
  });

  // A second chaincode committed before the department joins (the benchmarks' noop): an org that joins
  // later has approved none of it, and deploy-chaincode.sh must make up for that (issue 18).
  const noop = ['--name', 'benchnoop', '--source', path.join(REPO_ROOT, 'bench', 'noop-chaincode')];
  const deployNoop = (): { status: number | null; output: string } => {
    const run = spawnSync(path.join(REPO_ROOT, 'scripts', 'deploy-chaincode.sh'), noop, { encoding: 'utf8', timeout: 600_000 });
    return { status: run.status, output: `${run.stdout}${run.stderr}` };
  };
  beforeAll(() => {
    const deployed = deployNoop();
    expect(deployed.status).toBe(0);
  });

  /** add-department.sh, run once by the first test that needs the department (every test here does). */
  const added = step(`add-department.sh ${NAME}`, () => {
    const result = spawnSync(path.join(REPO_ROOT, 'scripts', 'add-department.sh'), [NAME], { encoding: 'utf8', timeout: 600_000 });
    return Promise.resolve({ status: result.status, output: `${result.stdout}${result.stderr}` });
  });
  /** The department, once add-department.sh has added it. */
  const joined = async (): Promise<void> => {
    const result = await added();
    if (result.status !== 0) throw new Error(`add-department.sh ${NAME} failed: ${result.output}`);
  };

  test('adds the department (a second run finds everything done)', async () => {
    const result = await added();

    expect(result.output).toContain(`department ${NAME} (HealthMSP) added to ${CHANNEL}`);
    expect(result.status).toBe(0);
    expect(addedDepartments()).toContain(NAME);
  });

  const heightOn = async (department: string): Promise<bigint> => {
    const proposal = session(NAME, 'admin').network.getContract('qscc').newProposal('GetChainInfo', { arguments: [CHANNEL], endorsingOrganizations: [mspIdOf(department)] });
    return BigInt(common.BlockchainInfo.deserializeBinary(await proposal.evaluate()).getHeight());
  };
  /**
   * A submit returns once the submitter's peer has committed; the next department's transaction is
   * endorsed on other peers too, so it waits until every peer (Health's included) has that block.
   */
  const everyPeerAt = async (block: bigint): Promise<void> => {
    for (const department of [...DEPARTMENTS, NAME]) {
      for (let attempt = 0; (await heightOn(department)) <= block; attempt += 1) {
        if (attempt > 100) throw new Error(`the ${department} peer did not reach block ${block.toString()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  };

  test('its peer has the channel at the others’ height and serves the chaincode', async () => {
    await joined();
    const admin = session(NAME, 'admin');
    const own = await heightOn(NAME);
    expect(own).toBeGreaterThan(1n);
    for (const department of DEPARTMENTS) expect(await heightOn(department)).toBeLessThanOrEqual(own + 2n);
    const metadata = JSON.parse(await evaluateOnPeer(admin, mspIdOf(NAME), 'org.hyperledger.fabric:GetMetadata', [])) as { contracts?: unknown };
    expect(metadata.contracts).toBeDefined();
  });

  test('its peer holds the shared catalogue: a dataset registered by Education reads back on it', async () => {
    await joined();
    const id = `health-read-${Date.now().toString(36)}`;
    const fingerprint = createHash('sha256').update(id).digest('hex');
    await session('education', 'officer').contract.submitTransaction('RegisterDataset', JSON.stringify({ id, title: 'Seen by Health', description: 'Dataset read on the new department peer', classification: 'INTERNAL', fingerprint }));
    const officer = session(NAME, 'officer');
    let read: { id?: string } = {};
    for (let attempt = 0; attempt < 50 && read.id !== id; attempt += 1) {
      try {
        read = JSON.parse(await evaluateOnPeer(officer, mspIdOf(NAME), 'ReadDataset', [id])) as { id?: string };
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200)); // the block may still be on its way to this peer
      }
    }
    expect(read.id).toBe(id);
  });

  test('Health registers a dataset of its own through its own identity, like a founding department', async () => {
    await joined();
    const id = `health-own-${Date.now().toString(36)}`;
    const fingerprint = createHash('sha256').update(id).digest('hex');
    const officer = session(NAME, 'officer');
    const registered = JSON.parse(
      Buffer.from(
        await officer.contract.submitTransaction('RegisterDataset', JSON.stringify({ id, title: 'Health', description: 'Health dataset', classification: 'INTERNAL', fingerprint })),
      ).toString('utf8'),
    ) as { id?: string; ownerMsp?: string };
    expect(registered).toMatchObject({ id, ownerMsp: 'HealthMSP' });
    const read = JSON.parse(await evaluateOnPeer(officer, mspIdOf(NAME), 'ReadDataset', [id])) as { ownerMsp?: string };
    expect(read.ownerMsp).toBe('HealthMSP');
  });

  test('deploy-chaincode.sh on the grown network approves the earlier chaincode for Health, whose peer then runs it', async () => {
    await joined();
    const deployed = deployNoop();
    expect(deployed.status).toBe(0);
    expect(deployed.output).toMatch(/already the committed definition/);

    // Health's peer endorses a Put of the noop chaincode alone (its approval lets the peer launch
    // it), and the transaction commits under the channel's MAJORITY policy with the others'.
    const officer = session(NAME, 'officer');
    const noopContract = officer.network.getContract('benchnoop');
    const key = `health-noop-${Date.now().toString(36)}`;
    const onHealth = noopContract.newProposal('Put', { arguments: [key, 'v1'], endorsingOrganizations: [mspIdOf(NAME)] });
    expect(decode(await onHealth.evaluate())).toBe('v1');
    // submitTransaction returns once Health's own peer (the session's) has committed it.
    await noopContract.submitTransaction('Put', key, 'v2');
    const stored = decode(await noopContract.newProposal('Get', { arguments: [key], endorsingOrganizations: [mspIdOf(NAME)] }).evaluate());
    expect(stored).toBe('v2');
  });

  test('the supervisor gives Health the right to issue transcripts: configuration, no new code', async () => {
    await joined();
    const documentSha256 = createHash('sha256').update(`health-transcript-${Date.now().toString(36)}`).digest('hex');
    const issueArgs = ['TRANSCRIPT', documentSha256, documentSha256, '2030-01-01T00:00:00.000Z'];
    const officer = session(NAME, 'officer');
    const refusal = await officer.contract.submitTransaction('IssueCertificate', ...issueArgs).then(
      () => '',
      (error: unknown) => [(error as Error).message, ...((error as { details?: { message?: string }[] }).details ?? []).map((d) => d.message ?? '')].join(' | '),
    );
    expect(refusal).toMatch(/FORBIDDEN: TRANSCRIPT certificates are issued by EducationMSP, not HealthMSP/);

    // Only the supervisor's admin changes the roles; a department's admin is refused.
    const config = JSON.parse(decode(await session('audit', 'admin').contract.evaluateTransaction('ReadOrgConfig'))) as {
      supervisorMsp: string;
      certificateIssuers: Record<string, string[]>;
    };
    const next = {
      supervisorMsp: config.supervisorMsp,
      certificateIssuers: { ...config.certificateIssuers, TRANSCRIPT: [...(config.certificateIssuers.TRANSCRIPT ?? []), 'HealthMSP'] },
    };
    await expect(session('education', 'admin').contract.submitTransaction('SetOrgConfig', JSON.stringify(next))).rejects.toThrow();
    const setConfig = await session('audit', 'admin').contract.submitAsync('SetOrgConfig', { arguments: [JSON.stringify(next)] });
    const written = JSON.parse(decode(setConfig.getResult())) as {
      certificateIssuers: Record<string, string[]>;
      updated: { actor: { mspId: string } } | null;
    };
    const configStatus = await setConfig.getStatus();
    expect(configStatus.successful).toBe(true);
    await everyPeerAt(configStatus.blockNumber);
    expect(written.certificateIssuers.TRANSCRIPT).toEqual(['EducationMSP', 'HealthMSP']);
    expect(written.updated?.actor.mspId).toBe('AuditMSP');

    const issued = JSON.parse(decode(await officer.contract.submitTransaction('IssueCertificate', ...issueArgs))) as { issuerMsp?: string; type?: string };
    expect(issued).toMatchObject({ issuerMsp: 'HealthMSP', type: 'TRANSCRIPT' });
    const verified = JSON.parse(await evaluateOnPeer(officer, mspIdOf(NAME), 'VerifyCertificate', [documentSha256])) as { status?: string };
    expect(verified.status).toBe('VALID');
  });

  test('Health runs its own gateway: it registers a dataset over HTTP and Education requests access to it', async () => {
    await joined();
    const gateway = (gatewaysFile() as Readonly<Record<string, { url: string; tokens: Record<string, string> }>>)[NAME];
    expect(gateway).toBeDefined();
    const id = `health-shared-${Date.now().toString(36)}`;
    const response = await fetch(`${gateway?.url ?? ''}/api/v1/datasets`, {
      method: 'POST',
      headers: { authorization: `Bearer ${gateway?.tokens.officer ?? ''}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id,
        title: 'Vaccination coverage by region',
        description: 'Share of vaccinated residents per region and year',
        classification: 'INTERNAL',
        fingerprint: createHash('sha256').update(id).digest('hex'),
        fields: [
          { name: 'region', type: 'CODE', sensitivity: 'NONE' },
          { name: 'coverage', type: 'DECIMAL', sensitivity: 'NONE' },
        ],
      }),
    });
    expect(response.status).toBe(201);
    const registered = (await response.json()) as { blockNumber?: string };
    expect(registered).toMatchObject({ id, ownerMsp: 'HealthMSP', blockNumber: expect.stringMatching(/^\d+$/) as unknown });
    await everyPeerAt(BigInt(registered.blockNumber ?? '0'));

    const request = {
      datasetId: id,
      purpose: { code: 'POLICY_EVALUATION', text: 'Compare school absence with vaccination coverage' },
      legalBasis: 'Education Act, statistics provision',
      fields: ['region'],
      notBefore: '2026-01-01T00:00:00Z',
      notAfter: '2030-01-01T00:00:00Z',
    };
    const grant = JSON.parse(
      Buffer.from(await session('education', 'officer').contract.submitTransaction('RequestAccess', JSON.stringify(request))).toString('utf8'),
    ) as { status?: string; requesterMsp?: string; datasetId?: string };
    expect(grant).toMatchObject({ status: 'PENDING', requesterMsp: 'EducationMSP', datasetId: id });
  });

  const bft = consensusMode() === 'bft';
  (bft ? test : test.skip)('BFT: its orderer is the fifth consenter; every block since is signed by 4 of the 5, the change followed by the verifier', async () => {
    await joined();
    expect(consenterDepartments()).toContain(NAME);
    // The transactions of the tests above were ordered by the grown set; the verifier checks each block
    // against the consenters in force at it: 3 of 4 before the update, 4 of 5 after.
    const verify = spawnSync(path.join(REPO_ROOT, 'scripts', 'verify-ledger.sh'), ['audit', '--no-audit'], { encoding: 'utf8', timeout: 300_000 });
    const output = `${verify.stdout}${verify.stderr}`;
    expect(output).toMatch(/ordering: SmartBFT, 5 consenters \(1 EducationMSP, 2 FinanceMSP, 3 JusticeMSP, 4 AuditMSP, 5 HealthMSP\); every block needs valid signatures of 4 of them; the consenter set changed in 1 configuration block/);
    expect(output).toContain('VERDICT: INTACT');
    expect(verify.status).toBe(0);

    const status = spawnSync(path.join(REPO_ROOT, 'scripts', 'network.sh'), ['status'], { encoding: 'utf8', timeout: 120_000 });
    expect(status.stdout).toContain('Ordering: SmartBFT, 5 consenters (f = 1, quorum 4)');
    expect(status.stdout).toMatch(/^orderer0\.health\s+5\s+HealthMSP\s+\d+\s+orderer0\.\w+$/m);
    expect(status.stdout).toMatch(/BFT leader of govchannel: orderer0\.\w+ \(view \d+, seen by 5 of 5 consenters\)/);
  });
});
