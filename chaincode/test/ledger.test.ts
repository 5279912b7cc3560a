import './support/quiet-fabric-logs';
import { collectJson, datasetKey, printableKey, sortedJson } from '../src/ledger';
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

describe('sortedJson', () => {
  it('orders object keys at every depth regardless of insertion order', () => {
    expect(sortedJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
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
