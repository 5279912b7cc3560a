import { X509Certificate } from 'node:crypto';

/** Another department's data exchange endpoint and the CA that issues its TLS certificates. */
export interface ExchangePeer {
  readonly mspId: string;
  readonly url: string;
  readonly tlsRootCert: Buffer;
}

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

/**
 * The organisation a TLS client certificate belongs to: the one peer whose CA issued (and signed) it. The
 * certificate must be meant for TLS client authentication, so a user's enrolment certificate from the same CA
 * (no such extended key usage) does not pass as the department's gateway. Never taken from a header.
 */
export function peerMspOf(certificate: X509Certificate, peers: readonly ExchangePeer[]): string | undefined {
  const usages = certificate.keyUsage as string[] | undefined;
  if (usages?.includes(CLIENT_AUTH_OID) !== true) return undefined;
  const issuers = peers.filter((peer) => {
    const root = new X509Certificate(peer.tlsRootCert);
    return certificate.checkIssued(root) && certificate.verify(root.publicKey);
  });
  // Two departments sharing one CA could not be told apart: refuse rather than guess.
  return issuers.length === 1 ? issuers[0]?.mspId : undefined;
}
