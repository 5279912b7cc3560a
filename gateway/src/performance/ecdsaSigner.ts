import { sign, type KeyObject } from 'node:crypto';

import { hash, signers, type Hash, type Signer } from '@hyperledger/fabric-gateway';

import { derSequence, derUnsignedInteger } from '../fabric/der';

/** A signer and the hash fabric-gateway must apply to a message before handing it to that signer. */
export interface MessageSigner {
  readonly signer: Signer;
  readonly hash: Hash;
}

export interface Curve {
  /** The digest Fabric pairs with the curve. */
  readonly digest: 'sha256' | 'sha384';
  /** Bytes of r and of s in an IEEE P1363 signature. */
  readonly size: number;
  /** The group order n. */
  readonly order: bigint;
  /** ⌊n / 2⌋ as `size` big-endian bytes: a signature's s above it is high. */
  readonly halfOrder: Buffer;
}

const unsigned = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
const fixedWidth = (value: bigint, size: number): Buffer => Buffer.from(value.toString(16).padStart(2 * size, '0'), 'hex');

function ecCurve(digest: Curve['digest'], size: number, order: bigint): Curve {
  return { digest, size, order, halfOrder: fixedWidth(order >> 1n, size) };
}

/** Node's names for NIST P-256 and P-384, the curves Fabric's MSP accepts for ECDSA. */
export const CURVES: Readonly<Record<string, Curve>> = {
  prime256v1: ecCurve('sha256', 32, 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n),
  secp384r1: ecCurve(
    'sha384',
    48,
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  ),
};

/**
 * An IEEE P1363 ECDSA signature (r ‖ s) as Fabric wants it: DER, with s in the lower half of the group order.
 * Fabric rejects high-S signatures (they are malleable: (r, n − s) verifies too), and OpenSSL does not normalise.
 * s is compared as bytes (fixed width, big-endian) and only a high s goes through bigint arithmetic: this runs
 * once per proposal.
 */
export function toLowSDer(p1363: Uint8Array, curve: Curve): Buffer {
  if (p1363.length !== 2 * curve.size) {
    throw new Error(`ECDSA signature of ${String(p1363.length)} bytes, expected ${String(2 * curve.size)}`);
  }
  const r = p1363.subarray(0, curve.size);
  const s = p1363.subarray(curve.size);
  const lowS = Buffer.compare(s, curve.halfOrder) <= 0 ? s : fixedWidth(curve.order - unsigned(s), curve.size);
  return derSequence(derUnsignedInteger(r), derUnsignedInteger(lowS));
}

/**
 * A signer for a user's private key that signs with node:crypto (OpenSSL) instead of fabric-gateway's
 * pure-JavaScript ECDSA (@noble/curves), which costs ~0.3 ms of CPU per signature against ~0.03 ms: on a
 * gateway, one signature per evaluate and two per submit. OpenSSL hashes the message itself, so
 * fabric-gateway is told to pass the message through unhashed (hash.none); what is signed is the same
 * SHA-256 (P-256) or SHA-384 (P-384) ECDSA signature, low-S and DER-encoded, that Fabric verifies.
 * Other key types keep fabric-gateway's own signer and SHA-256, as before.
 *
 * Justified by: `npm run bench` P1 submit and evaluate (and `npm run bench -- cpu`), bench/HISTORY.md round 3,
 * where the JavaScript signature was the largest single cost of a gateway call.
 */
export function newMessageSigner(key: KeyObject): MessageSigner {
  const curveName = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
  const curve = curveName === undefined ? undefined : CURVES[curveName];
  if (key.type !== 'private' || curve === undefined) {
    return { signer: signers.newPrivateKeySigner(key), hash: hash.sha256 };
  }
  return {
    signer: (message) => Promise.resolve(toLowSDer(sign(curve.digest, message, { key, dsaEncoding: 'ieee-p1363' }), curve)),
    hash: hash.none,
  };
}
