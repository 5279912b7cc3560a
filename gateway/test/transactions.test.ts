import { CommitFailedError, GovshareChaincodeError } from '../src/fabric/errors';
import { evaluateTransaction, submitTransaction, validationCodeName } from '../src/fabric/transactions';
import { FakeFabricFlow, MVCC_READ_CONFLICT, VALID } from './support/fakeFabricFlow';

const noWait = { sleep: () => Promise.resolve(), random: () => 0 };
const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 };

/** A contract whose n-th proposal commits with statuses[n-1]; records every proposal made. */
function scriptedContract(statuses: number[], endorseError?: Error) {
  const fabric = new FakeFabricFlow();
  fabric.commitCodes.push(...statuses);
  fabric.endorseError = endorseError;
  return { contract: fabric.contract, proposals: fabric.proposals, fabric };
}

describe('submitTransaction', () => {
  it('returns the result, txId and block number once the transaction is VALID', async () => {
    const { contract, proposals } = scriptedContract([VALID]);

    const res = await submitTransaction(contract, 'RegisterDataset', ['a', 'b'], policy, noWait);

    expect(res).toEqual({ result: Buffer.from('result-tx1'), txId: 'tx1', blockNumber: 11n });
    expect(proposals).toEqual([{ txId: 'tx1', name: 'RegisterDataset', args: ['a', 'b'] }]);
  });

  it('retries an MVCC_READ_CONFLICT with a new transaction', async () => {
    const { contract, proposals } = scriptedContract([MVCC_READ_CONFLICT, VALID]);

    const res = await submitTransaction(contract, 'RegisterDataset', [], policy, noWait);

    expect(res.txId).toBe('tx2');
    expect(proposals.map((p) => p.txId)).toEqual(['tx1', 'tx2']);
  });

  it('throws CommitFailedError with the validation code name for other invalid statuses', async () => {
    const { contract, proposals } = scriptedContract([10]);

    const failure = submitTransaction(contract, 'RegisterDataset', [], policy, noWait);

    await expect(failure).rejects.toBeInstanceOf(CommitFailedError);
    await expect(failure).rejects.toMatchObject({ validationCode: 'ENDORSEMENT_POLICY_FAILURE', txId: 'tx1' });
    expect(proposals).toHaveLength(1);
  });

  it('translates an endorsement error carrying a chaincode code', async () => {
    const endorseError = Object.assign(new Error('10 ABORTED: failed to endorse'), {
      code: 10,
      details: [{ address: 'peer0:7051', mspId: 'EducationMSP', message: 'chaincode response 500, FORBIDDEN: not your dataset' }],
    });
    const { contract } = scriptedContract([], endorseError);

    const failure = submitTransaction(contract, 'RegisterDataset', [], policy, noWait);

    await expect(failure).rejects.toBeInstanceOf(GovshareChaincodeError);
    await expect(failure).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'not your dataset', txId: 'tx1' });
  });
});

