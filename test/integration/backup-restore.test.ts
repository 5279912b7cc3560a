/**
 * Issue 18 — a whole department destroyed and rebuilt from its archive while the others keep running.
 * Finance owns datasets with payloads and has grants to and from Education, and a user enrolled at run
 * time; `scripts/backup.sh finance` archives it (encrypted: no key or token readable in the archive);
 * then, after the archive, Finance uploads a new content version of one dataset and registers another
 * (the archive is stale). Finance's daemons are SIGKILLed and its whole part of the state directory is
 * deleted; a wrong key file cannot restore it; `scripts/restore.sh finance` rebuilds it. Then: its peer
 * caught up (it serves the dataset registered after the archive), stored payloads verify against their
 * on-chain fingerprints, those uploaded after the archive are reported missing by name and answered
 * 404 (never an older version), its users' tokens work (the enrolled user's too), and grants to and
 * from Finance deliver data again.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { api } from './support/http';
import { apiAfterPropagation, closePeerSessions } from './support/propagation';
import { consensusMode, gatewaysFile, ordererOf, REPO_ROOT, STATE_DIR } from './support/network';
import { answered, step } from './support/steps';

const execFileAsync = promisify(execFile);
const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const sha256 = (bytes: string | Buffer): string => createHash('sha256').update(bytes).digest('hex');
const ORG = 'finance';

const scratch = mkdtempSync(path.join(tmpdir(), 'govshare-backup-test-'));
function keyFile(name: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, `${randomUUID()}${randomUUID()}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}
const KEY = keyFile('backup.key');

async function run(script: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ code: number; output: string; seconds: number }> {
  const started = performance.now();
  try {
    const { stdout, stderr } = await execFileAsync('bash', [path.join(REPO_ROOT, 'scripts', script), ...args], {
      env: { ...process.env, ...env },
      timeout: 600_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return { code: 0, output: `${stdout}${stderr}`, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    const failure = err as { code?: number; stdout?: string; stderr?: string };
    return { code: failure.code ?? 1, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}`, seconds: (performance.now() - started) / 1000 };
  }
}

const fields = [
  { name: 'region', type: 'CODE', sensitivity: 'NONE' },
  { name: 'amount', type: 'INTEGER', sensitivity: 'NONE' },
];
const recordsOf = (seed: number) => [
  { region: 'R-1', amount: seed },
  { region: 'R-2', amount: seed * 2 },
];
/** The fingerprint the gateway commits for an upload: SHA-256 of the records as JSON with sorted keys. */
const fingerprintOf = (records: ReturnType<typeof recordsOf>): string => sha256(JSON.stringify(records.map((r) => ({ amount: r.amount, region: r.region }))));

/*
 * The setup's writes wait until every peer has their block (apiAfterPropagation): another department acts on each
 * next, and its peer must already hold what it acts on (a CI run got 404 GRANT_NOT_FOUND approving a request that
 * the owner's peer had not yet committed).
 */
async function registerWithData(department: 'finance' | 'education', id: string, seed: number): Promise<void> {
  const registered = await apiAfterPropagation(department, 'POST', '/api/v1/datasets', {
    body: { id, title: `Dataset ${id}`, description: 'Backup and restore test data', classification: 'INTERNAL', fingerprint: '0'.repeat(64), fields },
  });
  expect(registered.status).toBe(201);
  const uploaded = await apiAfterPropagation(department, 'PUT', `/api/v1/datasets/${id}/data`, { body: recordsOf(seed) });
  expect(uploaded.status).toBe(200);
}

async function grant(requester: 'finance' | 'education', owner: 'finance' | 'education', datasetId: string): Promise<void> {
  const requested = await apiAfterPropagation(requester, 'POST', '/api/v1/grants', {
    body: {
      datasetId,
      purpose: { code: 'POLICY_EVALUATION', text: 'Budget against pupil numbers' },
      legalBasis: 'Public Finance Act s.7',
      fields: ['region', 'amount'],
      notBefore: new Date(Date.now() - 60_000).toISOString(),
      notAfter: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    },
  });
  expect(requested.status).toBe(201);
  const approved = await apiAfterPropagation(owner, 'POST', `/api/v1/grants/${String(requested.body.id)}/approve`, { role: 'approver', body: {} });
  expect(approved.status).toBe(200);
}

/** The org's part of the state directory, as scripts/lib/backup.sh names it. */
function orgPaths(): string[] {
  const named = [`orgs/${ORG}`, `ca/${ORG}`, `data/${ORG}`, `wallets/${ORG}`, `gateways/${ORG}.json`];
  const nodes = readdirSync(path.join(STATE_DIR, 'nodes'))
    .filter((name) => name.endsWith(`.${ORG}`))
    .map((name) => `nodes/${name}`);
  return [...named, ...nodes].filter((p) => existsSync(path.join(STATE_DIR, p)));
}

