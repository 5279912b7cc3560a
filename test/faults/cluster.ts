/**
 * The fault tests' view of the Fabric nodes: kill and restart them with the operator script, find
 * the ordering leader (SmartBFT: the leader of the view the consenters are in; Raft: the etcdraft
 * leader), read ledger heights and block headers from orderers and peers, and look up transactions
 * by id on each peer (qscc). Everything goes through the same tools an operator uses.
 */
import { GatewayError } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FabricSession } from '../integration/support/fabric';
import { isSuccess, registerDataset, WRITERS } from './load';
import {
  addressOf,
  allDepartments,
  CHANNEL,
  consensusMode,
  consenterDepartments,
  DEPARTMENTS,
  ordererOf,
  REPO_ROOT,
  STATE_DIR,
  topology,
  type Department,
} from '../integration/support/network';

const execFileAsync = promisify(execFile);

export const BFT = consensusMode() === 'bft';
/** BFT: each department's orderer0.<org>; Raft: OrdererMSP's orderer1..3. */
export const ORDERERS: readonly string[] = BFT ? consenterDepartments().map((d) => ordererOf(d).name) : ['orderer1', 'orderer2', 'orderer3'];
export type Orderer = string;
export type PeerNode = `peer0.${Department}`;
/** Any node name: an orderer or a peer0.<org>. */
export type FabricNode = string;
export const PEER_NODES: readonly PeerNode[] = DEPARTMENTS.map((d): PeerNode => `peer0.${d}`);
/** Signatures of distinct consenters a BFT block needs (Fabric's rule), or a Raft majority. */
export const ORDERING_QUORUM = BFT
  ? Math.ceil((ORDERERS.length + Math.floor((ORDERERS.length - 1) / 3) + 1) / 2)
  : Math.floor(ORDERERS.length / 2) + 1;

const portBase = Number(process.env.GOVSHARE_PORT_BASE ?? '7000');
const departmentOf = (orderer: Orderer): string => orderer.replace(/^orderer0\./, '');
const ordererPort = (orderer: Orderer): number =>
  BFT ? ordererOf(departmentOf(orderer)).port : portBase + 100 + 10 * (ORDERERS.indexOf(orderer) + 1);
const ordererOpsPort = (orderer: Orderer): number => ordererPort(orderer) + 2;
let hostsTopology: boolean | undefined;
/** Whether every organisation is on its own host (`network.sh up --hosts`), read once from the state directory. */
const onHosts = (): boolean => (hostsTopology ??= topology() === 'hosts');
/** How nodes and certificates name an orderer: 127.0.0.1, or its host name (scripts/lib/env.sh node_host). */
export const ordererHostName = (orderer: Orderer): string => (!onHosts() ? '127.0.0.1' : BFT ? `${orderer}.govshare.test` : `${orderer}.orderer.govshare.test`);
/** The address this machine reaches an orderer's listeners on (hosts mode: its host's address on the bridge). */
export const ordererAddress = (orderer: Orderer): string => (onHosts() ? addressOf(ordererHostName(orderer)) : '127.0.0.1');
/** The CA that issued the orderer's TLS certificate (its department's, or OrdererMSP's). */
const ordererCaFile = (orderer: Orderer): string => path.join(STATE_DIR, 'ca', BFT ? departmentOf(orderer) : 'orderer', 'ca-cert.pem');
/** A BFT orderer's consenter id: its department's org index. */
const consenterIdOf = (orderer: Orderer): number => allDepartments().indexOf(departmentOf(orderer)) + 1;

