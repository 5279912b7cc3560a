import { sign, verify, X509Certificate, type KeyObject } from 'node:crypto';

import { canonicalJsonBytes, FieldName, Identifier, MspId, Sha256Hex } from 'govshare-contract';
import { z } from 'zod';

import { isGatewayCertificate } from '../identity/certificateAttributes';

/**
 * A signed access receipt: what the owner's gateway states about one delivery it released, signed with its own
 * gateway identity. Anyone holding the receipt can check it without trusting either gateway: the signature against
 * the owner organisation's CA as the channel configuration names it, and the transaction on the ledger.
 */
export const AccessReceiptBody = z
  .strictObject({
    datasetId: Identifier,
    grantId: Identifier,
    ownerMsp: MspId,
    requesterMsp: MspId,
    fields: z.array(FieldName).min(1),
    /** SHA-256 of the bytes released: the owner's projection of the content to `fields` (canonical JSON). */
    payloadSha256: Sha256Hex,
    /** The dataset content they were projected from: its fingerprint on the ledger at delivery. */
    contentFingerprint: Sha256Hex,
    /** The RecordDelivery transaction that recorded the delivery before its release, and its block. */
    txId: z.string().regex(/^[0-9a-f]{64}$/, 'must be a Fabric transaction id'),
    blockNumber: z.string().regex(/^\d{1,20}$/),
    timestamp: z.iso.datetime(),
  })
  .meta({ description: "The delivery as the owner's gateway recorded it on the ledger" });
export type AccessReceiptBody = z.infer<typeof AccessReceiptBody>;

export const SignedAccessReceipt = z
  .strictObject({
    receipt: AccessReceiptBody,
    /** ECDSA (P-256, SHA-256) over canonicalJson(receipt), DER, base64. */
    signature: z.string().regex(/^[A-Za-z0-9+/]{16,256}={0,2}$/, 'must be a base64 signature'),
    /** The signer: the owner gateway's enrolment certificate (PEM), with the ecert attribute govshare.role=gateway. */
    certificate: z.string().min(100).max(8192),
  })
  .meta({ description: "An access receipt signed by the owner department's gateway" });
export type SignedAccessReceipt = z.infer<typeof SignedAccessReceipt>;

export function signReceipt(receipt: AccessReceiptBody, key: KeyObject, certificatePem: string): SignedAccessReceipt {
  return { receipt, signature: sign('sha256', canonicalJsonBytes(receipt), key).toString('base64'), certificate: certificatePem };
}

/** The root (and intermediate) CA certificates of each organisation, by MSP id, as the channel configuration has them. */
export type MspRoots = ReadonlyMap<string, readonly X509Certificate[]>;

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly problem: string };

/**
 * Whether `signed` was signed by a gateway of `receipt.ownerMsp`: a certificate that organisation's CA issued (per
 * the channel configuration), valid at `at`, carrying the gateway attribute, whose key made the signature.
 */
export function checkReceiptSignature(signed: SignedAccessReceipt, roots: MspRoots, at: Date): SignatureCheck {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(signed.certificate);
  } catch {
    return { ok: false, problem: 'the signer certificate does not parse' };
  }
  const owner = signed.receipt.ownerMsp;
  const cas = roots.get(owner) ?? [];
  if (cas.length === 0) return { ok: false, problem: `the channel configuration names no CA for ${owner}` };
  if (!cas.some((ca) => certificate.checkIssued(ca) && certificate.verify(ca.publicKey))) {
    return { ok: false, problem: `the signer certificate was not issued by ${owner}'s CA` };
  }
  if (at < new Date(certificate.validFrom) || at > new Date(certificate.validTo)) {
    return { ok: false, problem: 'the signer certificate is not valid now' };
  }
  if (!isGatewayCertificate(certificate)) return { ok: false, problem: `the signer is not ${owner}'s gateway` };
  const valid = verify('sha256', canonicalJsonBytes(signed.receipt), certificate.publicKey, Buffer.from(signed.signature, 'base64'));
  return valid ? { ok: true } : { ok: false, problem: 'the signature does not match the receipt' };
}

/** The header that carries the signed receipt with a delivery (base64url of its JSON). */
export const RECEIPT_HEADER = 'X-Access-Receipt';

export function encodeReceiptHeader(signed: SignedAccessReceipt): string {
  return Buffer.from(JSON.stringify(signed), 'utf8').toString('base64url');
}

export function decodeReceiptHeader(value: string | undefined): SignedAccessReceipt | undefined {
  if (value === undefined) return undefined;
  try {
    const parsed = SignedAccessReceipt.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
