/**
 * Where time goes: before/after snapshots of the Prometheus operations endpoints of every peer and
 * orderer and of the education REST gateway's /metrics, and the per-transaction means derived from
 * the differences (histogram sum / count). Everything is read over plain HTTP on 127.0.0.1.
 */
import { consensusMode, consenterDepartments, DEPARTMENTS, ordererOf } from '../../test/integration/support/network';

const portBase = Number(process.env.GOVSHARE_PORT_BASE ?? '7000');
const gatewayPortBase = Number(process.env.GOVSHARE_GATEWAY_PORT_BASE ?? '3000');
const HOST = '127.0.0.1';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** One scrape of every endpoint: endpoint name (peer0.education, orderer1, gateway.education) → samples. */
export type Snapshot = ReadonlyMap<string, readonly Sample[]>;

export function endpoints(): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  DEPARTMENTS.forEach((department, index) => {
    map.set(`peer0.${department}`, `http://${HOST}:${String(portBase + 200 + 10 * (index + 1) + 2)}/metrics`);
  });
  // BFT: each department's orderer0.<org> (ports by org index); Raft: OrdererMSP's orderer1..3.
  if (consensusMode() === 'bft') {
    for (const department of consenterDepartments()) map.set(ordererOf(department).name, `http://${HOST}:${String(ordererOf(department).port + 2)}/metrics`);
  } else {
    for (let n = 1; n <= 3; n += 1) map.set(`orderer${String(n)}`, `http://${HOST}:${String(portBase + 100 + 10 * n + 2)}/metrics`);
  }
  map.set('gateway.education', `http://${HOST}:${String(gatewayPortBase + 1)}/metrics`);
  return map;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The Prometheus text format, histograms' _bucket lines left out (only _sum and _count are used). */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.length === 0) continue;
    const match = LINE.exec(line);
    if (match === null) continue;
    const [, name = '', labelText = '', valueText = ''] = match;
    if (name.endsWith('_bucket')) continue;
    const labels: Record<string, string> = {};
    for (const label of labelText.matchAll(LABEL)) labels[label[1] ?? ''] = label[2] ?? '';
    samples.push({ name, labels, value: Number(valueText) });
  }
  return samples;
}

export async function snapshot(): Promise<Snapshot> {
  const entries = await Promise.all(
    [...endpoints()].map(async ([node, url]): Promise<[string, Sample[]]> => {
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
        return [node, response.ok ? parsePrometheus(await response.text()) : []];
      } catch {
        return [node, []];
      }
    }),
  );
  return new Map(entries);
}

type Match = Readonly<Record<string, string>>;

/** A match value ending in '*' is a prefix (chaincode labels carry the package id: `govshare_<hash>:<hash>`). */
function matches(sample: Sample, name: string, match: Match): boolean {
  return (
    sample.name === name &&
    Object.entries(match).every(([label, value]) => {
      const actual = sample.labels[label];
      return actual !== undefined && (value.endsWith('*') ? actual.startsWith(value.slice(0, -1)) : actual === value);
    })
  );
}

/** after − before of the sum of every series named `name` whose labels include `match`, over `nodes`. */
export function delta(before: Snapshot, after: Snapshot, nodes: (node: string) => boolean, name: string, match: Match = {}): number {
  const total = (shot: Snapshot): number => {
    let sum = 0;
    for (const [node, samples] of shot) {
      if (!nodes(node)) continue;
      for (const sample of samples) if (matches(sample, name, match)) sum += sample.value;
    }
    return sum;
  };
  return total(after) - total(before);
}

/** Mean in milliseconds of a seconds histogram over the interval (NaN when nothing was observed). */
export function meanMs(before: Snapshot, after: Snapshot, nodes: (node: string) => boolean, histogram: string, match: Match = {}): number {
  const count = delta(before, after, nodes, `${histogram}_count`, match);
  return count > 0 ? (1000 * delta(before, after, nodes, `${histogram}_sum`, match)) / count : Number.NaN;
}

