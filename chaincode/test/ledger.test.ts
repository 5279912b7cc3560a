import './support/quiet-fabric-logs';
import { collectJson, datasetKey, implicitCollectionOf, pageOfKeys, printableKey } from '../src/ledger';
import { putJson } from '../src/ledger/state';
import { z } from 'zod';
import { FakeLedger } from './support/fake-context';

describe('ledger keys', () => {
  it("builds dataset keys in Fabric's composite-key format", () => {
    const { ctx } = new FakeLedger().tx();
    expect(datasetKey(ctx, 'census-2021')).toBe('\u0000dataset\u0000census-2021\u0000');
    expect(printableKey(datasetKey(ctx, 'census-2021'))).toBe('dataset/census-2021');
  });
});

describe('collectJson', () => {
  it('returns values of one object type in key order and closes the iterator', async () => {
    const ledger = new FakeLedger();
    const tx = ledger.tx();
    const { ctx } = tx;
    for (const id of ['b', 'a', 'c']) {
      await putJson(ctx, datasetKey(ctx, id), { id });
    }
    await putJson(ctx, ctx.stub.createCompositeKey('datasez', ['a']), { id: 'other type' });
    await putJson(ctx, 'plain-key', { id: 'not composite' });

    const values = await collectJson(ctx.stub.getStateByPartialCompositeKey('dataset', []), z.object({ id: z.string() }));

    expect(values).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
    expect(tx.iterators.map((it) => it.closed)).toEqual([true]);
  });

  it('closes the iterator when a value fails to parse', async () => {
    const ledger = new FakeLedger();
    const tx = ledger.tx();
    await putJson(tx.ctx, datasetKey(tx.ctx, 'a'), { id: 1 });

    await expect(
      collectJson(tx.ctx.stub.getStateByPartialCompositeKey('dataset', []), z.object({ id: z.string() })),
    ).rejects.toThrow(/^INTERNAL: state at key 'dataset\/a'/);
    expect(tx.iterators.map((it) => it.closed)).toEqual([true]);
  });
});

describe('pageOfKeys', () => {
  it('treats a response without metadata (an empty last page) as no further pages', async () => {
    const ledger = new FakeLedger();
    const tx = ledger.tx();
    const closed: boolean[] = [];
    const iterator = {
      next: () => Promise.resolve({ done: true }),
      close: () => {
        closed.push(true);
        return Promise.resolve();
      },
    };
    // What the shim resolves when the peer's QueryResponseMetadata is all defaults.
    tx.ctx.stub.getStateByPartialCompositeKeyWithPagination = (() =>
      Promise.resolve({ iterator })) as unknown as typeof tx.ctx.stub.getStateByPartialCompositeKeyWithPagination;

    await expect(pageOfKeys(tx.ctx, 'audit~time', ['2026-03-01'], 10, '', (kv) => kv.key)).resolves.toEqual({
      values: [],
      bookmark: '',
      fetchedRecordsCount: 0,
    });
    expect(closed).toEqual([true]);
  });

  it('returns one page and the bookmark of the next', async () => {
    const ledger = new FakeLedger();
    const tx = ledger.tx();
    for (const id of ['a', 'b', 'c']) await putJson(tx.ctx, datasetKey(tx.ctx, id), { id });
    const first = await pageOfKeys(tx.ctx, 'dataset', [], 2, '', (kv) => printableKey(kv.key));
    expect(first).toEqual({ values: ['dataset/a', 'dataset/b'], bookmark: datasetKey(tx.ctx, 'c'), fetchedRecordsCount: 2 });
    expect(tx.iterators.every((it) => it.closed)).toBe(true);
  });
});

describe('implicitCollectionOf', () => {
  it("names Fabric's implicit per-org collection", () => {
    expect(implicitCollectionOf('JusticeMSP')).toBe('_implicit_org_JusticeMSP');
  });
});
