/**
 * The port layout of scripts/lib/env.sh, grown to its limit: every port of every node of the founding
 * departments and of departments added up to MAX_ORG_INDEX is distinct, in both ordering modes; and
 * add-department.sh refuses the department after that, before it touches anything, because its
 * orderer would take another department's peer port.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

let state: string;
beforeEach(() => {
  state = mkdtempSync(path.join(tmpdir(), 'govshare-ports-'));
});
afterEach(() => {
  rmSync(state, { recursive: true, force: true });
});

function bash(script: string, env: Record<string, string> = {}): { status: number | null; stdout: string; output: string } {
  const run = spawnSync('bash', ['-c', script], {
    encoding: 'utf8',
    env: { ...process.env, GOVSHARE_STATE: state, GOVSHARE_PORT_BASE: '7000', GOVSHARE_GATEWAY_PORT_BASE: '3000', ...env },
  });
  return { status: run.status, stdout: run.stdout, output: `${run.stdout}${run.stderr}` };
}

/** The network's limit, as env.sh states it. */
function maxOrgIndex(): number {
  return Number(bash(`source "${root}/scripts/lib/env.sh"; printf %s "$MAX_ORG_INDEX"`).stdout);
}

/** Registers departments dep5, dep6, … until the network has `count` departments (4 founding ones included). */
function growTo(count: number): string[] {
  const added = Array.from({ length: count - 4 }, (_, i) => `dep${String(i + 5)}`);
  writeFileSync(path.join(state, 'departments'), added.map((name) => `${name}\n`).join(''));
  return added;
}

/** Every listening port of the network in `consensus` mode, as `port node` lines. */
function ports(consensus: 'bft' | 'raft'): { port: number; node: string }[] {
  writeFileSync(path.join(state, 'consensus'), `${consensus}\n`);
  const listed = bash(`
    set -e
    source "${root}/scripts/lib/env.sh"
    echo "$(ca_port orderer) ca.orderer"; echo "$(ca_ops_port orderer) ca.orderer:ops"
    for org in "\${PEER_ORGS[@]}"; do
      echo "$(ca_port "$org") ca.$org"; echo "$(ca_ops_port "$org") ca.$org:ops"
      echo "$(peer_port "$org") peer0.$org"; echo "$(peer_chaincode_port "$org") peer0.$org:chaincode"; echo "$(peer_ops_port "$org") peer0.$org:ops"
      echo "$(gateway_port "$org") gateway.$org"; echo "$(data_exchange_port "$org") gateway.$org:exchange"; echo "$(gateway_ops_port "$org") gateway.$org:ops"
    done
    if [[ "$GOVSHARE_CONSENSUS" == bft ]]; then orderers=(); for org in "\${PEER_ORGS[@]}"; do orderers+=("orderer0.$org"); done; else orderers=(orderer1 orderer2 orderer3); fi
    for node in "\${orderers[@]}"; do
      echo "$(orderer_port "$node") $node"; echo "$(orderer_admin_port "$node") $node:admin"; echo "$(orderer_ops_port "$node") $node:ops"
    done
  `);
  expect(listed.status).toBe(0);
  return listed.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const [port = '', node = ''] = line.split(' ');
      return { port: Number(port), node };
    });
}

/** Ports listed for more than one node, with the nodes that share them. */
function clashes(listed: readonly { port: number; node: string }[]): string[] {
  const owners = new Map<number, string[]>();
  for (const { port, node } of listed) owners.set(port, [...(owners.get(port) ?? []), node]);
  return [...owners].filter(([, nodes]) => nodes.length > 1).map(([port, nodes]) => `${String(port)}: ${nodes.join(', ')}`);
}

describe('the port layout', () => {
  it('gives every node of a network grown to its limit its own ports, in BFT and in Raft mode', () => {
    const limit = maxOrgIndex();
    expect(limit).toBeGreaterThanOrEqual(5);
    growTo(limit);
    for (const mode of ['bft', 'raft'] as const) {
      const listed = ports(mode);
      expect(listed.some(({ node }) => node === `peer0.dep${String(limit)}`)).toBe(true);
      expect(listed.every(({ port }) => Number.isInteger(port) && port > 0 && port < 65_536)).toBe(true);
      expect(clashes(listed)).toEqual([]);
    }
  });

  it('would clash one department later: the limit is where it is for a reason', () => {
    growTo(maxOrgIndex() + 1);
    expect(clashes(ports('bft'))).not.toEqual([]);
  });

  it('add-department.sh refuses the department past the limit, names the limit, and registers nothing', () => {
    const added = growTo(maxOrgIndex());
    const before = readFileSync(path.join(state, 'departments'), 'utf8');
    const run = bash(`bash "${root}/scripts/add-department.sh" onemore`);
    expect(run.status).not.toBe(0);
    expect(run.output).toContain(`already has ${String(maxOrgIndex())} departments`);
    expect(run.output).toContain('MAX_ORG_INDEX');
    expect(readFileSync(path.join(state, 'departments'), 'utf8')).toBe(before);
    // A department already registered may still re-run add-department.sh (it finishes an interrupted join):
    // it gets past the limit check and stops only at the next one, on this empty state.
    const rerun = bash(`bash "${root}/scripts/add-department.sh" ${added.at(-1) ?? ''}`);
    expect(rerun.status).not.toBe(0);
    expect(rerun.output).toContain('the network is not set up');
  });
});
