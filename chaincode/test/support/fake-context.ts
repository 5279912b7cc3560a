import { GovshareContext } from '../../src/contracts/context';
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

/** A demo user as enrolled on the network: `<department>-<role>` with the CA attribute role. */
export function user(mspId: string, role: string | null): FakeIdentity {
  const name = `${mspId.replace(/MSP$/, '').toLowerCase()}-${role ?? 'norole'}`;
  return {
    mspId,
    id: `x509::/C=US/O=Hyperledger/OU=client/CN=${name}::/C=US/O=${mspId}/CN=ca.${mspId}`,
    ...(role === null ? {} : { attrs: { role } }),
  };
}

export const EDU_OFFICER = user('EducationMSP', 'officer');
export const EDU_APPROVER = user('EducationMSP', 'approver');
export const FIN_OFFICER = user('FinanceMSP', 'officer');
export const FIN_APPROVER = user('FinanceMSP', 'approver');
export const JUS_OFFICER = user('JusticeMSP', 'officer');
export const JUS_APPROVER = user('JusticeMSP', 'approver');
export const AUDITOR = user('AuditMSP', 'auditor');

/** An organisation's gateway identity: the ecert attribute govshare.role=gateway, no role. */
export function gateway(mspId: string): FakeIdentity {
  const org = mspId.replace(/MSP$/, '').toLowerCase();
  return {
    mspId,
    id: `x509::/C=US/O=Hyperledger/OU=client/CN=gateway.${org}::/C=US/O=${mspId}/CN=ca.${mspId}`,
    attrs: { 'govshare.role': 'gateway' },
  };
}
export const EDU_GATEWAY = gateway('EducationMSP');
export const JUS_GATEWAY = gateway('JusticeMSP');

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

  /** How many entries the peer handed out through this iterator (what a query cost). */
  get size(): number {
    return this.kvs.length;
  }

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
export interface HistoryEntry {
  txId: string;
  timestamp: Date;
  value: Uint8Array;
  isDelete: boolean;
}

export interface TxOptions {
  identity?: FakeIdentity;
  txId?: string;
  timestamp?: Date;
  transient?: Record<string, string>;
}

export class FakeLedger {
  readonly state = new Map<string, Uint8Array>();
  readonly history = new Map<string, HistoryEntry[]>();
  /** State-based endorsement policies by key. */
  readonly validationParameters = new Map<string, Uint8Array>();
  /** Private data by collection, then key. */
  readonly privateData = new Map<string, Map<string, Uint8Array>>();
  /** Every transaction context handed out, in order. */
  readonly txs: FakeTx[] = [];
  private txCounter = 0;

  tx(options: TxOptions = {}): FakeTx {
    this.txCounter += 1;
    const tx = new FakeTx(
      this,
      options.identity ?? ORG1_ALICE,
      options.txId ?? `tx${String(this.txCounter).padStart(4, '0')}`,
      options.timestamp ?? new Date(Date.UTC(2025, 0, 15, 9, 30, this.txCounter, 123)),
      options.transient ?? {},
    );
    this.txs.push(tx);
    return tx;
  }

  /** Keys of one composite-key object type, e.g. `keysOf('audit')`. */
  keysOf(objectType: string): string[] {
    return [...this.state.keys()].filter((k) => k.startsWith(`${SEP}${objectType}${SEP}`)).sort(compareKeys);
  }

  /** Parsed JSON values of one object type, in key order. */
  valuesOf(objectType: string): unknown[] {
    return this.keysOf(objectType).map((k) => JSON.parse(Buffer.from(this.state.get(k) ?? []).toString('utf8')) as unknown);
  }

  /** A copy of the world state as UTF-8 strings, for before/after comparisons. */
  snapshot(): Map<string, string> {
    return new Map([...this.state].map(([k, v]) => [k, Buffer.from(v).toString('utf8')]));
  }
}

export class FakeTx {
  readonly ctx: GovshareContext;
  readonly events: RecordedEvent[] = [];
  readonly writes: string[] = [];
  /** Every key read with getState, in order (repeats included). */
  readonly reads: string[] = [];
  readonly iterators: FakeIterator[] = [];

