import { canonicalJson, canonicalJsonBytes, sha256Hex } from '../src';

describe('canonicalJson', () => {
  it('orders object keys at every depth regardless of insertion order', () => {
    expect(canonicalJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[{"y":2,"z":1}]},"b":1}');
  });

  it('leaves out undefined members as JSON.stringify does, and writes top-level undefined as null', () => {
    expect(canonicalJson({ b: undefined, a: [1, undefined] })).toBe('{"a":[1,null]}');
    expect(canonicalJson(undefined)).toBe('null');
  });

  it('is the same text whatever order the keys were inserted in, so hashes agree', () => {
    const one = { caseReference: 'JUS-2026-001', notes: 'n' };
    const other = { notes: 'n', caseReference: 'JUS-2026-001' };
    expect(sha256Hex(canonicalJsonBytes(one))).toBe(sha256Hex(canonicalJson(other)));
  });
});

describe('sha256Hex', () => {
  it('hashes strings as UTF-8 and bytes as they are, over the concatenation of its parts', () => {
    const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    expect(sha256Hex('')).toBe(empty);
    expect(sha256Hex(new Uint8Array())).toBe(empty);
    expect(sha256Hex('ab', 'c')).toBe(sha256Hex(Buffer.from('abc')));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
