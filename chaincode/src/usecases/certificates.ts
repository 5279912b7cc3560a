import { GovshareError, type ArgumentsOf, type Certificate, type CertificateVerification, type IssueCertificate, type RevokeCertificate, type VerifyCertificate } from 'govshare-contract';
import type { GovshareContext } from '../contracts/context';
import { certificateExists, certificateNotFound, issueCertificate, revokeCertificate, verifyCertificate } from '../domain/certificates';
import { repositoriesOf } from '../repositories';

export async function issue(ctx: GovshareContext, args: ArgumentsOf<typeof IssueCertificate>): Promise<Certificate> {
  const { certificates, audit } = repositoriesOf(ctx);
  if (await certificates.exists(args.documentSha256)) throw certificateExists(args.documentSha256);
  // A pseudonym names one certificate only: reused, it would let anyone link one citizen's certificates.
  if (await certificates.pseudonymUsed(args.subjectPseudonym)) {
    throw new GovshareError('PSEUDONYM_REUSED', 'subjectPseudonym: already on another certificate; derive one per certificate (docs/security.md)');
  }
  const certificate = issueCertificate(args, ctx.tx, ctx.orgConfig);
  await certificates.save(undefined, certificate);
  await audit.record(
    {
      type: 'CERTIFICATE_ISSUED',
      outcome: 'SUCCESS',
      certificateId: certificate.documentSha256,
      subjectOwnerMsp: certificate.issuerMsp,
      details: { certificateType: certificate.type, notAfter: certificate.notAfter },
    },
    'CertificateIssued',
    { documentSha256: certificate.documentSha256, ownerMsp: certificate.issuerMsp },
  );
  return certificate;
}

export async function revoke(ctx: GovshareContext, { documentSha256, reason }: ArgumentsOf<typeof RevokeCertificate>): Promise<Certificate> {
  const { certificates, audit } = repositoriesOf(ctx);
  const before = await certificates.find(documentSha256);
  if (before === undefined) throw certificateNotFound(documentSha256);
  const after = revokeCertificate(before, reason, ctx.tx);
  await certificates.save(before, after);
  await audit.record(
    {
      type: 'CERTIFICATE_REVOKED',
      outcome: 'SUCCESS',
      certificateId: documentSha256,
      subjectOwnerMsp: after.issuerMsp,
      details: { certificateType: after.type, reason },
    },
    'CertificateRevoked',
    { documentSha256, ownerMsp: after.issuerMsp },
  );
  return after;
}

export async function verify(ctx: GovshareContext, { documentSha256 }: ArgumentsOf<typeof VerifyCertificate>): Promise<CertificateVerification> {
  return verifyCertificate(documentSha256, await repositoriesOf(ctx).certificates.find(documentSha256), ctx.tx.timestamp);
}
