import { Context } from 'fabric-contract-api';
import type { ChaincodeStub, ClientIdentity, Iterators } from 'fabric-shim-api';
import Long from 'long';

/** Fabric's composite-key format: U+0000, objectType, U+0000, then each attribute followed by U+0000. */
const SEP = '\u0000';
const MAX_RUNE = '\u{10ffff}';

export interface FakeIdentity {
  mspId: string;
  /** fabric-shim ClientIdentity id: `x509::<subject DN>::<issuer DN>`. */
  id: string;
  attrs?: Record<string, string>;
}

export interface RecordedEvent {
  name: string;
  payload: string;
}

export const ORG1_ALICE: FakeIdentity = {
  mspId: 'Org1MSP',
  id: 'x509::/C=US/ST=North Carolina/O=Hyperledger/OU=client/OU=org1/CN=alice::/C=US/ST=North Carolina/L=Durham/O=org1.example.com/CN=ca.org1.example.com',
  attrs: { role: 'data-steward' },
};

export const ORG2_BOB: FakeIdentity = {
  mspId: 'Org2MSP',
  id: 'x509::/C=UK/O=Hyperledger/OU=client/CN=bob::/C=UK/O=org2.example.com/CN=ca.org2.example.com',
};

/** Fabric orders keys by their UTF-8 bytes (Go string comparison), not UTF-16 code units. */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

class FakeIterator implements Iterators.StateQueryIterator {
  private index = 0;
  closed = false;

  constructor(private readonly kvs: Iterators.KV[]) {}

  next(): Promise<Iterators.NextResult<Iterators.KV>> {
    const kv = this.kvs[this.index];
    this.index += 1;
    // The shim resolves `{ done: true }` without a value at the end.
    return Promise.resolve(
      kv === undefined ? ({ done: true } as Iterators.NextResult<Iterators.KV>) : { value: kv, done: false },
    );
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

/**
 * An in-memory world state shared by successive transactions; each `tx()` gives a fresh Context
 * with its own txId, timestamp, caller and event recorder.
 */
export class FakeLedger {
  readonly state = new Map<string, Uint8Array>();
  private txCounter = 0;

  tx(options: { identity?: FakeIdentity; txId?: string; timestamp?: Date } = {}): FakeTx {
    this.txCounter += 1;
    return new FakeTx(
      this,
      options.identity ?? ORG1_ALICE,
      options.txId ?? `tx${String(this.txCounter).padStart(4, '0')}`,
      options.timestamp ?? new Date(Date.UTC(2025, 0, 15, 9, 30, this.txCounter, 123)),
    );
  }

  /** A copy of the world state as UTF-8 strings, for before/after comparisons. */
  snapshot(): Map<string, string> {
    return new Map([...this.state].map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));
  }
}

export class FakeTx {
  readonly ctx: Context;
  readonly events: RecordedEvent[] = [];
  readonly writes: string[] = [];
  readonly iterators: FakeIterator[] = [];

  constructor(
    private readonly ledger: FakeLedger,
    identity: FakeIdentity,
    readonly txId: string,
    readonly timestamp: Date,
  ) {
    this.ctx = new Context();
    this.ctx.stub = this.stub();
    this.ctx.clientIdentity = clientIdentity(identity);
  }

  private stub(): ChaincodeStub {
    const { state } = this.ledger;
    const range = (startKey: string, endKey: string): Promise<Iterators.StateQueryIterator> & AsyncIterable<Iterators.KV> => {
      const kvs = [...state.keys()]
        .filter((k) => (startKey === '' || compareKeys(k, startKey) >= 0) && (endKey === '' || compareKeys(k, endKey) < 0))
        .sort(compareKeys)
        .map((key) => ({ namespace: 'govshare', key, value: Uint8Array.from(state.get(key) ?? []) }));
      const iterator = new FakeIterator(kvs);
      this.iterators.push(iterator);
      return Object.assign(Promise.resolve<Iterators.StateQueryIterator>(iterator), {
        [Symbol.asyncIterator]: (): AsyncIterator<Iterators.KV> => {
          throw new Error('FakeStub: use the iterator helpers in src/ledger');
        },
      });
    };
    const createCompositeKey = (objectType: string, attributes: string[]): string => {
      for (const part of [objectType, ...attributes]) {
        if (part.length === 0) throw new Error('object type or attribute not a non-zero length string');
        if (part.includes(SEP) || part.includes(MAX_RUNE)) throw new Error(`invalid composite key part '${part}'`);
      }
      return SEP + objectType + SEP + attributes.map((a) => a + SEP).join('');
    };
    const seconds = Math.floor(this.timestamp.getTime() / 1000);
    const nanos = (this.timestamp.getTime() % 1000) * 1_000_000;

    const stub: Partial<ChaincodeStub> = {
      getTxID: () => this.txId,
      getChannelID: () => 'govshare',
      getTxTimestamp: () => ({ seconds: Long.fromNumber(seconds, true), nanos }),
      getDateTimestamp: () => new Date(this.timestamp.getTime()),
      getState: (key) => Promise.resolve(Uint8Array.from(state.get(key) ?? [])),
      putState: (key, value) => {
        if (key.length === 0) return Promise.reject(new Error('key must not be empty'));
        this.writes.push(key);
        state.set(key, Uint8Array.from(value));
        return Promise.resolve();
      },
      deleteState: (key) => {
        this.writes.push(key);
        state.delete(key);
        return Promise.resolve();
      },
      getStateByRange: range,
      getStateByPartialCompositeKey: (objectType, attributes) => {
        const prefix = createCompositeKey(objectType, attributes);
        return range(prefix, prefix + MAX_RUNE);
      },
      createCompositeKey,
      setEvent: (name, payload) => {
        this.events.push({ name, payload: Buffer.from(payload).toString('utf8') });
      },
    };
    // Only the members above exist; calling anything else fails loudly in a test.
    return stub as ChaincodeStub;
  }
}

function clientIdentity(identity: FakeIdentity): ClientIdentity {
  const attrs = identity.attrs ?? {};
  return {
    getMSPID: () => identity.mspId,
    getID: () => identity.id,
    getIDBytes: () => new Uint8Array(),
    getAttributeValue: (name) => attrs[name] ?? null,
    assertAttributeValue: (name, value) => attrs[name] === value,
  };
}
