import {
  GovshareError,
  type Certificate,
  type CertificateIssue,
  type CertificateVerification,
  type OrgConfig,
  type RevocationReason,
} from 'govshare-contract';
import { stampOf, type TxInfo } from './tx';

/** Rules for e-certificates: the type decides the issuers (the org configuration), only the issuer revokes. */

export function issueCertificate(issue: CertificateIssue, tx: TxInfo, config: OrgConfig): Certificate {
  const issuers = config.certificateIssuers[issue.type];
  const issuerMsp = tx.caller.mspId;
  if (!issuers.includes(issuerMsp)) {
    throw new GovshareError(
      'FORBIDDEN',
      `${issue.type} certificates are issued by ${issuers.length === 0 ? 'no organisation' : issuers.join(', ')}, not ${issuerMsp}`,
    );
  }
  if (issue.notAfter <= tx.timestamp) {
    throw new GovshareError('INVALID_ARGUMENT', 'notAfter: must be after the transaction time');
  }
  return {
    documentSha256: issue.documentSha256,
    type: issue.type,
    issuerMsp,
    subjectPseudonym: issue.subjectPseudonym,
    notAfter: issue.notAfter,
    status: 'ISSUED',
    issued: stampOf(tx),
  };
}

export function revokeCertificate(certificate: Certificate, reason: RevocationReason, tx: TxInfo): Certificate {
  if (tx.caller.mspId !== certificate.issuerMsp) {
    throw new GovshareError('FORBIDDEN', `only the issuer ${certificate.issuerMsp} may revoke this certificate`);
  }
  if (certificate.status === 'REVOKED') {
    throw new GovshareError('INVALID_STATE', 'the certificate is already revoked');
  }
  return { ...certificate, status: 'REVOKED', revoked: { stamp: stampOf(tx), reason } };
}

/** VALID | REVOKED | EXPIRED | UNKNOWN at `now` (the transaction timestamp); revocation wins over expiry. */
export function verifyCertificate(documentSha256: string, certificate: Certificate | undefined, now: string): CertificateVerification {
  if (certificate === undefined) return { documentSha256, status: 'UNKNOWN' };
  const base = {
    documentSha256,
    type: certificate.type,
    issuerMsp: certificate.issuerMsp,
    notAfter: certificate.notAfter,
  };
  if (certificate.revoked !== undefined) {
    return { ...base, status: 'REVOKED', revokedAt: certificate.revoked.stamp.timestamp, revocationReason: certificate.revoked.reason };
  }
  return { ...base, status: now >= certificate.notAfter ? 'EXPIRED' : 'VALID' };
}

export function certificateExists(documentSha256: string): GovshareError {
  return new GovshareError('CERTIFICATE_EXISTS', `a certificate for document ${documentSha256} already exists`);
}

export function certificateNotFound(documentSha256: string): GovshareError {
  return new GovshareError('CERTIFICATE_NOT_FOUND', `no certificate for document ${documentSha256}`);
}
