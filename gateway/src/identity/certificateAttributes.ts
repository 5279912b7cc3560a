import type { X509Certificate } from 'node:crypto';

/**
 * The attributes a Fabric CA writes into a certificate it issues (`--id.attrs name=value:ecert`): the X.509
 * extension 1.2.3.4.5.6.7.8.1 whose value is the JSON `{"attrs":{"name":"value",...}}`. The CA adds it to every
 * certificate of the identity, whatever the enrolment profile (a TLS-profile certificate carries it too), and
 * only a registrar allowed to register an attribute can give it to an identity. Node's X509Certificate does not
 * expose arbitrary extensions, and no well-kept X.509 library is among our dependencies (@fidm/x509, which the
 * chaincode shim uses, is unmaintained), so this reads the few DER structures on the way: Certificate →
 * tbsCertificate → [3] extensions → Extension { extnID, critical?, extnValue }.
 */
export const FABRIC_ATTRIBUTES_OID = '1.2.3.4.5.6.7.8.1';

interface Tlv {
  readonly tag: number;
  /** The content octets. */
  readonly value: Buffer;
  /** Offset just past this element. */
  readonly end: number;
}

function readTlv(bytes: Buffer, offset: number): Tlv {
  const tag = bytes[offset];
  let lengthByte = bytes[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new Error('truncated DER');
  let position = offset + 2;
  let length = lengthByte;
  if (lengthByte >= 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < count; i++) {
      lengthByte = bytes[position + i];
      if (lengthByte === undefined) throw new Error('truncated DER');
      length = length * 256 + lengthByte;
    }
    position += count;
  }
  const end = position + length;
  if (end > bytes.length) throw new Error('truncated DER');
  return { tag, value: bytes.subarray(position, end), end };
}

function children(content: Buffer): Tlv[] {
  const items: Tlv[] = [];
  for (let offset = 0; offset < content.length; ) {
    const item = readTlv(content, offset);
    items.push(item);
    offset = item.end;
  }
  return items;
}

/** Dotted text of a DER OBJECT IDENTIFIER's content. */
export function oidText(content: Buffer): string {
  const first = content[0];
  if (first === undefined) throw new Error('empty OID');
  const parts = [Math.min(Math.floor(first / 40), 2), first - Math.min(Math.floor(first / 40), 2) * 40];
  let value = 0;
  for (const byte of content.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

const SEQUENCE = 0x30;
const OID = 0x06;
const OCTET_STRING = 0x04;
const EXTENSIONS = 0xa3;

/** The raw value (extnValue content) of the extension `oid`, or undefined when the certificate has none. */
export function certificateExtension(certificate: X509Certificate, oid: string): Buffer | undefined {
  const der = certificate.raw;
  const tbs = children(readTlv(der, 0).value)[0];
  if (tbs?.tag !== SEQUENCE) throw new Error('not an X.509 certificate');
  const extensions = children(tbs.value).find((item) => item.tag === EXTENSIONS);
  if (extensions === undefined) return undefined;
  const list = children(extensions.value)[0];
  if (list?.tag !== SEQUENCE) throw new Error('malformed extensions');
  for (const extension of children(list.value)) {
    const [id, ...rest] = children(extension.value);
    if (id?.tag === OID && oidText(id.value) === oid) {
      const value = rest.find((item) => item.tag === OCTET_STRING);
      if (value === undefined) throw new Error(`extension ${oid} has no value`);
      return value.value;
    }
  }
  return undefined;
}

/** The Fabric CA attributes of a certificate (empty when it carries none or they do not parse). */
export function fabricAttributes(certificate: X509Certificate): Readonly<Record<string, string>> {
  let value: Buffer | undefined;
  try {
    value = certificateExtension(certificate, FABRIC_ATTRIBUTES_OID);
  } catch {
    return {};
  }
  if (value === undefined) return {};
  try {
    const parsed: unknown = JSON.parse(value.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || !('attrs' in parsed)) return {};
    const attrs: unknown = parsed.attrs;
    if (typeof attrs !== 'object' || attrs === null) return {};
    return Object.fromEntries(Object.entries(attrs).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
  } catch {
    return {};
  }
}

/** The ecert attribute that marks an organisation's gateway (registered only by the operator scripts). */
export const GATEWAY_ROLE_ATTRIBUTE = 'govshare.role';
export const GATEWAY_ROLE = 'gateway';

export function isGatewayCertificate(certificate: X509Certificate): boolean {
  return fabricAttributes(certificate)[GATEWAY_ROLE_ATTRIBUTE] === GATEWAY_ROLE;
}
