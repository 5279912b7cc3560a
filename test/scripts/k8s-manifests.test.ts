/**
 * The Kubernetes manifests (deploy/kubernetes/) are checked by a real validator, kubeconform in strict
 * mode, against the pinned hlf-operator CRDs and the Kubernetes API schemas — and that check must be
 * able to fail: each test below breaks a rendered copy the way a careless edit would and expects the
 * validator (or the renderer) to refuse it, naming what is wrong.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');
const manifests = path.join(root, 'deploy/kubernetes/education');

// The first run on a new machine installs kubeconform (go install) and kubernetes-validate (pip).
jest.setTimeout(600_000);

interface Run {
  status: number | null;
  output: string;
}

function run(script: string, args: string[], cwd = root): Run {
  const result = spawnSync('bash', [path.join(cwd, 'scripts', script), ...args], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

let work: string;
let secrets: string;
let deployment: string;

function secretNames(): string[] {
  const names = new Set<string>();
  for (const file of readdirSync(manifests).filter((name) => name.endsWith('.yaml'))) {
    for (const match of readFileSync(path.join(manifests, file), 'utf8').matchAll(/\$\{(SECRET_[A-Z0-9_]+)\}/g)) {
      names.add(match[1] ?? '');
    }
  }
  return [...names].sort();
}

/** Renders Education's manifests into a fresh directory with this test's secrets. */
function renderCopy(name: string): string {
  const out = path.join(work, name);
  const result = run('render-k8s.sh', ['education', secrets, out, deployment]);
  expect(result.output).toContain('rendered education');
  expect(result.status).toBe(0);
  return out;
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(from);
  writeFileSync(file, text.replace(from, to));
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'govshare-k8s-test-'));
  secrets = path.join(work, 'secrets.env');
  writeFileSync(secrets, secretNames().map((name, index) => `${name}=test-secret-${String(index)}-a1b2c3`).join('\n') + '\n', {
    mode: 0o600,
  });
  deployment = path.join(work, 'deployment.env');
  writeFileSync(deployment, `CHAINCODE_PACKAGE_ID=govshare_0.1.0:${'ab'.repeat(32)}\n`);
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

test('every department manifest is valid against the operator CRDs and the Kubernetes API, none skipped but the Kustomization', () => {
  const result = run('validate-k8s.sh', []);
  const summary = /(\d+) resources found in \d+ files - Valid: (\d+), Invalid: (\d+), Errors: (\d+), Skipped: (\d+)/.exec(result.output);
  expect(summary).not.toBeNull();
  const [, found, valid, invalid, errors, skipped] = (summary ?? []).map(Number);
  expect({ invalid, errors, skipped }).toEqual({ invalid: 0, errors: 0, skipped: 1 });
  // Every resource in the manifests was checked: the three operator resources included.
  const resources = readdirSync(manifests)
    .filter((name) => name.endsWith('.yaml'))
    .flatMap((name) => readFileSync(path.join(manifests, name), 'utf8').match(/^kind: /gm) ?? []).length;
  expect(found).toBe(resources);
  expect(valid).toBe(resources - 1);
  expect(result.status).toBe(0);
});

test('the rendered manifests carry the secrets only in owner-only files, and no placeholder is left', () => {
  const out = renderCopy('rendered');
  for (const file of readdirSync(out)) {
    const text = readFileSync(path.join(out, file), 'utf8');
    expect(text).not.toMatch(/\$\{[A-Z_]+\}/);
  }
  expect(readFileSync(path.join(out, 'ca.yaml'), 'utf8')).toContain('test-secret-');
  const modes = readdirSync(out).map((file) => spawnSync('stat', ['-c', '%a', path.join(out, file)], { encoding: 'utf8' }).stdout.trim());
  expect(new Set(modes)).toEqual(new Set(['600']));
});

test.each([
  ['an unknown field in a FabricPeer (a typo of stateDb)', 'peer.yaml', '  stateDb: leveldb', '  stateDB: leveldb', /stateDB/],
  ['a wrong type in a FabricOrdererNode', 'orderer.yaml', '  replicas: 1', '  replicas: one', /replicas/],
  ['a missing required field of a FabricCA', 'ca.yaml', '  clrSizeLimit: 512000\n', '', /clrSizeLimit/],
  ['an unknown field in a Deployment container', 'chaincode.yaml', '          ports:', '          port:', /port/],
  ['a wrong type in a NetworkPolicy', 'networkpolicy.yaml', '  policyTypes: ["Ingress"]', '  policyTypes: Ingress', /policyTypes/],
])('the validator refuses %s', (_what, file, from, to, named) => {
  const out = renderCopy(`broken-${file}`);
  edit(path.join(out, file), from, to);
  const result = run('validate-k8s.sh', [out]);
  expect(result.output).toMatch(/Invalid: [1-9]|Errors: [1-9]/);
  expect(result.output).toMatch(named);
  expect(result.status).not.toBe(0);
});

test('the renderer refuses a secrets file that others can read, and writes nothing', () => {
  const open = path.join(work, 'open-secrets.env');
  cpSync(secrets, open);
  chmodSync(open, 0o644);
  const out = path.join(work, 'refused');
  const result = run('render-k8s.sh', ['education', open, out, deployment]);
  expect(result.output).toMatch(/readable by others.*chmod 600/);
  expect(result.status).not.toBe(0);
  expect(() => readdirSync(out)).toThrow();
});

test('the renderer names every setting that has no value, and renders nothing with a placeholder open', () => {
  const partial = path.join(work, 'partial-secrets.env');
  writeFileSync(partial, 'SECRET_CA_ADMIN_PASSWORD=only-this-one\n', { mode: 0o600 });
  const result = run('render-k8s.sh', ['education', partial, path.join(work, 'partial'), deployment]);
  expect(result.output).toMatch(/no value for .*SECRET_PEER_ENROLL_SECRET/);
  expect(result.status).not.toBe(0);
});

test('a vendored CRD that differs from the pinned hlf-operator release is refused', () => {
  const copy = path.join(work, 'tree');
  cpSync(path.join(root, 'scripts'), path.join(copy, 'scripts'), { recursive: true });
  cpSync(path.join(root, 'deploy'), path.join(copy, 'deploy'), { recursive: true });
  edit(path.join(copy, 'deploy/kubernetes/crds/hlf.kungfusoftware.es_fabricpeers.yaml'), 'FabricPeer', 'FabricPeerX');
  const result = run('validate-k8s.sh', [], copy);
  expect(result.output).toMatch(/differs from the pinned hlf-operator CRDs/);
  expect(result.status).not.toBe(0);
});
