import { buildDataset, validateRegistration } from '../src/domain/datasets';
import { enrolmentIdFromX509Id, isoFromTimestamp, type TxInfo } from '../src/domain/tx';
import { GovshareError } from '../src/errors';
import { Dataset } from '../src/model';

const FINGERPRINT = 'a'.repeat(64);
const valid = {
  id: 'census-2021.v1',
  title: 'Census 2021',
  description: 'Household census microdata',
  classification: 'RESTRICTED',
  fingerprint: FINGERPRINT,
};
const tx: TxInfo = {
  txId: 'tx-1',
  timestamp: '2025-01-15T09:30:00.000Z',
  caller: { mspId: 'Org1MSP', id: 'alice', role: 'data-steward' },
};

function rejection(input: unknown): string {
  try {
    validateRegistration(input);
  } catch (error) {
    if (error instanceof GovshareError) return error.message;
    throw error;
  }
  throw new Error('expected validation to fail');
}

describe('validateRegistration', () => {
  it('accepts a valid registration', () => {
    expect(validateRegistration(valid)).toEqual(valid);
  });

  it('normalises an uppercase fingerprint to lowercase', () => {
    expect(validateRegistration({ ...valid, fingerprint: 'ABCDEF'.repeat(10) + '0123' }).fingerprint).toBe(
      'abcdef'.repeat(10) + '0123',
    );
  });

  it.each([
    ['id', ''],
    ['id', '-starts-with-dash'],
    ['id', 'a'.repeat(65)],
    ['id', "x' OR '1'='1"],
    ['id', '../etc/passwd'],
    ['id', 'a\u0000b'],
    ['title', ''],
    ['title', '   '],
    ['title', 't'.repeat(201)],
    ['description', 'd'.repeat(2001)],
    ['classification', 'TOP_SECRET'],
    ['classification', 'public'],
    ['fingerprint', 'a'.repeat(63)],
    ['fingerprint', 'g'.repeat(64)],
    ['fingerprint', `sha256:${'a'.repeat(64)}`],
  ])('rejects %s %j with INVALID_ARGUMENT naming the field', (field, value) => {
    expect(rejection({ ...valid, [field]: value })).toMatch(new RegExp(`^INVALID_ARGUMENT: ${field}: \\S`));
  });

  it('accepts boundary lengths', () => {
    expect(() =>
      validateRegistration({ ...valid, id: 'a'.repeat(64), title: 't'.repeat(200), description: '' }),
    ).not.toThrow();
    expect(() => validateRegistration({ ...valid, description: 'd'.repeat(2000) })).not.toThrow();
  });

  it('rejects unknown fields', () => {
    expect(rejection({ ...valid, ownerMsp: 'Org2MSP' })).toMatch(/^INVALID_ARGUMENT: /);
  });
});

describe('buildDataset', () => {
  it('makes the caller organisation the owner of a new ACTIVE version-1 dataset stamped with the tx', () => {
    const dataset = buildDataset(validateRegistration(valid), tx);
    const stamp = { txId: 'tx-1', timestamp: '2025-01-15T09:30:00.000Z', actor: { mspId: 'Org1MSP', id: 'alice' } };
    expect(dataset).toEqual({
      ...valid,
      ownerMsp: 'Org1MSP',
      version: 1,
      status: 'ACTIVE',
      created: stamp,
      updated: stamp,
    });
    expect(Dataset.parse(dataset)).toEqual(dataset);
  });
});

describe('transaction helpers', () => {
  it('reads the CN of the subject, not of the issuer, from a fabric x509 id', () => {
    expect(
      enrolmentIdFromX509Id('x509::/C=US/O=Hyperledger/OU=client/CN=alice::/C=US/O=org1.example.com/CN=ca.org1'),
    ).toBe('alice');
    expect(enrolmentIdFromX509Id('x509::/OU=client/CN=a\\/b/O=x::/CN=ca')).toBe('a/b');
  });

  it('falls back to the whole id when the subject has no CN', () => {
    expect(enrolmentIdFromX509Id('x509::/O=NoCommonName::/CN=ca')).toBe('x509::/O=NoCommonName::/CN=ca');
  });

  it('formats a protobuf timestamp as ISO 8601 UTC with milliseconds', () => {
    expect(isoFromTimestamp(1736933400, 123_456_789)).toBe('2025-01-15T09:30:00.123Z');
    expect(isoFromTimestamp(0, 0)).toBe('1970-01-01T00:00:00.000Z');
  });
});