  constructor(
    private readonly ledger: FakeLedger,
    identity: FakeIdentity,
    readonly txId: string,
    readonly timestamp: Date,
    private readonly transient: Record<string, string>,
  ) {
    this.ctx = new GovshareContext();
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

    const record = (key: string, value: Uint8Array, isDelete: boolean): void => {
      const entries = this.ledger.history.get(key) ?? [];
      entries.push({ txId: this.txId, timestamp: this.timestamp, value, isDelete });
      this.ledger.history.set(key, entries);
    };
    const partialRange = (objectType: string, attributes: string[]): [string, string] => {
      const prefix = createCompositeKey(objectType, attributes);
      return [prefix, prefix + MAX_RUNE];
    };

    const stub: Partial<ChaincodeStub> = {
      getTxID: () => this.txId,
      getChannelID: () => 'govshare',
      getTxTimestamp: () => ({ seconds: Long.fromNumber(seconds, true), nanos }),
      getDateTimestamp: () => new Date(this.timestamp.getTime()),
      getState: (key) => {
        this.reads.push(key);
        return Promise.resolve(Uint8Array.from(state.get(key) ?? []));
      },
      putState: (key, value) => {
        if (key.length === 0) return Promise.reject(new Error('key must not be empty'));
        if (value.length === 0) return Promise.reject(new Error('FakeStub: Fabric treats an empty value as a delete'));
        this.writes.push(key);
        state.set(key, Uint8Array.from(value));
        record(key, Uint8Array.from(value), false);
        return Promise.resolve();
      },
      deleteState: (key) => {
        this.writes.push(key);
        state.delete(key);
        record(key, new Uint8Array(), true);
        return Promise.resolve();
      },
      getStateByPartialCompositeKeyWithPagination: (objectType, attributes, pageSize, bookmark) => {
        // Fabric's bookmark is the first key of the next page; '' when there is none.
        const [start, end] = partialRange(objectType, attributes);
        const keys = [...state.keys()]
          .filter((k) => compareKeys(k, bookmark !== undefined && bookmark !== '' ? bookmark : start) >= 0 && compareKeys(k, end) < 0)
          .sort(compareKeys);
        const page = keys.slice(0, pageSize);
        const iterator = new FakeIterator(page.map((key) => ({ namespace: 'govshare', key, value: Uint8Array.from(state.get(key) ?? []) })));
        this.iterators.push(iterator);
        const response = { iterator, metadata: { fetchedRecordsCount: page.length, bookmark: keys[pageSize] ?? '' } };
        return Object.assign(Promise.resolve(response), {
          [Symbol.asyncIterator]: (): AsyncIterator<Iterators.KV> => {
            throw new Error('FakeStub: use the iterator helpers in src/ledger');
          },
        });
      },
      getHistoryForKey: (key) => {
        const entries = (this.ledger.history.get(key) ?? []).slice().reverse();
        let index = 0;
        const iterator = {
          next: () => {
            const entry = entries[index];
            index += 1;
            if (entry === undefined) return Promise.resolve({ done: true } as Iterators.NextResult<Iterators.KeyModification>);
            const millis = entry.timestamp.getTime();
            // The shim hands out the protobuf Timestamp's toObject(): plain numbers.
            const timestamp = { seconds: Math.floor(millis / 1000), nanos: (millis % 1000) * 1_000_000 } as unknown as Iterators.KeyModification['timestamp'];
            return Promise.resolve({ done: false, value: { txId: entry.txId, timestamp, value: entry.value, isDelete: entry.isDelete } });
          },
          close: () => Promise.resolve(),
        } as Iterators.HistoryQueryIterator;
        return Object.assign(Promise.resolve(iterator), {
          [Symbol.asyncIterator]: (): AsyncIterator<Iterators.KeyModification> => {
            throw new Error('FakeStub: use the iterator helpers in src/ledger');
          },
        });
      },
      splitCompositeKey: (compositeKey) => {
        const parts = compositeKey.slice(1).split(SEP);
        return { objectType: parts[0] ?? '', attributes: parts.slice(1, -1) };
      },
      setStateValidationParameter: (key, ep) => {
        this.writes.push(`validation:${key}`);
        this.ledger.validationParameters.set(key, Uint8Array.from(ep));
        return Promise.resolve();
      },
      // As the real shim: undefined (despite its typings) for a key with no key-level policy.
      getStateValidationParameter: (key) => Promise.resolve(this.ledger.validationParameters.get(key) as Uint8Array),
      getTransient: () => new Map(Object.entries(this.transient).map(([k, v]) => [k, Buffer.from(v, 'utf8')])),
      putPrivateData: (collection, key, value) => {
        this.writes.push(`${collection}:${key}`);
        const store = this.ledger.privateData.get(collection) ?? new Map<string, Uint8Array>();
        store.set(key, Uint8Array.from(value));
        this.ledger.privateData.set(collection, store);
        return Promise.resolve();
      },
      getPrivateData: (collection, key) => Promise.resolve(Uint8Array.from(this.ledger.privateData.get(collection)?.get(key) ?? [])),
      getFunctionAndParameters: () => ({ fcn: 'Unknown', params: [] }),
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