const ids = {
  kept: `fin-kept-${runId}`,
  reuploaded: `fin-reuploaded-${runId}`,
  afterArchive: `fin-after-archive-${runId}`,
  education: `edu-shared-${runId}`,
};
afterAll(() => {
  closePeerSessions();
  rmSync(scratch, { recursive: true, force: true });
});

// --- the procedure's steps, each run once, when the first test that needs it asks (support/steps.ts) -----------

/** Finance has data, grants both ways and a user enrolled at run time; backup.sh archives it. */
const archived = step(`${ORG} gets data, grants and a run-time user, and backup.sh archives it`, async () => {
  await registerWithData(ORG, ids.kept, 10);
  await registerWithData(ORG, ids.reuploaded, 20);
  await registerWithData('education', ids.education, 30);
  await grant('education', ORG, ids.kept);
  await grant(ORG, 'education', ids.education);
  const enrolled = answered(
    await api(ORG, 'POST', '/api/v1/admin/users', { role: 'admin', body: { id: `auditor-${runId}`.toLowerCase(), role: 'auditor' } }),
    201,
    'enrolling a user',
  );
  const archive = path.join(scratch, `${ORG}.gsbackup`);
  const backup = await run('backup.sh', [ORG, archive], { GOVSHARE_BACKUP_KEY_FILE: KEY });
  process.stdout.write(`backup.sh ${ORG}: ${backup.seconds.toFixed(1)} s\n`);
  const afterBackup = await api(ORG, 'GET', `/api/v1/datasets/${ids.kept}/data`);
  return { enrolledToken: String(enrolled.body.token), archive, backup, afterBackup };
});

/** After the archive, one dataset gets new content and another is registered: the archive is stale. */
const staled = step('Finance changes its data after the archive', async () => {
  await archived();
  const reupload = await api(ORG, 'PUT', `/api/v1/datasets/${ids.reuploaded}/data`, { body: recordsOf(21) });
  await registerWithData(ORG, ids.afterArchive, 40);
  return { reupload };
});

/** The department's whole state is destroyed, a wrong key is tried, and restore.sh rebuilds it. */
const restored = step('Finance is destroyed and restored from the stale archive', async () => {
  const { archive } = await archived();
  answered((await staled()).reupload, 200, 'uploading new content after the archive');
  // Everything the department runs goes down with its state: its gateway, its peer, its CA and, under
  // SmartBFT, its own consenter, whose ledger and WAL live in orgs/<org> too (a node left running on a
  // deleted directory would keep serving from files that no longer exist).
  await run('gateways.sh', ['kill', ORG]);
  const ownNodes = [`peer0.${ORG}`, `ca.${ORG}`, ...(consensusMode() === 'bft' ? [ordererOf(ORG).name] : [])];
  const kills = [];
  for (const node of ownNodes) kills.push({ node, code: (await run('network.sh', ['kill', node])).code });
  for (const p of orgPaths()) rmSync(path.join(STATE_DIR, p), { recursive: true, force: true });
  const leftAfterDelete = orgPaths();
  const tokensFile = path.join(STATE_DIR, 'gateways.json');
  const tokens = Object.entries(JSON.parse(readFileSync(tokensFile, 'utf8')) as Record<string, unknown>).filter(([org]) => org !== ORG);
  writeFileSync(tokensFile, JSON.stringify(Object.fromEntries(tokens), null, 2), { mode: 0o600 });

  const wrong = await run('restore.sh', [ORG, archive], { GOVSHARE_BACKUP_KEY_FILE: keyFile('wrong.key') });
  const leftAfterWrongKey = orgPaths();
  const restore = await run('restore.sh', [ORG, archive], { GOVSHARE_BACKUP_KEY_FILE: KEY });
  process.stdout.write(`restore.sh ${ORG}: ${restore.seconds.toFixed(1)} s\n${restore.output}\n`);
  return { kills, leftAfterDelete, wrong, leftAfterWrongKey, restore };
});

/** The restored department, once restore.sh said it is complete. */
const serving = async (): Promise<void> => {
  const { restore } = await restored();
  if (restore.code !== 0) throw new Error(`restore.sh failed: ${restore.output}`);
};

