/**
 * Every govshare process runs on the one pinned Node.js (scripts/lib/env.sh): the gateways, and each
 * peer's chaincode processes, which the external builder must start with the runtime the chaincode
 * package records, never with whatever `node` is first on some PATH. Read from /proc, as `ps` would.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';

import { STATE_DIR, allDepartments } from './support/network';

const pinned = process.env.GOVSHARE_NODE_VERSION;

function pidOf(name: string): number {
  const [pid] = readFileSync(path.join(STATE_DIR, 'pids', `${name}.pid`), 'utf8').trim().split(' ');
  return Number(pid);
}

/** The processes of one process group (a daemon started with setsid and everything it spawned). */
function processGroup(pgid: number): { pid: number; cmdline: string }[] {
  const members: { pid: number; cmdline: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid pgrp …"; comm may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      members.push({ pid: Number(entry), cmdline: readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ') });
    } catch {
      // the process ended while we looked
    }
  }
  return members;
}

function versionOfExecutable(pid: number): { executable: string; version: string } {
  const executable = readlinkSync(`/proc/${String(pid)}/exe`);
  return { executable, version: execFileSync(executable, ['--version'], { encoding: 'utf8' }).trim() };
}

describe('the pinned Node.js runtime', () => {
  it('is the version the tests themselves run on', () => {
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(process.version).toBe(`v${pinned ?? ''}`);
  });

  it.each(allDepartments())('runs the %s gateway', (department) => {
    const { executable, version } = versionOfExecutable(pidOf(`gateway.${department}`));
    expect(version).toBe(`v${pinned ?? ''}`);
    expect(executable).toBe(readlinkSync('/proc/self/exe'));
  });

  it.each(allDepartments())("runs every chaincode process of the %s peer", (department) => {
    const chaincodes = processGroup(pidOf(`peer0.${department}`)).filter((p) => p.cmdline.includes('fabric-shim/cli.js'));
    expect(chaincodes.length).toBeGreaterThan(0);
    for (const chaincode of chaincodes) {
      expect(versionOfExecutable(chaincode.pid).version).toBe(`v${pinned ?? ''}`);
    }
  });
});