describe('submitTransaction in an idempotent request (durable)', () => {
  const journal = (recorded?: { txId: string; txName: string; transaction: Uint8Array }) => ({ recorded, persisted: [] as Uint8Array[] });

  it('persists the signed transaction before it is ordered', async () => {
    const { fabric } = scriptedContract([VALID]);
    const entries = journal();
    const durable = fabric.durable(entries);
    const persist = durable.persist.bind(durable);
    const orderedWhenPersisted: number[] = [];

    await submitTransaction(fabric.contract, 'UpdateDataset', ['d'], policy, noWait, {
      durable: {
        ...durable,
        persist: async (endorsed, txName) => {
          orderedWhenPersisted.push(fabric.ordered.length);
          return await persist(endorsed, txName);
        },
      },
    });

    expect(orderedWhenPersisted).toEqual([0]);
    expect(entries.persisted.map((bytes) => Buffer.from(bytes).toString())).toEqual([Buffer.from(FakeFabricFlow.bytesOf('tx1')).toString()]);
  });

  it('answers the committed result of a recorded transaction VALID on the ledger, without submitting anything', async () => {
    const { fabric } = scriptedContract([]);
    const first = fabric.commit('tx-first');

    const res = await submitTransaction(fabric.contract, 'UpdateDataset', ['d'], policy, noWait, {
      durable: fabric.durable(journal({ txId: 'tx-first', txName: 'UpdateDataset', transaction: FakeFabricFlow.bytesOf('tx-first') })),
    });

    expect(res).toEqual({ result: Buffer.from('result-tx-first'), txId: 'tx-first', blockNumber: first.blockNumber });
    expect(fabric.proposals).toEqual([]);
    expect(fabric.ordered).toEqual(['tx-first']);
  });

  it('resubmits the same signed transaction (same txId) when the ledger does not hold it', async () => {
    const { fabric } = scriptedContract([]);

    const res = await submitTransaction(fabric.contract, 'UpdateDataset', ['d'], policy, noWait, {
      durable: fabric.durable(journal({ txId: 'tx-lost', txName: 'UpdateDataset', transaction: FakeFabricFlow.bytesOf('tx-lost') })),
    });

    expect(res.txId).toBe('tx-lost');
    expect(fabric.proposals).toEqual([]);
    expect(fabric.ordered).toEqual(['tx-lost']);
  });

  it('commits once when the first copy arrives after the resubmission was sent: the duplicate is invalid', async () => {
    const { fabric } = scriptedContract([]);
    const durable = fabric.durable(journal({ txId: 'tx-late', txName: 'UpdateDataset', transaction: FakeFabricFlow.bytesOf('tx-late') }));
    const recreate = durable.recreate.bind(durable);
    let first: { blockNumber: bigint } | undefined;

    const res = await submitTransaction(fabric.contract, 'UpdateDataset', ['d'], policy, noWait, {
      durable: {
        ...durable,
        recreate: (bytes) => {
          const transaction = recreate(bytes);
          return {
            ...transaction,
            submit: async () => {
              // The first attempt's copy is ordered first; the resubmission commits as DUPLICATE_TXID.
              first = fabric.commit('tx-late');
              return await transaction.submit();
            },
          };
        },
      },
    });

    expect(res).toMatchObject({ txId: 'tx-late', blockNumber: first?.blockNumber });
    expect(fabric.ledger.get('tx-late')).toEqual({ code: VALID, blockNumber: first?.blockNumber });
    expect(fabric.proposals).toEqual([]);
  });

  it('submits a new transaction when the recorded one was committed invalid (it took no effect)', async () => {
    const { fabric } = scriptedContract([MVCC_READ_CONFLICT]);
    fabric.commit('tx-conflicted');
    const entries = journal({ txId: 'tx-conflicted', txName: 'UpdateDataset', transaction: FakeFabricFlow.bytesOf('tx-conflicted') });

    const res = await submitTransaction(fabric.contract, 'UpdateDataset', ['d'], policy, noWait, { durable: fabric.durable(entries) });

    expect(res.txId).toBe('tx1');
    expect(entries.persisted).toHaveLength(1);
  });

  it('refuses to settle a recorded transaction of another transaction name', async () => {
    const { fabric } = scriptedContract([]);

    const failure = submitTransaction(fabric.contract, 'UpdateDataset', ['d'], policy, noWait, {
      durable: fabric.durable(journal({ txId: 'tx-x', txName: 'RetireDataset', transaction: FakeFabricFlow.bytesOf('tx-x') })),
    });

    await expect(failure).rejects.toThrow(/first attempt submitted RetireDataset/);
    expect(fabric.ordered).toEqual([]);
  });
});

describe('evaluateTransaction', () => {
  it('returns the evaluated payload', async () => {
    const { contract } = scriptedContract([]);

    await expect(evaluateTransaction(contract, 'ReadDataset', ['x'])).resolves.toEqual(Buffer.from('{"ok":true}'));
  });
});

describe('validationCodeName', () => {
  it('names Fabric validation codes', () => {
    expect(validationCodeName(0)).toBe('VALID');
    expect(validationCodeName(11)).toBe('MVCC_READ_CONFLICT');
    expect(validationCodeName(999)).toBe('UNKNOWN_VALIDATION_CODE_999');
  });
});
