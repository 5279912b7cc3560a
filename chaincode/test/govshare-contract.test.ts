import './support/quiet-fabric-logs';
import { GovshareContract } from '../src/contracts/govshare-contract';
import { callerOf } from '../src/contracts/tx-context';
import { contracts } from '../src/index';
import { Dataset } from '../src/model';
import { FakeLedger, ORG1_ALICE, ORG2_BOB } from './support/fake-context';

const FINGERPRINT = 'ab'.repeat(32);
type RegisterArgs = [id: string, title: string, description: string, classification: string, fingerprint: string];
const ARGS: RegisterArgs = ['census-2021', 'Census 2021', 'Household census microdata', 'RESTRICTED', FINGERPRINT];
const DATASET_KEY = '\u0000dataset\u0000census-2021\u0000';

describe('GovshareContract', () => {
  let ledger: FakeLedger;
  const contract = new GovshareContract();

  beforeEach(() => {
    ledger = new FakeLedger();
  });

  it('is the only, hence default, contract and is named govshare', () => {
    expect(contracts).toEqual([GovshareContract]);
    expect(contract.getName()).toBe('govshare');
  });

  describe('RegisterDataset', () => {
    it('stores exactly the dataset it returns, under the dataset composite key', async () => {
      const tx = ledger.tx({ txId: 'tx-register', timestamp: new Date('2025-03-01T12:00:00.250Z') });
      const returned = await contract.RegisterDataset(tx.ctx, ...ARGS);

      expect([...ledger.snapshot()]).toEqual([[DATASET_KEY, returned]]);
      const stamp = { txId: 'tx-register', timestamp: '2025-03-01T12:00:00.250Z', actor: { mspId: 'Org1MSP', id: 'alice' } };
      expect(Dataset.parse(JSON.parse(returned))).toEqual({
        id: 'census-2021',
        ownerMsp: 'Org1MSP',
        title: 'Census 2021',
        description: 'Household census microdata',
        classification: 'RESTRICTED',
        fingerprint: FINGERPRINT,
        version: 1,
        status: 'ACTIVE',
        created: stamp,
        updated: stamp,
      });
    });

    it("makes the caller's MSP the owner", async () => {
      const returned = await contract.RegisterDataset(ledger.tx({ identity: ORG2_BOB }).ctx, ...ARGS);
      expect(JSON.parse(returned)).toMatchObject({ ownerMsp: 'Org2MSP', created: { actor: { mspId: 'Org2MSP', id: 'bob' } } });
    });

    it('serialises with sorted keys at every level', async () => {
      const returned = await contract.RegisterDataset(ledger.tx().ctx, ...ARGS);
      expect(returned.startsWith('{"classification":"RESTRICTED","created":{"actor":{"id":"alice","mspId":"Org1MSP"},"timestamp":')).toBe(true);
      const keysInOrder = (value: unknown): void => {
        if (value === null || typeof value !== 'object') return;
        const keys = Object.keys(value);
        expect(keys).toEqual([...keys].sort());
        Object.values(value).forEach(keysInOrder);
      };
      keysInOrder(JSON.parse(returned));
    });

    it('emits exactly one DatasetRegistered event with sorted-key JSON', async () => {
      const tx = ledger.tx({ txId: 'tx-event' });
      await contract.RegisterDataset(tx.ctx, ...ARGS);
      expect(tx.events).toEqual([
        { name: 'DatasetRegistered', payload: '{"datasetId":"census-2021","ownerMsp":"Org1MSP","txId":"tx-event"}' },
      ]);
    });

    it('stores an uppercase fingerprint in lowercase', async () => {
      const returned = await contract.RegisterDataset(ledger.tx().ctx, ...ARGS.slice(0, 4) as [string, string, string, string], FINGERPRINT.toUpperCase());
      expect(JSON.parse(returned)).toMatchObject({ fingerprint: FINGERPRINT });
    });

    it('rejects a duplicate id with DATASET_EXISTS, changes nothing and emits no event', async () => {
      await contract.RegisterDataset(ledger.tx().ctx, ...ARGS);
      const before = ledger.snapshot();
      const tx = ledger.tx({ identity: ORG2_BOB });

      await expect(contract.RegisterDataset(tx.ctx, 'census-2021', 'Other', '', 'PUBLIC', FINGERPRINT)).rejects.toThrow(
        "DATASET_EXISTS: dataset 'census-2021' already exists",
      );
      expect(ledger.snapshot()).toEqual(before);
      expect(tx.writes).toEqual([]);
      expect(tx.events).toEqual([]);
    });

    it.each<[string, RegisterArgs]>([
      ['id', ['', ...ARGS.slice(1)] as RegisterArgs],
      ['id', ['bad id!', ...ARGS.slice(1)] as RegisterArgs],
      ['title', [ARGS[0], '', ...ARGS.slice(2)] as RegisterArgs],
      ['title', [ARGS[0], 'x'.repeat(201), ...ARGS.slice(2)] as RegisterArgs],
      ['description', [ARGS[0], ARGS[1], 'x'.repeat(2001), ARGS[3], ARGS[4]]],
      ['classification', [ARGS[0], ARGS[1], ARGS[2], 'CONFIDENTIAL', ARGS[4]]],
      ['fingerprint', [...ARGS.slice(0, 4), 'not-a-digest'] as RegisterArgs],
    ])('rejects an invalid %s with INVALID_ARGUMENT and writes nothing', async (field, args) => {
      const tx = ledger.tx();
      await expect(contract.RegisterDataset(tx.ctx, ...args)).rejects.toThrow(new RegExp(`^INVALID_ARGUMENT: ${field}: `));
      expect(tx.writes).toEqual([]);
      expect(tx.events).toEqual([]);
      expect(ledger.state.size).toBe(0);
    });
  });

  describe('ReadDataset', () => {
    it('returns the registered dataset byte for byte', async () => {
      const registered = await contract.RegisterDataset(ledger.tx().ctx, ...ARGS);
      const tx = ledger.tx({ identity: ORG2_BOB });
      await expect(contract.ReadDataset(tx.ctx, 'census-2021')).resolves.toBe(registered);
      expect(tx.writes).toEqual([]);
      expect(tx.events).toEqual([]);
    });

    it('rejects a missing dataset with DATASET_NOT_FOUND', async () => {
      await expect(contract.ReadDataset(ledger.tx().ctx, 'nope')).rejects.toThrow(
        "DATASET_NOT_FOUND: dataset 'nope' does not exist",
      );
    });

    it('rejects a malformed id with INVALID_ARGUMENT before touching the ledger', async () => {
      await expect(contract.ReadDataset(ledger.tx().ctx, 'a\u0000b')).rejects.toThrow(/^INVALID_ARGUMENT: input: /);
    });

    it('reports unreadable stored state as INTERNAL', async () => {
      ledger.state.set(DATASET_KEY, Buffer.from('{"id":"census-2021"}'));
      await expect(contract.ReadDataset(ledger.tx().ctx, 'census-2021')).rejects.toThrow(/^INTERNAL: /);
    });
  });

  describe('callerOf', () => {
    it('reads MSP, enrolment id (CN) and role attribute', () => {
      expect(callerOf(ledger.tx({ identity: ORG1_ALICE }).ctx)).toEqual({ mspId: 'Org1MSP', id: 'alice', role: 'data-steward' });
      expect(callerOf(ledger.tx({ identity: ORG2_BOB }).ctx)).toEqual({ mspId: 'Org2MSP', id: 'bob', role: null });
    });
  });
});