export interface BreakdownRow {
  readonly stage: string;
  readonly meanMs: number;
  readonly per: string;
  readonly source: string;
}

export interface Breakdown {
  readonly transactions: number;
  readonly blocks: number;
  readonly txPerBlock: number;
  readonly rows: readonly BreakdownRow[];
}

const isPeer = (node: string): boolean => node.startsWith('peer0.');
const isOrderer = (node: string): boolean => node.startsWith('orderer');
const isEntryPeer = (node: string): boolean => node === 'peer0.education';
const isGateway = (node: string): boolean => node === 'gateway.education';

/**
 * Per-transaction means of a submit phase, stage by stage. The clients (REST gateway and direct)
 * connect to peer0.education, whose Fabric Gateway service runs Endorse → Submit → CommitStatus.
 */
export function submitBreakdown(before: Snapshot, after: Snapshot, chaincode: string, transaction: string): Breakdown {
  const gatewayCall = (method: string): Match => ({ service: 'gateway_Gateway', method, code: 'OK' });
  const firstOrderer = [...before.keys()].find(isOrderer);
  const ordererBlocks = delta(before, after, (node) => node === firstOrderer, 'ledger_blockchain_height');
  const transactions = delta(before, after, isEntryPeer, 'ledger_transaction_count', { chaincode: `${chaincode}:*`, validation_code: 'VALID' });
  const committedTxs =
    transactions > 0 ? transactions : delta(before, after, isEntryPeer, 'ledger_transaction_count', { validation_code: 'VALID' });
  const rows: BreakdownRow[] = [
    {
      stage: 'REST gateway: HTTP request (POST /api/v1/datasets)',
      meanMs: meanMs(before, after, isGateway, 'govshare_http_request_duration_seconds', { method: 'POST', status: '201' }),
      per: 'request',
      source: 'gateway /metrics govshare_http_request_duration_seconds',
    },
    {
      stage: '  of which the Fabric call (submit + commit wait)',
      meanMs: meanMs(before, after, isGateway, 'govshare_fabric_call_duration_seconds', { transaction, kind: 'submit', outcome: 'ok' }),
      per: 'request',
      source: 'gateway /metrics govshare_fabric_call_duration_seconds',
    },
    {
      stage: 'peer gateway Endorse (plan + 3 of 4 endorsements in parallel)',
      meanMs: meanMs(before, after, isEntryPeer, 'grpc_server_unary_request_duration', gatewayCall('Endorse')),
      per: 'tx',
      source: 'peer0.education grpc_server_unary_request_duration{gateway_Gateway/Endorse}',
    },
    {
      stage: '  endorser: one proposal incl. chaincode execution',
      meanMs: meanMs(before, after, isPeer, 'endorser_proposal_duration', { chaincode, success: 'true' }),
      per: 'proposal',
      source: 'all peers endorser_proposal_duration',
    },
    {
      stage: '    of which peer-side state calls from the chaincode',
      meanMs:
        (1000 * delta(before, after, isPeer, 'chaincode_shim_request_duration_sum', { chaincode: `${chaincode}_*` })) /
        delta(before, after, isPeer, 'endorser_proposal_duration_count', { chaincode, success: 'true' }),
      per: 'proposal',
      source: 'all peers chaincode_shim_request_duration (sum per proposal)',
    },
    {
      stage: 'peer gateway Submit (send to orderer, wait for its ack)',
      meanMs: meanMs(before, after, isEntryPeer, 'grpc_server_unary_request_duration', gatewayCall('Submit')),
      per: 'tx',
      source: 'peer0.education grpc_server_unary_request_duration{gateway_Gateway/Submit}',
    },
    {
      stage: '  orderer: validate + enqueue of one envelope',
      meanMs:
        meanMs(before, after, isOrderer, 'broadcast_validate_duration', { status: 'SUCCESS' }) +
        meanMs(before, after, isOrderer, 'broadcast_enqueue_duration', { status: 'SUCCESS' }),
      per: 'tx',
      source: 'orderers broadcast_validate_duration + broadcast_enqueue_duration',
    },
    {
      stage: 'peer gateway CommitStatus (block cutting + consensus + delivery + validate + commit)',
      meanMs: meanMs(before, after, isEntryPeer, 'grpc_server_unary_request_duration', gatewayCall('CommitStatus')),
      per: 'tx',
      source: 'peer0.education grpc_server_unary_request_duration{gateway_Gateway/CommitStatus}',
    },
    consensusMode() === 'bft'
      ? {
          stage: '  orderer: SmartBFT batch save (WAL)',
          meanMs: meanMs(before, after, isOrderer, 'consensus_smartbft_view_latency_batch_save'),
          per: 'BFT batch',
          source: 'orderers consensus_smartbft_view_latency_batch_save',
        }
      : {
          stage: '  orderer: Raft WAL persist',
          meanMs: meanMs(before, after, isOrderer, 'consensus_etcdraft_data_persist_duration'),
          per: 'Raft batch',
          source: 'orderers consensus_etcdraft_data_persist_duration',
        },
    {
      stage: '  peer: commit one block (all of the below)',
      meanMs: meanMs(before, after, isPeer, 'gossip_state_commit_duration'),
      per: 'block',
      source: 'all peers gossip_state_commit_duration',
    },
    {
      stage: '    validate signatures + endorsement policies (VSCC)',
      meanMs: meanMs(before, after, isPeer, 'gossip_privdata_validation_duration'),
      per: 'block',
      source: 'all peers gossip_privdata_validation_duration',
    },
    {
      stage: '    MVCC check + prepare state updates',
      meanMs: meanMs(before, after, isPeer, 'ledger_block_processing_time'),
      per: 'block',
      source: 'all peers ledger_block_processing_time',
    },
    {
      stage: '    write block store',
      meanMs: meanMs(before, after, isPeer, 'ledger_blockstorage_and_pvtdata_commit_time'),
      per: 'block',
      source: 'all peers ledger_blockstorage_and_pvtdata_commit_time',
    },
    {
      stage: '    commit state DB (LevelDB)',
      meanMs: meanMs(before, after, isPeer, 'ledger_statedb_commit_time'),
      per: 'block',
      source: 'all peers ledger_statedb_commit_time',
    },
  ];
  return { transactions: committedTxs, blocks: ordererBlocks, txPerBlock: ordererBlocks > 0 ? committedTxs / ordererBlocks : Number.NaN, rows };
}

