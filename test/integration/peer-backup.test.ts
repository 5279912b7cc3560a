/**
 * scripts/peer-backup.sh and scripts/peer-restore.sh on the live network: back up the Justice peer,
 * write newer transactions, restore the backup; the peer catches up to the others' height and serves
 * the data written after the backup.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { common } from '@hyperledger/fabric-protos';
import { connectAs, evaluateOnPeer, type FabricSession } from './support/fabric';
import { CHANNEL, DEPARTMENTS, mspIdOf, REPO_ROOT, type Department } from './support/network';

const RUN = Date.now().toString(36);
const work = mkdtempSync(path.join(tmpdir(), 'govshare-backup-'));
const backup = path.join(work, 'justice');

function script(name: string, ...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(path.join(REPO_ROOT, 'scripts', name), args, { encoding: 'utf8', timeout: 400_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

let officer: FabricSession;

async function heightOf(department: Department): Promise<bigint> {
  const proposal = officer.network.getContract('qscc').newProposal('GetChainInfo', { arguments: [CHANNEL], endorsingOrganizations: [mspIdOf(department)] });
  return BigInt(common.BlockchainInfo.deserializeBinary(await proposal.evaluate()).getHeight());
}

/**
 * Heights of every department's peer, read through Education's peer. Right after a restart, gossip may still list
 * the restarted peer's previous incarnation (discovery looked complete), then expire it and take up to one alive
 * interval (5 s) to admit the new one: Education's peer then answers "no peers available" (a client's 503). Those
 * answers are retried for up to 30 s; any other error fails at once.
 */
async function heightsOnceRoutable(): Promise<bigint[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await Promise.all(DEPARTMENTS.map(heightOf));
    } catch (err) {
      if (Date.now() > deadline || !(err instanceof Error && /no peers available/.test(err.message))) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function register(id: string): Promise<void> {
  const fingerprint = createHash('sha256').update(id).digest('hex');
  await officer.contract.submitTransaction('RegisterDataset', JSON.stringify({ id, title: 'Backup check', description: 'Dataset for the backup test', classification: 'INTERNAL', fingerprint }));
}

beforeAll(() => {
  officer = connectAs('education', 'officer');
});

afterAll(() => {
  officer.close();
  rmSync(work, { recursive: true, force: true });
});

test('a restored peer catches up with the others and serves the data written after its backup', async () => {
  await register(`before-backup-${RUN}`);
  const backedUp = script('peer-backup.sh', 'justice', backup);
  expect(backedUp.output).toContain('backup of peer0.justice complete');
  expect(backedUp.status).toBe(0);

  const newer = `after-backup-${RUN}`;
  await register(newer);
  await register(`${newer}-2`);

  const restored = script('peer-restore.sh', 'justice', backup);
  expect(restored.output).toMatch(/peer0\.justice caught up: height \d+/);
  expect(restored.status).toBe(0);

  const heights = await heightsOnceRoutable();
  const justice = heights[DEPARTMENTS.indexOf('justice')];
  expect(heights.every((height) => height === justice)).toBe(true);
  const dataset = JSON.parse(await evaluateOnPeer(officer, mspIdOf('justice'), 'ReadDataset', [`${newer}-2`])) as { id: string };
  expect(dataset.id).toBe(`${newer}-2`);
});

test('restoring refuses a directory that is not a backup of that peer', () => {
  const wrong = script('peer-restore.sh', 'finance', backup);
  expect(wrong.output).toContain('is not a backup of peer0.finance');
  expect(wrong.status).not.toBe(0);
});
