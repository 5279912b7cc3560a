import { buildDataset, retireDataset, updateDataset } from '../src/domain/datasets';
import type { TxInfo } from '../src/domain/tx';
import { parseArgument } from '../src/domain/validation';
import { Dataset, DatasetRegistration, DatasetUpdate, GovshareError } from 'govshare-contract';
import { caller, dataset, errorOf, T0, txAt } from './support/domain-fixtures';

const FINGERPRINT = 'a'.repeat(64);
const validateRegistration = (input: unknown) => parseArgument(DatasetRegistration, input);
const validateUpdate = (input: unknown) => parseArgument(DatasetUpdate, input);
const valid = {
  id: 'census-2021.v1',
  title: 'Census 2021',
  description: 'Household census microdata',
  classification: 'RESTRICTED',
  fingerprint: FINGERPRINT,
};
const DEFAULTS = { themes: [], keywords: [], fields: [], updateFrequency: 'IRREGULAR', license: 'UNSPECIFIED', contactUnit: 'UNASSIGNED' };
const tx: TxInfo = {
  txId: 'tx-1',
  timestamp: '2025-01-15T09:30:00.000Z',
  caller: { mspId: 'EducationMSP', id: 'education-officer', role: 'officer' },
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
  it('accepts the five core properties and defaults the rest', () => {
    expect(validateRegistration(valid)).toEqual({ ...valid, ...DEFAULTS });
  });

  it('accepts a full registration', () => {
    const full = {
      ...valid,
      themes: ['population', 'households'],
      keywords: ['census'],
      fields: [{ name: 'household_size', type: 'INTEGER', sensitivity: 'NONE' }],
      updateFrequency: 'NEVER',
      license: 'CC-BY-4.0',
      contactUnit: 'STATS.CENSUS',
    };
    expect(validateRegistration(full)).toEqual(full);
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
    ['themes', ['Education']],
    ['themes', ['a', 'a']],
    ['keywords', ['with space']],
    ['fields', [{ name: 'x', type: 'STRING', sensitivity: 'NONE' }, { name: 'x', type: 'DATE', sensitivity: 'NONE' }]],
    ['fields', [{ name: 'x', type: 'STRING', sensitivity: 'SECRETISH' }]],
    ['fields', [{ name: '1x', type: 'STRING', sensitivity: 'NONE' }]],
    ['updateFrequency', 'HOURLY'],
    ['license', ''],
    ['contactUnit', 'jane.doe@example.org'],
    ['contactUnit', 'Jane Doe'],
    ['contactUnit', '+44 20 7946 0000'],
  ])('rejects %s %j with INVALID_ARGUMENT naming the field', (field, value) => {
    expect(rejection({ ...valid, [field]: value })).toMatch(new RegExp(`^INVALID_ARGUMENT: ${field}(\\.\\d+(\\.\\w+)?)?: \\S`));
  });

  it('accepts boundary lengths', () => {
    expect(() =>
      validateRegistration({ ...valid, id: 'a'.repeat(64), title: 't'.repeat(200), description: '' }),
    ).not.toThrow();
    expect(() => validateRegistration({ ...valid, description: 'd'.repeat(2000) })).not.toThrow();
  });

  it('rejects unknown properties such as an owner chosen by the caller', () => {
    expect(rejection({ ...valid, ownerMsp: 'FinanceMSP' })).toMatch(/^INVALID_ARGUMENT: /);
  });
});

describe('buildDataset', () => {
  it('makes the caller organisation the owner of a new ACTIVE version-1 dataset stamped with the tx', () => {
    const built = buildDataset(validateRegistration(valid), tx);
    const created = { txId: 'tx-1', timestamp: '2025-01-15T09:30:00.000Z', actor: { mspId: 'EducationMSP', id: 'education-officer' } };
    expect(built).toEqual({
      ...valid,
      ...DEFAULTS,
      ownerMsp: 'EducationMSP',
      version: 1,
      contentVersion: 1,
      status: 'ACTIVE',
      created,
      updated: created,
    });
    expect(Dataset.parse(built)).toEqual(built);
  });
});

describe('updateDataset', () => {
  const later = txAt('2026-03-02T00:00:00.000Z', caller('EducationMSP'), 'tx-2');

  it('bumps version on every change, and contentVersion only for a new fingerprint', () => {
    const retitled = updateDataset(dataset(), validateUpdate({ title: 'New title' }), later);
    expect(retitled).toMatchObject({ title: 'New title', version: 2, contentVersion: 1, updated: { txId: 'tx-2' } });
    expect(retitled.created).toEqual(dataset().created);
    const sameFingerprint = updateDataset(dataset(), validateUpdate({ fingerprint: 'f'.repeat(64) }), later);
    expect(sameFingerprint).toMatchObject({ version: 2, contentVersion: 1 });
    const newContent = updateDataset(dataset(), validateUpdate({ fingerprint: 'e'.repeat(64) }), later);
    expect(newContent).toMatchObject({ version: 2, contentVersion: 2, fingerprint: 'e'.repeat(64) });
  });

  it('refuses another organisation with FORBIDDEN', () => {
    expect(errorOf(() => updateDataset(dataset(), validateUpdate({ title: 'x' }), txAt(T0, caller('FinanceMSP'))))).toMatch(/^FORBIDDEN: /);
  });

  it('refuses a retired dataset with DATASET_RETIRED', () => {
    expect(errorOf(() => updateDataset(dataset({ status: 'RETIRED' }), validateUpdate({ title: 'x' }), later))).toMatch(/^DATASET_RETIRED: /);
  });

  it('rejects an empty update and unknown or immutable properties', () => {
    expect(errorOf(() => validateUpdate({}))).toMatch(/^INVALID_ARGUMENT: input: must change at least one property/);
    expect(errorOf(() => validateUpdate({ ownerMsp: 'FinanceMSP' }))).toMatch(/^INVALID_ARGUMENT: /);
    expect(errorOf(() => validateUpdate({ id: 'other' }))).toMatch(/^INVALID_ARGUMENT: /);
  });
});

describe('retireDataset', () => {
  it('retires once, by the owner only', () => {
    const retired = retireDataset(dataset(), txAt(T0, caller('EducationMSP', 'approver')));
    expect(retired).toMatchObject({ status: 'RETIRED', version: 2 });
    expect(errorOf(() => retireDataset(retired, txAt(T0)))).toMatch(/^DATASET_RETIRED: /);
    expect(errorOf(() => retireDataset(dataset(), txAt(T0, caller('JusticeMSP'))))).toMatch(/^FORBIDDEN: /);
  });
});
