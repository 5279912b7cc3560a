/**
 * Hardening of issue 16 on the running network: no secret on any command line, gateways without the MSP admin or
 * the CA's bootstrap registrar, a user registrar that can register nothing but client identities with a role, and
 * uploads authorised before anything is stored.
 */
import { X509Certificate } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { api } from './support/http';
import { DEPARTMENTS, STATE_DIR } from './support/network';

interface GatewayFileConfig {
  readonly users: readonly { id: string; certPath: string }[];
  readonly dataExchange: { identity: { certPath: string }; dataDir: string };
  readonly ca: { url: string; caName: string; tlsCertPath: string; registrarHome: string; clientBinary: string };
}

const configOf = (department: string): GatewayFileConfig =>
  JSON.parse(readFileSync(path.join(STATE_DIR, 'gateways', `${department}.json`), 'utf8')) as GatewayFileConfig;

/** Every secret the operator scripts keep: enrolment secrets and each CA's bootstrap user:password. */
function allSecrets(): string[] {
  const secrets: string[] = [];
  for (const org of ['orderer', ...DEPARTMENTS]) {
    const dir = path.join(STATE_DIR, 'orgs', org, 'secrets');
    if (existsSync(dir)) for (const name of readdirSync(dir)) secrets.push(readFileSync(path.join(dir, name), 'utf8').trim());
    const bootstrap = path.join(STATE_DIR, 'ca', org, 'bootstrap-admin');
    if (existsSync(bootstrap)) secrets.push(readFileSync(bootstrap, 'utf8').trim().split(':')[1] ?? '');
  }
  return secrets.filter((secret) => secret.length >= 16);
}

describe('least privilege and secrets', () => {
  test('no process on this machine has a CA bootstrap password or an enrolment secret on its command line', () => {
    const secrets = allSecrets();
    expect(secrets.length).toBeGreaterThan(10);
    const offenders: string[] = [];
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      } catch {
        continue; // exited meanwhile
      }
      if (secrets.some((secret) => cmdline.includes(secret))) offenders.push(`${pid}: ${cmdline.slice(0, 60)}`);
    }
    expect(offenders).toEqual([]);
  });

  test.each(DEPARTMENTS)("the %s gateway holds no MSP admin: its users and its own identity are client certificates", (department) => {
    const config = configOf(department);
    const certificates = [...config.users.map((user) => user.certPath), config.dataExchange.identity.certPath];
    for (const certPath of certificates) {
      expect(new X509Certificate(readFileSync(certPath)).subject).toMatch(/^OU=client$/m);
    }
    expect(config.ca.registrarHome).not.toBe(path.join(STATE_DIR, 'orgs', department, 'registrar'));
  });

  describe("the registrar a gateway holds (Finance's)", () => {
    const config = configOf('finance');
    const register = (name: string, type: string, attrs: string) =>
      promisify(execFile)(
        config.ca.clientBinary,
        ['register', '-H', config.ca.registrarHome, '-u', config.ca.url, '--caname', config.ca.caName, '--tls.certfiles', config.ca.tlsCertPath,
          '--id.name', name, '--id.type', type, '--id.attrs', attrs],
        { env: { ...process.env, FABRIC_CA_CLIENT_ID_SECRET: 'a-secret-of-this-test-only' } },
      );
    const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;

    test('registers a client identity with a role', async () => {
      await expect(register(`lp-clerk-${runId}`, 'client', 'role=officer:ecert')).resolves.toBeDefined();
    });

    test.each([
      ['a gateway identity (govshare.role=gateway)', 'client', 'govshare.role=gateway:ecert'],
      ['a peer', 'peer', 'role=officer:ecert'],
      ['an MSP admin', 'admin', 'role=admin:ecert'],
      ['another registrar', 'client', 'hf.Registrar.Roles=client'],
    ])('cannot register %s', async (_what, type, attrs) => {
      await expect(register(`lp-${type}-${runId}-${attrs.length.toString()}`, type, attrs)).rejects.toThrow(/Authorization failure|not authorized|cannot register/i);
    });
  });

  test('an upload the chaincode refuses (an auditor may not update a dataset) leaves no file behind', async () => {
    const datasetId = `lp-upload-${Date.now().toString(36)}-${process.pid.toString(36)}`;
    const registered = await api('education', 'POST', '/api/v1/datasets', {
      body: {
        id: datasetId,
        title: 'Upload authorisation',
        description: 'A refused upload stores nothing',
        classification: 'INTERNAL',
        fingerprint: '0'.repeat(64),
        themes: ['education'],
        fields: [{ name: 'school', type: 'STRING', sensitivity: 'NONE' }],
      },
    });
    expect(registered.status).toBe(201);
    const directory = path.join(configOf('education').dataExchange.dataDir, datasetId);

    const refused = await api('education', 'PUT', `/api/v1/datasets/${datasetId}/data`, { role: 'auditor', body: [{ school: 'Refused High' }] });

    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'FORBIDDEN' });
    expect(existsSync(directory) ? readdirSync(directory) : []).toEqual([]);
    const accepted = await api('education', 'PUT', `/api/v1/datasets/${datasetId}/data`, { body: [{ school: 'Accepted High' }] });
    expect(accepted.status).toBe(200);
    expect(readdirSync(directory)).toEqual([`${String(accepted.body.fingerprint)}.json`]);
  });
});
