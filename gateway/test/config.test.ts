import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError, loadConfigFile, loadConfigFromEnv, parseConfig } from '../src/config';

const valid = {
  org: 'education',
  mspId: 'EducationMSP',
  listen: { host: '127.0.0.1', port: 3001 },
  peer: { endpoint: '127.0.0.1:7051', hostAlias: 'peer0.education.govshare.local', tlsRootCertPath: '/abs/path/ca.pem' },
  channel: 'govchannel',
  chaincode: 'govshare',
  users: [
    {
      id: 'education-officer',
      role: 'officer',
      certPath: '/abs/cert.pem',
      keyPath: '/abs/key_sk',
      tokenSha256: 'A'.repeat(64),
    },
  ],
};

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('accepts the operator config and normalises token hashes to lower case', () => {
    const config = parseConfig(valid);

    expect(config.org).toBe('education');
    expect(config.users[0]?.tokenSha256).toBe('a'.repeat(64));
  });

  it('accepts a department added after the network was created', () => {
    expect(parseConfig({ ...valid, org: 'health', mspId: 'HealthMSP' }).org).toBe('health');
  });

  it.each([
    ['an org name that is not a department name', { org: 'Health Dept' }, 'org'],
    ['a non-loopback listen host', { listen: { host: '0.0.0.0', port: 3001 } }, 'listen.host'],
    ['an out-of-range port', { listen: { host: '127.0.0.1', port: 70000 } }, 'listen.port'],
    ['a relative TLS root path', { peer: { ...valid.peer, tlsRootCertPath: 'ca.pem' } }, 'peer.tlsRootCertPath'],
    ['an endpoint without a port', { peer: { ...valid.peer, endpoint: 'peer0' } }, 'peer.endpoint'],
    ['no users', { users: [] }, 'users'],
    ['an unknown role', { users: [{ ...valid.users[0], role: 'root' }] }, 'users[0].role'],
    ['a token hash that is not sha256 hex', { users: [{ ...valid.users[0], tokenSha256: 'secret' }] }, 'users[0].tokenSha256'],
    ['an unknown field', { extra: true }, 'extra'],
    ['duplicate user ids', { users: [valid.users[0], { ...valid.users[0], tokenSha256: 'b'.repeat(64) }] }, 'users[1].id'],
    ['duplicate token hashes', { users: [valid.users[0], { ...valid.users[0], id: 'other' }] }, 'users[1].tokenSha256'],
  ])('rejects %s, naming the field', (_case, override, field) => {
    expect(messageOf(() => parseConfig({ ...valid, ...override }))).toContain(field);
  });
});

describe('loading the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'govshare-gw-config-'));

  it('reads the file named by GOVSHARE_GATEWAY_CONFIG', () => {
    const path = join(dir, 'ok.json');
    writeFileSync(path, JSON.stringify(valid));

    expect(loadConfigFromEnv({ GOVSHARE_GATEWAY_CONFIG: path }).mspId).toBe('EducationMSP');
  });

  it('explains a missing variable, a missing file and invalid JSON', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');

    expect(messageOf(() => loadConfigFromEnv({}))).toContain('GOVSHARE_GATEWAY_CONFIG is not set');
    expect(messageOf(() => loadConfigFile(join(dir, 'absent.json')))).toContain('Cannot read gateway config');
    expect(messageOf(() => loadConfigFile(bad))).toContain('is not valid JSON');
  });
});
