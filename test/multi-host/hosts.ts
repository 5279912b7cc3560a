/**
 * The multi-host test's view of the hosts (`network.sh up --hosts`): which namespace a process runs in, what
 * listens on a host, whether a host is reachable from here, and the operator script's faults (cut a host's link,
 * kill a node on its host). Everything goes through the tools an operator uses (ip, ss, scripts/network.sh).
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

import { REPO_ROOT, STATE_DIR } from '../integration/support/network';

const execFileAsync = promisify(execFile);
const portBase = Number(process.env.GOVSHARE_PORT_BASE ?? '7000');

/** The namespace that is an org's host (scripts/lib/env.sh org_netns). */
export function hostOf(org: string): string {
  return `gs${String(portBase)}-${org}`;
}

export async function run(command: string, args: readonly string[], timeoutMs = 180_000): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(command, [...args], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return `${stdout}${stderr}`;
  } catch (err) {
    // A failed command's own output says why: keep it in the failure.
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${(err as Error).message}\n${stdout}${stderr}`);
  }
}

/** Runs an operator script with this test's environment (port bases, state directory). */
export function script(name: string, args: readonly string[], timeoutMs = 180_000): Promise<string> {
  return run('bash', [path.join(REPO_ROOT, 'scripts', name), ...args], timeoutMs);
}

/** The pid of a daemon started by the scripts (its pid file: pid and command). */
export function pidOf(daemon: string): number {
  const [pid] = readFileSync(path.join(STATE_DIR, 'pids', `${daemon}.pid`), 'utf8').trim().split(/\s+/);
  return Number(pid);
}

/** The named namespace a process is in ('' for this machine's own). */
export async function namespaceOf(pid: number): Promise<string> {
  return (await run('ip', ['netns', 'identify', String(pid)])).trim();
}

/** Every process in a namespace, with its command line. */
export async function processesOn(host: string): Promise<{ pid: number; command: string }[]> {
  const pids = (await run('ip', ['netns', 'pids', host])).split('\n').filter((line) => /^\d+$/.test(line.trim()));
  return pids.flatMap((pid) => {
    try {
      return [{ pid: Number(pid), command: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim() }];
    } catch {
      return []; // ended meanwhile
    }
  });
}

/** The local addresses of every listening TCP socket on a host ("10.231.100.11:10210", …). */
export async function listenersOn(host: string): Promise<string[]> {
  const output = await run('ip', ['netns', 'exec', host, 'ss', '-Hltn']);
  return output
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[3])
    .filter((address): address is string => address !== undefined && address !== '');
}

/** Whether a TCP connection from this machine to address:port is accepted within `ms`. */
export function reachable(address: string, port: number, ms = 2_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: address, port, timeout: ms });
    const done = (answer: boolean): void => {
      socket.destroy();
      resolve(answer);
    };
    socket.once('connect', () => {
      done(true);
    });
    socket.once('timeout', () => {
      done(false);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}

/** Waits until `check` answers a value `accept` takes, polling every 250 ms until the deadline. */
export async function eventually<T>(what: string, check: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (accept(value)) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what}: not within ${String(timeoutMs)} ms (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A BFT orderer's ledger height, read from its operations endpoint on its host (undefined when it does not answer). */
export async function ordererHeight(address: string, opsPort: number): Promise<number | undefined> {
  try {
    const response = await fetch(`http://${address}:${String(opsPort)}/metrics`, { signal: AbortSignal.timeout(2_000) });
    const match = /^ledger_blockchain_height\{channel="[^"]+"\} (\d+)$/m.exec(await response.text());
    return match?.[1] === undefined ? undefined : Number(match[1]);
  } catch {
    return undefined;
  }
}
