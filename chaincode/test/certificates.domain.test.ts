import { issueCertificate, revokeCertificate, verifyCertificate } from '../src/domain/certificates';
import { parseArgument } from '../src/domain/validation';
import { Certificate, CERTIFICATE_ISSUERS, CertificateIssue } from 'govshare-contract';
import { caller, errorOf, T0, txAt } from './support/domain-fixtures';

const DOC = 'd'.repeat(64);
const SUBJECT = 'e'.repeat(64);
const issue = (type: string, notAfter = '2027-03-01T00:00:00Z') =>
  parseArgument(CertificateIssue, { type, documentSha256: DOC, subjectPseudonym: SUBJECT, notAfter });
const education = txAt(T0, caller('EducationMSP', 'officer'), 'issue-tx');

describe('issuer table', () => {
  it('maps each certificate type to exactly one issuing department', () => {
    expect(CERTIFICATE_ISSUERS).toEqual({
      DIPLOMA: 'EducationMSP',
      TRANSCRIPT: 'EducationMSP',
      TAX_CLEARANCE: 'FinanceMSP',
      NO_CRIMINAL_RECORD: 'JusticeMSP',
    });
  });

  it.each(Object.entries(CERTIFICATE_ISSUERS))('%s is issued by %s and nobody else', (type, issuer) => {
    for (const msp of ['EducationMSP', 'FinanceMSP', 'JusticeMSP', 'AuditMSP']) {
      const tx = txAt(T0, caller(msp));
      if (msp === issuer) expect(issueCertificate(issue(type), tx).issuerMsp).toBe(issuer);
      else expect(errorOf(() => issueCertificate(issue(type), tx))).toMatch(/^FORBIDDEN: /);
    }
  });
});

describe('issueCertificate', () => {
  it('stores digests and the pseudonym only, stamped with the transaction', () => {
    const certificate = issueCertificate(issue('DIPLOMA'), education);
    expect(certificate).toEqual({
      documentSha256: DOC,
      type: 'DIPLOMA',
      issuerMsp: 'EducationMSP',
      subjectPseudonym: SUBJECT,
      notAfter: '2027-03-01T00:00:00.000Z',
      status: 'ISSUED',
      issued: { txId: 'issue-tx', timestamp: T0, actor: { mspId: 'EducationMSP', id: 'education-officer' } },
    });
    expect(Certificate.parse(certificate)).toEqual(certificate);
  });

  it.each([
    [{ type: 'PASSPORT' }, /^INVALID_ARGUMENT: type: /],
    [{ subjectPseudonym: 'Jane Roe' }, /^INVALID_ARGUMENT: subjectPseudonym: /],
    [{ documentSha256: 'abc' }, /^INVALID_ARGUMENT: documentSha256: /],
    [{ notAfter: 'tomorrow' }, /^INVALID_ARGUMENT: notAfter: /],
  ])('validates %j', (override, message) => {
    expect(errorOf(() => parseArgument(CertificateIssue, { type: 'DIPLOMA', documentSha256: DOC, subjectPseudonym: SUBJECT, notAfter: '2027-01-01T00:00:00Z', ...override }))).toMatch(message);
  });

  it('refuses a validity that has already ended', () => {
    expect(errorOf(() => issueCertificate(issue('DIPLOMA', '2026-01-01T00:00:00Z'), education))).toMatch(/^INVALID_ARGUMENT: notAfter: /);
  });
});

describe('revocation and verification', () => {
  const issued = issueCertificate(issue('DIPLOMA'), education);

  it('verifies VALID, EXPIRED, REVOKED and UNKNOWN at the transaction time', () => {
    expect(verifyCertificate(DOC, issued, T0)).toEqual({ documentSha256: DOC, status: 'VALID', type: 'DIPLOMA', issuerMsp: 'EducationMSP', notAfter: '2027-03-01T00:00:00.000Z' });
    expect(verifyCertificate(DOC, issued, '2027-03-01T00:00:00.000Z')).toMatchObject({ status: 'EXPIRED' });
    expect(verifyCertificate(DOC, undefined, T0)).toEqual({ documentSha256: DOC, status: 'UNKNOWN' });
    const revoked = revokeCertificate(issued, 'SUPERSEDED', txAt('2026-06-01T00:00:00.000Z', caller('EducationMSP', 'approver')));
    expect(verifyCertificate(DOC, revoked, '2028-01-01T00:00:00.000Z')).toMatchObject({ status: 'REVOKED', revokedAt: '2026-06-01T00:00:00.000Z', revocationReason: 'SUPERSEDED' });
  });

  it('lets only the issuer revoke, once', () => {
    expect(errorOf(() => revokeCertificate(issued, 'FRAUD', txAt(T0, caller('JusticeMSP'))))).toMatch(/^FORBIDDEN: /);
    const revoked = revokeCertificate(issued, 'FRAUD', education);
    expect(errorOf(() => revokeCertificate(revoked, 'FRAUD', education))).toMatch(/^INVALID_STATE: /);
  });
});
