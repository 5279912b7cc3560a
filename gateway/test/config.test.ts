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
    ['a listen host that is no address or host name', { listen: { host: 'not a host!', port: 3001 } }, 'listen.host'],
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

describe('listeners off loopback', () => {
  const tls = { certPath: '/abs/gateway/server.crt', keyPath: '/abs/gateway/server.key' };
  const operations = { host: '10.77.0.2', port: 9443 };

  it.each(['127.0.0.1', '127.0.0.53', '::1', 'localhost'])('allows plain HTTP on the loopback address %s', (host) => {
    expect(parseConfig({ ...valid, listen: { host, port: 3001 } }).listen.tls).toBeUndefined();
  });

  it.each(['0.0.0.0', '10.77.0.2', '::', 'gateway.education.govshare.test'])('refuses plain HTTP on %s with a message that says why and what to do', (host) => {
    const message = messageOf(() => parseConfig({ ...valid, listen: { host, port: 3001 }, operations }));

    expect(message).toContain('listen.tls');
    expect(message).toContain(`plain HTTP refused: the API would listen on ${host}, which is not a loopback address`);
    expect(message).toContain('TLS 1.3');
  });

  it('accepts HTTPS off loopback with health and metrics on their own listener', () => {
    const config = parseConfig({ ...valid, listen: { host: '10.77.0.2', port: 3001, tls }, operations });

    expect(config.listen.tls).toEqual(tls);
    expect(config.operations).toEqual(operations);
  });

  it('refuses an API off loopback that would serve health and metrics itself', () => {
    expect(messageOf(() => parseConfig({ ...valid, listen: { host: '10.77.0.2', port: 3001, tls } }))).toContain(
      'health and metrics need their own listener',
    );
  });

  it('lets the data exchange (always mutual TLS) listen on a host name', () => {
    const dataExchange = {
      listen: { host: 'gateway.education.govshare.test', port: 3101 },
      tlsCertPath: '/abs/tls.crt',
      tlsKeyPath: '/abs/tls.key',
      identity: { id: 'gateway.education', certPath: '/abs/gateway/cert.pem', keyPath: '/abs/gateway/key.pem' },
      dataDir: '/abs/data',
      peers: [{ mspId: 'FinanceMSP', url: 'https://gateway.finance.govshare.test:3102', tlsRootCertPath: '/abs/ca.pem' }],
    };

    expect(parseConfig({ ...valid, dataExchange }).dataExchange?.listen.host).toBe('gateway.education.govshare.test');
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
