/**
 * What the integration tests know about the running network: the same layout the operator
 * scripts write under the state directory (.govshare/), read from disk, never hard-coded secrets.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The checkout's root, found upwards from here (this module is also compiled into bench/dist). */
function findRepoRoot(start: string): string {
  for (let directory = start; ; directory = path.dirname(directory)) {
    if (existsSync(path.join(directory, 'scripts', 'lib', 'env.sh'))) return directory;
    if (path.dirname(directory) === directory) throw new Error(`no govshare checkout above ${start}`);
  }
}

export const REPO_ROOT = findRepoRoot(__dirname);
export const STATE_DIR = process.env.GOVSHARE_STATE ?? path.join(REPO_ROOT, '.govshare');
export const CHANNEL = process.env.CHANNEL_NAME ?? 'govchannel';
export const CHAINCODE = process.env.CHAINCODE_NAME ?? 'govshare';

export const DEPARTMENTS = ['education', 'finance', 'justice', 'audit'] as const;
export type Department = (typeof DEPARTMENTS)[number];
export const ROLES = ['officer', 'approver', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const portBase = Number(process.env.GOVSHARE_PORT_BASE ?? '7000');

/** Departments added to the running channel by scripts/add-department.sh, in the order added. */
export function addedDepartments(): string[] {
  const registry = path.join(STATE_DIR, 'departments');
  if (!existsSync(registry)) return [];
  return readFileSync(registry, 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

/** Every department with a peer: the four of the genesis block, then the added ones (their org index order). */
export function allDepartments(): string[] {
  return [...DEPARTMENTS, ...addedDepartments()];
}

/** Functions below take any department name (the four, or one added later); `Department` values fit. */
export function mspIdOf(department: string): string {
  return `${department.charAt(0).toUpperCase()}${department.slice(1)}MSP`;
}

/**
 * How the network was laid out (recorded by `network.sh up`): every node on 127.0.0.1, or (`up --hosts`) every
 * organisation on its own host, a network namespace, with nodes named <node>.govshare.test.
 */
export function topology(): 'loopback' | 'hosts' {
  const file = path.join(STATE_DIR, 'topology');
  return existsSync(file) && readFileSync(file, 'utf8').trim() === 'hosts' ? 'hosts' : 'loopback';
}

/**
 * Hosts mode: the network's name table ($GOVSHARE_STATE/hosts, the same table the namespaces resolve by). This
 * machine has no entry for those names, so clients here resolve through it; certificates are still checked
 * against the names.
 */
export function hostsTable(): ReadonlyMap<string, string> {
  const table = new Map<string, string>();
  for (const line of readFileSync(path.join(STATE_DIR, 'hosts'), 'utf8').split('\n')) {
    const [address, ...names] = line.trim().split(/\s+/);
    if (address === undefined || address === '') continue;
    for (const name of names) table.set(name, address);
  }
  return table;
}

/** The address a host name has in the network's table (hosts mode). */
export function addressOf(hostName: string): string {
  const address = hostsTable().get(hostName);
  if (address === undefined) throw new Error(`${hostName} is not in ${path.join(STATE_DIR, 'hosts')}`);
  return address;
}

function peerPortOf(department: string): number {
  const index = allDepartments().indexOf(department);
  if (index < 0) throw new Error(`unknown department '${department}' (known: ${allDepartments().join(', ')})`);
  return portBase + 200 + 10 * (index + 1);
}

/** The name a peer's TLS certificate is checked against: localhost on loopback, else peer0.<org>.govshare.test. */
export function peerTlsNameOf(department: string): string {
  return topology() === 'hosts' ? `peer0.${department}.govshare.test` : 'localhost';
}

/** host:port to dial a department's peer on (hosts mode: its host's address, from the name table). */
export function peerEndpointOf(department: string): string {
  const host = topology() === 'hosts' ? addressOf(peerTlsNameOf(department)) : '127.0.0.1';
  return `${host}:${String(peerPortOf(department))}`;
}

export function tlsRootCertOf(department: string): Buffer {
  return readFileSync(path.join(STATE_DIR, 'ca', department, 'ca-cert.pem'));
}

export interface UserCredentials {
  readonly mspId: string;
  readonly certificate: Buffer;
  readonly privateKey: Buffer;
}

/** The demo user of a department with a role, enrolled from that department's Fabric CA. */
export function credentialsOf(department: string, role: Role): UserCredentials {
  const msp = path.join(STATE_DIR, 'orgs', department, 'users', `${department}-${role}`, 'msp');
  const keystore = path.join(msp, 'keystore');
  const keyFile = readdirSync(keystore).find((name) => name.endsWith('_sk'));
  if (keyFile === undefined) throw new Error(`no private key in ${keystore}`);
  return {
    mspId: mspIdOf(department),
    certificate: readFileSync(path.join(msp, 'signcerts', 'cert.pem')),
    privateKey: readFileSync(path.join(keystore, keyFile)),
  };
}

/**
 * A department gateway's own identity (ecert attribute govshare.role=gateway): what that department's operator,
 * and anyone who takes over its gateway, holds.
 */
export function gatewayCredentialsOf(department: string): UserCredentials {
  const msp = path.join(STATE_DIR, 'orgs', department, 'nodes', `gateway.${department}`, 'msp');
  const keystore = path.join(msp, 'keystore');
  const keyFile = readdirSync(keystore).find((name) => name.endsWith('_sk'));
  if (keyFile === undefined) throw new Error(`no private key in ${keystore}`);
  return {
    mspId: mspIdOf(department),
    certificate: readFileSync(path.join(msp, 'signcerts', 'cert.pem')),
    privateKey: readFileSync(path.join(keystore, keyFile)),
  };
}

/**
 * The signing key of a department's peer (its enrolment key, which signs its endorsements): what that
 * department's operator holds, and uses if it colludes with others to hand-make a transaction.
 */
export function peerSigningKeyOf(department: string): Buffer {
  const keystore = path.join(STATE_DIR, 'orgs', department, 'nodes', `peer0.${department}`, 'msp', 'keystore');
  const keyFile = readdirSync(keystore).find((name) => name.endsWith('_sk'));
  if (keyFile === undefined) throw new Error(`no private key in ${keystore}`);
  return readFileSync(path.join(keystore, keyFile));
}

export interface GatewayEntry {
  readonly url: string;
  readonly tokens: Readonly<Record<Role, string>>;
}

/** The gateways written by `npm start` / the test harness: URL and bearer token per role. */
export function gatewaysFile(): Readonly<Record<Department, GatewayEntry>> {
  return JSON.parse(readFileSync(path.join(STATE_DIR, 'gateways.json'), 'utf8')) as Record<Department, GatewayEntry>;
}

/**
 * Where a department's gateway answers /readyz: its API listener on loopback; on a multi-host network its
 * operations listener (HTTPS, API port + 200, scripts/lib/env.sh gateway_ops_port), which operators firewall apart.
 */
export function gatewayReadyUrlOf(department: string): string {
  const api = new URL((gatewaysFile() as Readonly<Record<string, GatewayEntry>>)[department]?.url ?? `http://unknown-${department}`);
  if (topology() !== 'hosts') return `${api.origin}/readyz`;
  return `https://${api.hostname}:${String(Number(api.port) + 200)}/readyz`;
}

/** The ordering mode the network was created with (recorded with its genesis block; BFT by default). */
export function consensusMode(): 'bft' | 'raft' {
  const file = path.join(STATE_DIR, 'consensus');
  return existsSync(file) && readFileSync(file, 'utf8').trim() === 'raft' ? 'raft' : 'bft';
}

/** BFT mode: the departments that run a consenter (the four founders, then those added as consenters). */
export function consenterDepartments(): string[] {
  const registry = path.join(STATE_DIR, 'consenters');
  const added = existsSync(registry)
    ? readFileSync(registry, 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '')
    : [];
  return [...DEPARTMENTS, ...added];
}

/** A department's BFT orderer: name and listen port (its org index picks the port, as in scripts/lib/env.sh). */
export function ordererOf(department: string): { readonly name: string; readonly port: number } {
  const index = allDepartments().indexOf(department);
  if (index < 0) throw new Error(`unknown department '${department}'`);
  return { name: `orderer0.${department}`, port: portBase + 100 + 10 * (index + 1) };
}