/** Runs one of the operator scripts (never blocking the event loop: load keeps flowing meanwhile). */
async function script(name: string, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const { stdout, stderr } = await execFileAsync('bash', [path.join(REPO_ROOT, 'scripts', name), ...args], {
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  return `${stdout}${stderr}`;
}

/** SIGKILL of the node's whole process group (a peer's chaincode processes die with it). */
export async function killNode(node: FabricNode): Promise<void> {
  await script('network.sh', ['kill', node]);
}

/** Restarts a node with its existing state and waits until it accepts connections. */
export async function startNode(node: FabricNode): Promise<void> {
  await script('network.sh', ['start', node]);
}

/** Node name → 'up' | 'down', as `network.sh status` reports it. */
export async function nodeStates(): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  // The node table ends at the first empty line; the consenter table after it has other columns.
  const output = await script('network.sh', ['status']);
  for (const line of output.slice(0, output.indexOf('\n\n') >= 0 ? output.indexOf('\n\n') : undefined).split('\n')) {
    const [name, , , state] = line.trim().split(/\s+/);
    if (name !== undefined && state !== undefined && /^(orderer|peer0\.|ca\.)/.test(name)) states.set(name, state);
  }
  return states;
}

/** An orderer's Prometheus metrics (its operations listener), or undefined when it does not answer. */
async function ordererMetrics(orderer: Orderer): Promise<string | undefined> {
  try {
    const response = await fetch(`http://${ordererAddress(orderer)}:${String(ordererOpsPort(orderer))}/metrics`, { signal: AbortSignal.timeout(2_000) });
    return response.ok ? await response.text() : undefined;
  } catch {
    return undefined;
  }
}

function channelMetric(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{channel="${CHANNEL}"} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

export interface LeaderView {
  /** The orderer that leads, as the consenters that answered see it. */
  readonly leader: Orderer;
  /** BFT: the view number (Raft: undefined). */
  readonly view?: number;
}

/**
 * The leader now: Raft, the orderers whose metrics say they lead (one, or none during an election);
 * BFT, the leader of the view that a quorum of consenters report (SmartBFT's live view_number and
 * view_leader_id gauges), none while they disagree or fewer than a quorum answer.
 */
export async function leaders(): Promise<LeaderView[]> {
  const texts = await Promise.all(ORDERERS.map(async (orderer) => ordererMetrics(orderer)));
  if (!BFT) {
    return ORDERERS.filter((_, i) => {
      const text = texts[i];
      return text !== undefined && channelMetric(text, 'consensus_etcdraft_is_leader') === 1;
    }).map((leader) => ({ leader }));
  }
  const votes = new Map<string, number>();
  for (const text of texts) {
    if (text === undefined) continue;
    const view = channelMetric(text, 'consensus_smartbft_view_number');
    const leaderId = channelMetric(text, 'consensus_smartbft_view_leader_id');
    if (view === undefined || leaderId === undefined) continue;
    const key = `${String(view)} ${String(leaderId)}`;
    votes.set(key, (votes.get(key) ?? 0) + 1);
  }
  const agreed = [...votes.entries()].find(([, count]) => count >= ORDERING_QUORUM);
  if (agreed === undefined) return [];
  const [view, leaderId] = agreed[0].split(' ').map(Number);
  const leader = ORDERERS.find((o) => consenterIdOf(o) === leaderId);
  return leader === undefined ? [] : [{ leader, view: view ?? 0 }];
}

/**
 * BFT: the (view, leader id) each consenter reports, undefined where its metrics do not answer. A
 * consenter that lags in an older view still accepts nothing the others order in the new one; the
 * peers' gateways send a BFT submit to every orderer and need a quorum of them to accept it, so with
 * one consenter down every other one has to be in step.
 */
export async function consenterViews(): Promise<Map<Orderer, string | undefined>> {
  const texts = await Promise.all(ORDERERS.map(async (orderer) => ordererMetrics(orderer)));
  return new Map(
    ORDERERS.map((orderer, i) => {
      const text = texts[i];
      const view = text === undefined ? undefined : channelMetric(text, 'consensus_smartbft_view_number');
      const leaderId = text === undefined ? undefined : channelMetric(text, 'consensus_smartbft_view_leader_id');
      return [orderer, view === undefined || leaderId === undefined ? undefined : `view ${String(view)} leader ${String(leaderId)}`];
    }),
  );
}

/** How long settle() gives a consenter with the others' blocks to reach their view before restarting it. */
const IN_STEP_GRACE_MS = 20_000;

/**
 * Waits (bounded) until every consenter reports the same view and leader and every orderer and peer the
 * same height (Raft: until the heights converge). Throws with what each one reported.
 */
export async function waitForConsentersInStep(timeoutMs: number): Promise<{ height: number; waitedMs: number }> {
  const started = Date.now();
  for (;;) {
    const views = BFT ? await consenterViews() : new Map<Orderer, string>();
    const distinct = new Set(views.values());
    const height = converged(await heights());
    if (height !== undefined && (!BFT || (distinct.size === 1 && !distinct.has(undefined)))) return { height, waitedMs: Date.now() - started };
    if (Date.now() - started > timeoutMs) {
      const seen = [...views].map(([o, v]) => `${o}: ${v ?? 'no metrics'}`).join(', ');
      throw new Error(`the consenters were not in step within ${String(timeoutMs)} ms (height ${height === undefined ? 'differs' : String(height)}; ${seen})`);
    }
    await sleep(1_000);
  }
}

/** For a report line: the consenters settle() had to restart, if any. */
export const describeRestarts = (restarted: readonly Orderer[]): string =>
  restarted.length === 0 ? '' : `; restarted ${restarted.join(', ')}, which had the blocks but stayed in an older view`;

export const describeLeader = (l: LeaderView): string => (l.view === undefined ? l.leader : `${l.leader} (view ${String(l.view)})`);

/** The one leader, waiting (bounded) while an election or a view change is under way. */
export async function waitForLeader(timeoutMs: number): Promise<Orderer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await leaders();
    if (found.length === 1 && found[0] !== undefined) return found[0].leader;
    if (Date.now() > deadline) throw new Error(`no single leader within ${timeoutMs} ms (leaders: ${found.map(describeLeader).join(',')})`);
    await sleep(250);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}

export interface BlockHeader {
  readonly number: number;
  readonly previousHash: string;
  readonly dataHash: string;
}

function headerOf(bytes: Uint8Array): BlockHeader {
  const header = common.Block.deserializeBinary(bytes).getHeader();
  if (header === undefined) throw new Error('block without header');
  return {
    number: header.getNumber(),
    previousHash: Buffer.from(header.getPreviousHash_asU8()).toString('hex'),
    dataHash: Buffer.from(header.getDataHash_asU8()).toString('hex'),
  };
}

const scratch = mkdtempSync(path.join(tmpdir(), 'govshare-faults-'));
let fetchCount = 0;

/**
 * A block ('newest' or a number) as one orderer serves it (peer CLI `channel fetch -o <that orderer>`), its TLS
 * certificate checked against its department's CA, or against `tlsCaFile` when given.
 */
export async function ordererBlock(orderer: Orderer, block: number | 'newest', tlsCaFile = ordererCaFile(orderer)): Promise<common.Block> {
  fetchCount += 1;
  const file = path.join(scratch, `${orderer}-${String(block)}-${fetchCount}.block`);
  // prettier-ignore
  await script('peer-cli.sh', ['education', 'channel', 'fetch', String(block), file, '-c', CHANNEL,
    '-o', `${ordererHostName(orderer)}:${String(ordererPort(orderer))}`, '--tls', '--cafile', tlsCaFile], 30_000);
  try {
    return common.Block.deserializeBinary(readFileSync(file));
  } finally {
    rmSync(file, { force: true });
  }
}

export async function ordererBlockHeader(orderer: Orderer, block: number | 'newest'): Promise<BlockHeader> {
  return headerOf((await ordererBlock(orderer, block)).serializeBinary());
}

/** Where a BFT orderer keeps its block files (its department's directory). */
export function ordererChainDir(orderer: Orderer): string {
  return path.join(STATE_DIR, 'orgs', departmentOf(orderer), 'nodes', orderer, 'data', 'ledger', 'chains', CHANNEL);
}

/** A BFT orderer's directory: its MSP (msp/), its TLS key and certificate (tls/) and its state (data/). */
export function ordererNodeDir(orderer: Orderer): string {
  return path.join(STATE_DIR, 'orgs', departmentOf(orderer), 'nodes', orderer);
}

/** A BFT orderer's whole state: its ledger and its SmartBFT write-ahead log. */
export function ordererDataDir(orderer: Orderer): string {
  return path.join(STATE_DIR, 'orgs', departmentOf(orderer), 'nodes', orderer, 'data');
}

/** Runs an operator script with arguments (peer-backup.sh and the like). */
export async function runScript(name: string, args: readonly string[], timeoutMs = 300_000): Promise<string> {
  return script(name, args, timeoutMs);
}

/** The orderer's block height (newest block number + 1), or undefined when it cannot serve it (or its TLS is refused). */
export async function ordererHeight(orderer: Orderer, tlsCaFile?: string): Promise<number | undefined> {
  try {
    return headerOf((await ordererBlock(orderer, 'newest', tlsCaFile)).serializeBinary()).number + 1;
  } catch {
    return undefined;
  }
}

/** The peer's block height on the channel (`peer channel getinfo` as the org's admin). */
export async function peerHeight(department: Department): Promise<number | undefined> {
  try {
    const out = await script('peer-cli.sh', [department, 'channel', 'getinfo', '-c', CHANNEL], 30_000);
    const match = /"height":(\d+)/.exec(out);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}

export interface Heights {
  readonly orderers: Readonly<Record<Orderer, number | undefined>>;
  readonly peers: Readonly<Record<Department, number | undefined>>;
}

export async function heights(): Promise<Heights> {
  const [o, p] = await Promise.all([
    Promise.all(ORDERERS.map((orderer) => ordererHeight(orderer))),
    Promise.all(DEPARTMENTS.map(peerHeight)),
  ]);
  return {
    orderers: Object.fromEntries(ORDERERS.map((orderer, i) => [orderer, o[i]])),
    peers: { education: p[0], finance: p[1], justice: p[2], audit: p[3] },
  };
}

export function converged(h: Heights): number | undefined {
  const all = [...Object.values(h.orderers), ...Object.values(h.peers)];
  const first = all[0];
  return first !== undefined && all.every((x) => x === first) ? first : undefined;
}

/** Waits (bounded) until every orderer and every peer reports the same height; returns it and the wait. */
export async function waitForConvergence(timeoutMs: number): Promise<{ height: number; waitedMs: number; last: Heights }> {
  const started = Date.now();
  for (;;) {
    const last = await heights();
    const height = converged(last);
    if (height !== undefined) return { height, waitedMs: Date.now() - started, last };
    if (Date.now() - started > timeoutMs) {
      throw new Error(`heights did not converge within ${timeoutMs} ms: ${JSON.stringify(last)}`);
    }
    await sleep(1_000);
  }
}

function errorText(err: unknown): string {
  if (err instanceof GatewayError) return [err.message, ...err.details.map((d) => d.message)].join(' | ');
  return err instanceof Error ? err.message : String(err);
}

export type TxLookup =
  | { readonly found: true; readonly validationCode: number }
  | { readonly found: false; readonly error: string };

/** The transaction as the given org's peer committed it (qscc GetTransactionByID on that peer only). */
export async function lookupTransaction(session: FabricSession, peerMsp: string, txId: string): Promise<TxLookup> {
  try {
    const bytes = await session.network
      .getContract('qscc')
      .newProposal('GetTransactionByID', { arguments: [CHANNEL, txId], endorsingOrganizations: [peerMsp] })
      .evaluate();
    return { found: true, validationCode: peer.ProcessedTransaction.deserializeBinary(bytes).getValidationcode() };
  } catch (err) {
    return { found: false, error: errorText(err) };
  }
}

/** qscc's answer for an unknown transaction id. */
export const isNotFound = (lookup: TxLookup): boolean =>
  !lookup.found && /no such transaction ID|not found/i.test(lookup.error);

/** A block as the given org's peer holds it (qscc GetBlockByNumber). */
export async function peerBlock(session: FabricSession, peerMsp: string, block: number): Promise<common.Block> {
  const bytes = await session.network
    .getContract('qscc')
    .newProposal('GetBlockByNumber', { arguments: [CHANNEL, String(block)], endorsingOrganizations: [peerMsp] })
    .evaluate();
  return common.Block.deserializeBinary(bytes);
}

/** A block header as the given org's peer holds it. */
export async function peerBlockHeader(session: FabricSession, peerMsp: string, block: number): Promise<BlockHeader> {
  return headerOf((await peerBlock(session, peerMsp, block)).serializeBinary());
}

/** Runs `work` over `items` with at most `limit` in flight. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export function cleanupScratch(): void {
  rmSync(scratch, { recursive: true, force: true });
}

/**
 * Lets the network settle after nodes were restarted: commits `rounds` probe registrations one after the
 * other, each followed by every orderer and peer reaching the same height. A restarted SmartBFT consenter
 * rejoins consensus only at the next round, and may have to sync first; seen in this suite on Fabric
 * 3.1.5: orderer0.audit, restarted (quietly) with its repaired ledger, missed the first round minutes later,
 * synced while load began, and stayed at one height for good while the chain grew (its view-change checks
 * of the others' last decision failed), so that the next leader kill left 2 of 4 consenters and no quorum.
 * Settling makes each restarted node do its catching-up while the network is quiet, so that the next test
 * starts from 4 consenters in step rather than one fault already spent. Fails if a round does not commit.
 */
export async function settle(
  probeId: string,
  rounds = 2,
  timeoutMs = 60_000,
): Promise<{ height: number; waitedMs: number; restarted: readonly Orderer[] }> {
  const started = Date.now();
  let height = 0;
  for (let round = 0; round < rounds; round += 1) {
    const id = `${probeId}-${String(round)}`;
    let probe = await registerDataset(WRITERS[round % WRITERS.length] ?? 'education', id, () => 0);
    // A round may fail while a restarted consenter is still syncing: the same id again is harmless
    // (a second copy is refused as DATASET_EXISTS, which also proves the first committed).
    while (!isSuccess(probe) && probe.code !== 'DATASET_EXISTS') {
      if (Date.now() - started > timeoutMs) throw new Error(`the network did not settle: probe ${id} answered ${String(probe.outcome)} ${probe.code ?? ''}`);
      await sleep(1_000);
      probe = await registerDataset(WRITERS[round % WRITERS.length] ?? 'education', id, () => 0);
    }
    height = (await waitForConvergence(Math.max(1_000, timeoutMs - (Date.now() - started)))).height;
  }
  // Settled means every consenter takes part again, not only that the blocks reached it. One that has the
  // blocks but stays in an older view (SmartBFT's same-height sync, hyperledger-labs/SmartBFT#663) is
  // restarted once: on start it takes the view from its last block. The restart is returned, to be reported.
  const restarted: Orderer[] = [];
  try {
    height = (await waitForConsentersInStep(Math.min(IN_STEP_GRACE_MS, Math.max(1_000, timeoutMs - (Date.now() - started))))).height;
  } catch (err) {
    if (!BFT) throw err;
    const views = await consenterViews();
    const counts = new Map<string | undefined, number>();
    for (const v of views.values()) counts.set(v, (counts.get(v) ?? 0) + 1);
    const majority = [...counts].find(([v, n]) => v !== undefined && n >= ORDERING_QUORUM)?.[0];
    if (majority === undefined) throw err;
    for (const [orderer, view] of views) {
      if (view === majority) continue;
      await script('network.sh', ['stop', orderer]);
      await startNode(orderer);
      restarted.push(orderer);
    }
    height = (await waitForConsentersInStep(Math.max(IN_STEP_GRACE_MS, timeoutMs - (Date.now() - started)))).height;
  }
  return { height, waitedMs: Date.now() - started, restarted };
}
