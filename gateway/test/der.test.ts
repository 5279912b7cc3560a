import { randomBytes } from 'node:crypto';

import { derInteger, derOctetString, derSequence, derUnsignedInteger } from '../src/fabric/der';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('DER INTEGER', () => {
  it.each([
    [0n, '020100'],
    [5n, '020105'],
    [0x7fn, '02017f'],
    [0x80n, '02020080'],
    [0x100n, '02020100'],
    [0xffffn, '020300ffff'],
  ])('encodes %s minimally', (value, expected) => {
    expect(hex(derInteger(value))).toBe(expected);
  });

  it('rejects negative values', () => {
    expect(() => derInteger(-1n)).toThrow(RangeError);
  });

  it('drops leading zero bytes and adds 0x00 before a set top bit', () => {
    expect(hex(derUnsignedInteger(Buffer.from('0000000005', 'hex')))).toBe('020105');
    expect(hex(derUnsignedInteger(Buffer.from('000080', 'hex')))).toBe('02020080');
    expect(hex(derUnsignedInteger(Buffer.alloc(32)))).toBe('020100');
    expect(hex(derUnsignedInteger(new Uint8Array()))).toBe('020100');
  });

  it('encodes bytes as the integer they stand for', () => {
    for (let i = 0; i < 200; i += 1) {
      const bytes = randomBytes(1 + (i % 48));
      if (i % 3 === 0) bytes.fill(0, 0, Math.min(bytes.length, 1 + (i % 5)));
      expect(hex(derUnsignedInteger(bytes))).toBe(hex(derInteger(BigInt(`0x${bytes.toString('hex')}`))));
    }
  });
});

describe('DER lengths', () => {
  it('uses the long form from 128 bytes of content', () => {
    expect(hex(derOctetString(Buffer.alloc(127))).slice(0, 4)).toBe('047f');
    expect(hex(derOctetString(Buffer.alloc(128))).slice(0, 6)).toBe('048180');
    expect(hex(derOctetString(Buffer.alloc(300))).slice(0, 8)).toBe('0482012c');
    expect(hex(derSequence(derInteger(1n), derOctetString(Buffer.from('ab', 'hex'))))).toBe('30060201010401ab');
  });
});
