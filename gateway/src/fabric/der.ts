/**
 * The few DER encodings Fabric uses: a block header's hash input, SEQUENCE { INTEGER number,
 * OCTET STRING previous_hash, OCTET STRING data_hash } (Go's encoding/asn1 of protoutil.asn1Header),
 * and ECDSA signatures, SEQUENCE { INTEGER r, INTEGER s }.
 */

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

/** A non-negative INTEGER from its unsigned big-endian bytes, minimal: leading zeros dropped, 0x00 before a set top bit. */
export function derUnsignedInteger(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
  const significant = bytes.length === 0 ? Buffer.alloc(1) : bytes.subarray(start);
  return tlv(0x02, (significant[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.alloc(1), significant]) : significant);
}

/** A non-negative INTEGER in minimal two's complement (a leading 0x00 when the top bit is set). */
export function derInteger(value: bigint): Buffer {
  if (value < 0n) throw new RangeError('the DER INTEGERs Fabric uses here are unsigned');
  const hex = value.toString(16);
  return derUnsignedInteger(Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex'));
}

export function derOctetString(value: Uint8Array): Buffer {
  return tlv(0x04, value);
}

export function derSequence(...elements: Uint8Array[]): Buffer {
  return tlv(0x30, Buffer.concat(elements));
}

/** protoutil.BlockHeaderBytes: what the next block's previous_hash and the orderer signatures cover. */
export function blockHeaderBytes(number: bigint, previousHash: Uint8Array, dataHash: Uint8Array): Buffer {
  return derSequence(derInteger(number), derOctetString(previousHash), derOctetString(dataHash));
}
