import { X509Certificate } from 'node:crypto';

import { isGatewayCertificate } from '../identity/certificateAttributes';

/** Another department's data exchange endpoint and the CA that issues its TLS certificates. */
export interface ExchangePeer {
  readonly mspId: string;
  readonly url: string;
  readonly tlsRootCert: Buffer;
}

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

/** Who is calling the exchange, from the verified TLS client certificate; never from a header. */
export type ExchangeClient =
  | { readonly kind: 'gateway'; readonly mspId: string }
  /** No certificate, or one that no department's CA issued (an orderer's, a stranger's). */
  | { readonly kind: 'untrusted'; readonly detail: string }
  /** A department's certificate that is not its gateway's: a peer, orderer, admin or user (re-enrolled for TLS or not). */
  | { readonly kind: 'not-gateway'; readonly mspId: string; readonly detail: string };

/** The department whose CA issued (and signed) `certificate`: exactly one, or undefined. */
function issuingDepartment(certificate: X509Certificate, peers: readonly ExchangePeer[]): string | undefined {
  const issuers = peers.filter((peer) => {
    const root = new X509Certificate(peer.tlsRootCert);
    return certificate.checkIssued(root) && certificate.verify(root.publicKey);
  });
  // Two departments sharing one CA could not be told apart: refuse rather than guess.
  return issuers.length === 1 ? issuers[0]?.mspId : undefined;
}

/**
 * Classifies a TLS client certificate. Only a department's gateway passes: a certificate its own CA issued for TLS
 * client authentication that carries the gateway attribute (govshare.role=gateway), which only that org's operator
 * can register. Every other identity a department holds, its peer's TLS certificate, its admin's, a user's
 * enrolment certificate and the same user re-enrolled with the TLS profile, is refused.
 */
export function classifyExchangeClient(certificate: X509Certificate | undefined, peers: readonly ExchangePeer[]): ExchangeClient {
  if (certificate === undefined) return { kind: 'untrusted', detail: 'No TLS client certificate was presented' };
  const mspId = issuingDepartment(certificate, peers);
  if (mspId === undefined) return { kind: 'untrusted', detail: "The client certificate was not issued by a department's CA" };
  const usages = certificate.keyUsage as string[] | undefined;
  if (usages?.includes(CLIENT_AUTH_OID) !== true) {
    return { kind: 'not-gateway', mspId, detail: `The client certificate of ${mspId} is not meant for TLS client authentication` };
  }
  if (!isGatewayCertificate(certificate)) {
    return { kind: 'not-gateway', mspId, detail: `The client certificate is not the gateway certificate of ${mspId}` };
  }
  return { kind: 'gateway', mspId };
}

/** The organisation of a gateway's TLS client certificate, or undefined for any other certificate. */
export function peerMspOf(certificate: X509Certificate, peers: readonly ExchangePeer[]): string | undefined {
  const client = classifyExchangeClient(certificate, peers);
  return client.kind === 'gateway' ? client.mspId : undefined;
}