/** Mean endorsement-proposal time per chaincode over the interval (P2: govshare vs the single-putState one). */
export function proposalMeans(before: Snapshot, after: Snapshot, chaincodes: readonly string[]): Record<string, number> {
  return Object.fromEntries(
    chaincodes.map((chaincode) => [chaincode, meanMs(before, after, isPeer, 'endorser_proposal_duration', { chaincode, success: 'true' })]),
  );
}

/** Ledger height of every peer (from the operations endpoints). */
export async function peerHeights(): Promise<number[]> {
  const shot = await snapshot();
  return [...shot]
    .filter(([node]) => isPeer(node))
    .map(([, samples]) => samples.find((sample) => sample.name === 'ledger_blockchain_height' && sample.labels.channel !== undefined)?.value ?? 0);
}

export function formatBreakdown(breakdown: Breakdown): string[] {
  const lines = [
    `  ${String(breakdown.transactions)} transactions committed in ${String(breakdown.blocks)} blocks (${breakdown.txPerBlock.toFixed(1)} tx/block)`,
  ];
  for (const row of breakdown.rows) {
    const value = Number.isNaN(row.meanMs) ? '    n/a' : row.meanMs.toFixed(1).padStart(7);
    lines.push(`  ${row.stage.padEnd(84)} ${value} ms / ${row.per}`);
  }
  return lines;
}
