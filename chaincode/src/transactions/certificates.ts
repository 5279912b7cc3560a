import type { Context } from 'fabric-contract-api';
import { certificateExists, certificateNotFound, issueCertificate, revokeCertificate, verifyCertificate } from '../domain/certificates';
import {
  authorize,
  Certificate,
  CertificateIssue,
  RevocationReason,
  Sha256Hex,
  type CertificateVerification,
} from 'govshare-contract';
import type { TxInfo } from '../domain/tx';
import { parseArgument } from '../domain/validation';
import { certificateKey, emitEvent, exists, getJson, putJson, requireEndorsementBy } from '../ledger';
import { writeAudit } from './audit-trail';

export async function issueCertificateTx(
  ctx: Context,
  tx: TxInfo,
  type: string,
  documentSha256: string,
  subjectPseudonym: string,
  notAfter: string,
): Promise<Certificate> {
  authorize(tx.caller, 'ISSUE_CERTIFICATE');
  const issue = parseArgument(CertificateIssue, { type, documentSha256, subjectPseudonym, notAfter });
  const certKey = certificateKey(ctx, issue.documentSha256);
  if (await exists(ctx, certKey)) throw certificateExists(issue.documentSha256);
  const certificate = issueCertificate(issue, tx);
  await putJson(ctx, certKey, certificate);
  // Only the issuer's peer can endorse a later revocation.
  await requireEndorsementBy(ctx, certKey, certificate.issuerMsp);
  const audit = await writeAudit(ctx, tx, {
    type: 'CERTIFICATE_ISSUED',
    outcome: 'SUCCESS',
    certificateId: certificate.documentSha256,
    subjectOwnerMsp: certificate.issuerMsp,
    details: { certificateType: certificate.type, notAfter: certificate.notAfter },
  });
  emitEvent(ctx, 'CertificateIssued', { txId: tx.txId, auditId: audit.id, documentSha256: certificate.documentSha256, ownerMsp: certificate.issuerMsp });
  return certificate;
}

export async function revokeCertificateTx(ctx: Context, tx: TxInfo, documentSha256: string, reasonText: string): Promise<Certificate> {
  authorize(tx.caller, 'REVOKE_CERTIFICATE');
  const digest = parseArgument(Sha256Hex, documentSha256);
  const reason = parseArgument(RevocationReason, reasonText);
  const certKey = certificateKey(ctx, digest);
  const before = await getJson(ctx, certKey, Certificate);
  if (before === undefined) throw certificateNotFound(digest);
  const after = revokeCertificate(before, reason, tx);
  await putJson(ctx, certKey, after);
  const audit = await writeAudit(ctx, tx, {
    type: 'CERTIFICATE_REVOKED',
    outcome: 'SUCCESS',
    certificateId: digest,
    subjectOwnerMsp: after.issuerMsp,
    details: { certificateType: after.type, reason },
  });
  emitEvent(ctx, 'CertificateRevoked', { txId: tx.txId, auditId: audit.id, documentSha256: digest, ownerMsp: after.issuerMsp });
  return after;
}

export async function verifyCertificateTx(ctx: Context, tx: TxInfo, documentSha256: string): Promise<CertificateVerification> {
  const digest = parseArgument(Sha256Hex, documentSha256);
  return verifyCertificate(digest, await getJson(ctx, certificateKey(ctx, digest), Certificate), tx.timestamp);
}