describe(`whole-department backup and restore (${ORG})`, () => {
  test('the department has data, grants both ways and a run-time user; backup.sh archives it encrypted', async () => {
    const { enrolledToken, archive, backup, afterBackup } = await archived();

    expect(backup.output).toContain(`backup of ${ORG} complete`);
    expect(backup.code).toBe(0);
    const bytes = readFileSync(archive);
    expect(bytes.subarray(0, 18).toString()).toBe('GOVSHARE-BACKUP-1\n');
    for (const secret of ['PRIVATE KEY', enrolledToken, gatewaysFile()[ORG].tokens.officer, 'signcerts']) {
      expect(bytes.includes(secret)).toBe(false);
    }
    expect(readFileSync(`${archive}.sha256`, 'utf8')).toContain(sha256(bytes));
    // The department serves again right after its backup.
    expect(afterBackup.status).toBe(200);
  });

  test('after the archive, a dataset gets a new content version and another is registered (the archive is stale)', async () => {
    const { reupload } = await staled();

    expect(reupload.status).toBe(200);
  });

  test("the department's whole state is destroyed; a wrong key cannot restore it; restore.sh rebuilds it", async () => {
    const { kills, leftAfterDelete, wrong, leftAfterWrongKey, restore } = await restored();

    expect(kills.every((kill) => kill.code === 0)).toBe(true);
    expect(leftAfterDelete).toEqual([]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.output).toMatch(/cannot decrypt/);
    expect(leftAfterWrongKey).toEqual([]);
    expect(restore.output).toContain(`restore of ${ORG} complete`);
    expect(restore.code).toBe(0);
    expect(restore.output).toMatch(/peer0\.finance caught up/);
    expect(restore.output).toMatch(/[1-9][0-9]* stored payloads verified against their on-chain fingerprints/);
    const missing = restore.output.split('\n').filter((line) => line.startsWith('payload missing'));
    expect(missing.some((line) => line.includes(`: ${ids.reuploaded} (content version 3`))).toBe(true);
    expect(missing.some((line) => line.includes(`: ${ids.afterArchive} (content version 2`))).toBe(true);
    expect(missing.some((line) => line.includes(ids.kept))).toBe(false);
    expect(restore.output).not.toContain('CORRUPT');
  });

  test('its peer caught up: it serves what was committed after the archive, with the current fingerprint', async () => {
    await serving();
    const after = await api(ORG, 'GET', `/api/v1/datasets/${ids.afterArchive}`);
    expect(after.status).toBe(200);
    const reuploaded = await api(ORG, 'GET', `/api/v1/datasets/${ids.reuploaded}`);
    expect(reuploaded.body).toMatchObject({ fingerprint: fingerprintOf(recordsOf(21)) });
  });

  test('stored payloads verify against their on-chain fingerprints; those uploaded after the archive answer 404, never an older version', async () => {
    await serving();
    const kept = await api(ORG, 'GET', `/api/v1/datasets/${ids.kept}/data`);
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ payloadSha256: fingerprintOf(recordsOf(10)), data: recordsOf(10) });

    for (const id of [ids.reuploaded, ids.afterArchive]) {
      const missing = await api(ORG, 'GET', `/api/v1/datasets/${id}/data`);
      expect(missing.status).toBe(404);
      expect(missing.body).toMatchObject({ code: 'PAYLOAD_NOT_AVAILABLE' });
    }
  });

  test("its users' tokens still work: the configured ones and the user enrolled at run time", async () => {
    await serving();
    const { enrolledToken } = await archived();
    expect((await api(ORG, 'GET', '/api/v1/me')).body).toMatchObject({ mspId: 'FinanceMSP', role: 'officer' });
    const enrolled = await api(ORG, 'GET', '/api/v1/me', { token: enrolledToken });
    expect(enrolled.status).toBe(200);
    expect(enrolled.body).toMatchObject({ role: 'auditor', mspId: 'FinanceMSP' });
  });

  test('grants to and from the restored department deliver', async () => {
    await serving();
    const toEducation = await api('education', 'GET', `/api/v1/datasets/${ids.kept}/data`);
    expect(toEducation.status).toBe(200);
    // With the receipt the restored Finance gateway signed with its restored gateway key (checked by Education's gateway).
    expect(toEducation.body).toMatchObject({
      payloadSha256: fingerprintOf(recordsOf(10)),
      receipt: { receipt: { datasetId: ids.kept, ownerMsp: 'FinanceMSP', requesterMsp: 'EducationMSP', payloadSha256: fingerprintOf(recordsOf(10)) } },
    });

    const fromEducation = await api(ORG, 'GET', `/api/v1/datasets/${ids.education}/data`);
    expect(fromEducation.status).toBe(200);
    expect(fromEducation.body).toMatchObject({ payloadSha256: fingerprintOf(recordsOf(30)), data: recordsOf(30) });
  });
});
