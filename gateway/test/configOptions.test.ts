import { ConfigError, parseConfig } from '../src/config';

const base = {
  org: 'education',
  mspId: 'EducationMSP',
  listen: { host: '127.0.0.1', port: 3001 },
  peer: { endpoint: '127.0.0.1:7051', hostAlias: 'localhost', tlsRootCertPath: '/abs/ca.pem' },
  channel: 'govchannel',
  chaincode: 'govshare',
  users: [{ id: 'u', role: 'officer', certPath: '/abs/cert.pem', keyPath: '/abs/key_sk', tokenSha256: 'a'.repeat(64) }],
};

describe('optional HTTP settings in the gateway config', () => {
  it('leaves rate limit and CORS unset by default', () => {
    const config = parseConfig(base);

    expect(config.rateLimit).toBeUndefined();
    expect(config.cors).toBeUndefined();
  });

  it('accepts a rate limit and CORS origins', () => {
    const config = parseConfig({
      ...base,
      rateLimit: { windowMs: 60_000, max: 100 },
      cors: { origins: ['https://catalogue.education.example', 'http://localhost:5173'] },
    });

    expect(config.rateLimit).toEqual({ windowMs: 60_000, max: 100 });
    expect(config.cors?.origins).toHaveLength(2);
  });

  it.each([
    ['a zero limit', { rateLimit: { windowMs: 60_000, max: 0 } }],
    ['a sub-second window', { rateLimit: { windowMs: 10, max: 5 } }],
    ['a wildcard origin', { cors: { origins: ['*'] } }],
    ['an origin with a path', { cors: { origins: ['https://app.example/path'] } }],
    ['an empty origin list', { cors: { origins: [] } }],
  ])('rejects %s', (_case, override) => {
    expect(() => parseConfig({ ...base, ...override })).toThrow(ConfigError);
  });
});
