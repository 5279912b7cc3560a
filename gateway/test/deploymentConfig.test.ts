/**
 * The gateway config that deploy/kubernetes ships in its ConfigMap is one this gateway accepts: rendered
 * from the department's values.env, it passes the same parseConfig the server runs at start (an HTTPS API
 * with a separate operations listener, off loopback). A manifest that drifted from the code would fail here
 * instead of in a cluster.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import request from 'supertest';

import { parseConfig } from '../src/config';
import { FakeLedger } from './support/fakeLedger';
import { buildTestApp } from './support/testApp';

const deploy = path.resolve(__dirname, '../../deploy/kubernetes/education');

function values(): Map<string, string> {
  const entries = readFileSync(path.join(deploy, 'values.env'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line): [string, string] => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    });
  return new Map(entries);
}

/** The ConfigMap's gateway.json, its ${NAME} placeholders filled as scripts/render-k8s.sh fills them. */
function renderedGatewayJson(): unknown {
  const manifest = readFileSync(path.join(deploy, 'gateway.yaml'), 'utf8');
  const block = /gateway\.json: \|\n((?: {4}.*\n|\n)+)/.exec(manifest);
  if (block?.[1] === undefined) throw new Error('gateway.yaml has no gateway.json block');
  const settings = values();
  const json = block[1].replace(/^ {4}/gm, '').replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (_all, name: string) => {
    const value = settings.get(name);
    if (value === undefined) throw new Error(`values.env has no ${name}`);
    return value;
  });
  return JSON.parse(json);
}

test('the Kubernetes ConfigMap holds a gateway config the gateway accepts: HTTPS off loopback, operations apart', () => {
  const config = parseConfig(renderedGatewayJson(), 'deploy/kubernetes/education gateway.json');
  expect(config.listen).toMatchObject({ host: '0.0.0.0', tls: { certPath: '/etc/govshare/api-tls/tls.crt' } });
  expect(config.operations).toMatchObject({ host: '0.0.0.0', port: 9444 });
  expect(config.org).toBe('education');
});

test('the same config without its TLS section is refused, as the gateway refuses plain HTTP off loopback', () => {
  const raw = renderedGatewayJson() as { listen: Record<string, unknown> };
  delete raw.listen.tls;
  expect(() => parseConfig(raw, 'test')).toThrow(/plain HTTP refused|listen\.tls/);
});

test("the Deployment's ports and probes are the config's listeners", () => {
  const manifest = readFileSync(path.join(deploy, 'gateway.yaml'), 'utf8');
  const config = parseConfig(renderedGatewayJson(), 'test');
  expect(manifest).toContain(`containerPort: ${String(config.listen.port)}`);
  expect(manifest).toContain(`containerPort: ${String(config.operations?.port)}`);
  expect(manifest).toContain(`containerPort: ${String(config.dataExchange?.listen.port)}`);
});

test("the Deployment's probes ask paths that the gateway serves", async () => {
  const manifest = readFileSync(path.join(deploy, 'gateway.yaml'), 'utf8');
  const probes = [...manifest.matchAll(/httpGet:\n\s+path: (\/\S+)/g)].map((match) => match[1] ?? '');
  expect(probes.sort()).toEqual(['/healthz', '/readyz']);
  const { app } = buildTestApp(new FakeLedger());
  for (const probe of probes) {
    expect((await request(app).get(probe)).status).not.toBe(404);
  }
});
