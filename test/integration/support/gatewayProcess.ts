/**
 * A department gateway started by a test from the built server (gateway/dist/server.js) with a config derived from
 * the one the operator scripts wrote, so a test can try listener and sign-in settings on the real network without
 * touching the running gateways.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { REPO_ROOT, STATE_DIR, type Department } from './network';

export type GatewayConfigJson = Record<string, unknown> & { listen: Record<string, unknown> };

/** The config scripts/gateways.sh wrote for `department`, as JSON (paths into .govshare/). */
export function operatorGatewayConfig(department: Department): GatewayConfigJson {
  return JSON.parse(readFileSync(path.join(STATE_DIR, 'gateways', `${department}.json`), 'utf8')) as GatewayConfigJson;
}

const gatewayPortBase = Number(process.env.GOVSHARE_GATEWAY_PORT_BASE ?? '3000');

/** Ports for test-started gateways: above the ones the scripts give departments (base+1.., +101.., +201..). */
export function testGatewayPort(offset: number): number {
  return gatewayPortBase + 900 + offset;
}

export interface GatewayProcess {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startGateway(config: Record<string, unknown>, env: Record<string, string> = {}): GatewayProcess {
  const directory = mkdtempSync(path.join(tmpdir(), 'govshare-test-gateway-'));
  const configPath = path.join(directory, 'gateway.json');
  writeFileSync(configPath, JSON.stringify(config), { mode: 0o600 });
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'gateway', 'dist', 'server.js')], {
    env: { ...process.env, ...env, GOVSHARE_GATEWAY_CONFIG: configPath, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      rmSync(directory, { recursive: true, force: true });
      resolve(code);
    });
  });
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Polls `probe` until it answers true, the process exits, or `timeoutMs` passes. */
export async function waitUntil(gateway: GatewayProcess, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const process = { exited: false };
  void gateway.exited.then(() => (process.exited = true));
  while (Date.now() < deadline) {
    if (process.exited) throw new Error(`the gateway exited before it was ready:\n${gateway.output()}`);
    try {
      if (await probe()) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the gateway was not ready after ${String(timeoutMs)} ms:\n${gateway.output()}`);
}
