/**
 * The govshare-node external builder (network/builders/node/bin/build) runs a chaincode package only
 * on the exact Node.js version the package records, with the peer's pinned runtime.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const build = path.resolve(__dirname, '../../network/builders/node/bin/build');
const runtime = process.execPath;
const runtimeVersion = process.version.slice(1);

let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(tmpdir(), 'govshare-builder-'));
});
afterEach(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A package's source as the peer hands it to the builder, recording `engines.node`. */
function packageRecording(engines: Record<string, string> | undefined): string {
  const source = path.join(scratch, 'source');
  mkdirSync(path.join(source, 'node_modules'), { recursive: true });
  writeFileSync(path.join(source, 'package.json'), JSON.stringify({ name: 'cc', ...(engines ? { engines } : {}) }));
  return source;
}

function runBuild(source: string, node: string | undefined): { status: number | null; stderr: string; output: string } {
  const output = path.join(scratch, 'output');
  mkdirSync(output, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.GOVSHARE_CHAINCODE_NODE;
  if (node !== undefined) env.GOVSHARE_CHAINCODE_NODE = node;
  const result = spawnSync('bash', [build, source, path.join(scratch, 'metadata'), output], { encoding: 'utf8', env });
  return { status: result.status, stderr: result.stderr, output };
}

describe('the govshare-node builder', () => {
  it("builds a package that records the peer's runtime version, and remembers that runtime for bin/run", () => {
    const result = runBuild(packageRecording({ node: runtimeVersion }), runtime);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readFileSync(path.join(result.output, '.govshare-node'), 'utf8').trim()).toBe(runtime);
  });

  it('refuses a package recorded for another Node.js version, naming both', () => {
    const result = runBuild(packageRecording({ node: '20.20.2' }), runtime);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`runs on Node.js v20.20.2, but this peer's runtime ${runtime} is v${runtimeVersion}`);
  });

  it('refuses a package that records only a range, not an exact version', () => {
    const result = runBuild(packageRecording({ node: '>=20' }), runtime);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('does not record an exact Node.js version');
  });

  it('refuses to build without the pinned runtime rather than fall back to the node on PATH', () => {
    const result = runBuild(packageRecording({ node: runtimeVersion }), undefined);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('GOVSHARE_CHAINCODE_NODE');
  });
});
