import { generateKeyPairSync, sign, verify } from 'node:crypto';

import { hash } from '@hyperledger/fabric-gateway';

import { CURVES, newMessageSigner, toLowSDer } from '../src/performance/ecdsaSigner';

const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

/** r and s of a DER ECDSA signature, checking that the encoding is the minimal one. */
function parseDer(der: Uint8Array): { r: bigint; s: bigint } {
  expect(der[0]).toBe(0x30);
  expect(der[1]).toBe(der.length - 2);
  const integers: bigint[] = [];
  let offset = 2;
  while (offset < der.length) {
    expect(der[offset]).toBe(0x02);
    const length = der[offset + 1] ?? 0;
    const body = Buffer.from(der.subarray(offset + 2, offset + 2 + length));
    const [first = 0, second = 0] = body;
    expect(first & 0x80).toBe(0); // positive
    if (body.length > 1) expect(first === 0 && (second & 0x80) === 0).toBe(false); // no needless 0x00
    integers.push(BigInt(`0x${body.toString('hex')}`));
    offset += 2 + length;
  }
  const [r, s] = integers;
  if (r === undefined || s === undefined || integers.length !== 2) throw new Error('not two DER integers');
  return { r, s };
}

describe('newMessageSigner', () => {
  it('signs P-256 keys with node:crypto over the whole message (fabric-gateway hashes nothing), low-S DER', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { signer, hash: messageHash } = newMessageSigner(privateKey);
    expect(messageHash).toBe(hash.none);
    for (let i = 0; i < 64; i += 1) {
      const message = Buffer.from(`proposal ${String(i)}`);
      const signature = await signer(message);
      // The same signature fabric-gateway's own signer makes: ECDSA over SHA-256 of the message.
      expect(verify('sha256', message, publicKey, signature)).toBe(true);
      expect(parseDer(signature).s <= P256_ORDER >> 1n).toBe(true);
    }
  });

  it('uses SHA-384 for P-384 keys', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const { signer } = newMessageSigner(privateKey);
    const message = Buffer.from('proposal');
    expect(verify('sha384', message, publicKey, await signer(message))).toBe(true);
  });

  it("keeps fabric-gateway's signer and SHA-256 for other key types", () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    expect(newMessageSigner(privateKey).hash).toBe(hash.sha256);
  });
});

describe('toLowSDer', () => {
  const curve = CURVES.prime256v1;
  if (curve === undefined) throw new Error('P-256 missing');

  it('knows P-256 by its order', () => {
    expect(curve.order).toBe(P256_ORDER);
    expect(curve.halfOrder.toString('hex')).toBe((P256_ORDER >> 1n).toString(16).padStart(64, '0'));
  });

  it('replaces a high s by n − s, which still verifies', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const message = Buffer.from('message');
    const p1363 = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const s = BigInt(`0x${p1363.subarray(32).toString('hex')}`);
    // Whichever half s fell in, build the other one too: both are valid signatures of the message.
    const flipped = Buffer.concat([p1363.subarray(0, 32), Buffer.from((P256_ORDER - s).toString(16).padStart(64, '0'), 'hex')]);
    for (const raw of [p1363, flipped]) {
      const der = toLowSDer(raw, curve);
      expect(verify('sha256', message, publicKey, der)).toBe(true);
      expect(parseDer(der).s).toBe(s <= P256_ORDER >> 1n ? s : P256_ORDER - s);
    }
  });

  it('encodes r and s minimally: leading zero bytes dropped, 0x00 added before a set top bit', () => {
    const r = Buffer.alloc(32, 0);
    r[31] = 0x05;
    const s = Buffer.alloc(32, 0);
    s[1] = 0x80; // 31 significant bytes, top bit set
    const der = toLowSDer(Buffer.concat([r, s]), curve);
    expect(der.toString('hex')).toBe(`3025020105022000${s.subarray(1).toString('hex')}`);
  });

  it('rejects a signature of the wrong length', () => {
    expect(() => toLowSDer(Buffer.alloc(63), curve)).toThrow('expected 64');
  });
});
