import { issueCertificate, revokeCertificate, verifyCertificate } from '../src/domain/certificates';
import { parseArgument } from '../src/domain/validation';
import { Certificate, CertificateIssue, FOUNDING_ORG_CONFIG, type OrgConfig } from 'govshare-contract';
import { caller, errorOf, T0, txAt } from './support/domain-fixtures';

const DOC = 'd'.repeat(64);
const SUBJECT = 'e'.repeat(64);
const issue = (type: string, notAfter = '2027-03-01T00:00:00Z') =>
  parseArgument(CertificateIssue, { type, documentSha256: DOC, subjectPseudonym: SUBJECT, notAfter });
const education = txAt(T0, caller('EducationMSP', 'officer'), 'issue-tx');

describe('issuer table (the founding org configuration)', () => {
  it('maps each certificate type to exactly one issuing department', () => {
    expect(FOUNDING_ORG_CONFIG.certificateIssuers).toEqual({
      DIPLOMA: ['EducationMSP'],
      TRANSCRIPT: ['EducationMSP'],
      TAX_CLEARANCE: ['FinanceMSP'],
      NO_CRIMINAL_RECORD: ['JusticeMSP'],
    });
  });

  it.each(Object.entries(FOUNDING_ORG_CONFIG.certificateIssuers).map(([type, [issuer]]) => [type, issuer ?? '']))('%s is issued by %s and nobody else', (type, issuer) => {
    for (const msp of ['EducationMSP', 'FinanceMSP', 'JusticeMSP', 'AuditMSP']) {
      const tx = txAt(T0, caller(msp));
      if (msp === issuer) expect(issueCertificate(issue(type), tx, FOUNDING_ORG_CONFIG).issuerMsp).toBe(issuer);
      else expect(errorOf(() => issueCertificate(issue(type), tx, FOUNDING_ORG_CONFIG))).toMatch(/^FORBIDDEN: /);
    }
  });
});

describe('issueCertificate', () => {
  it('stores digests and the pseudonym only, stamped with the transaction', () => {
    const certificate = issueCertificate(issue('DIPLOMA'), education, FOUNDING_ORG_CONFIG);
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
    expect(errorOf(() => issueCertificate(issue('DIPLOMA', '2026-01-01T00:00:00Z'), education, FOUNDING_ORG_CONFIG))).toMatch(/^INVALID_ARGUMENT: notAfter: /);
  });
});

describe('revocation and verification', () => {
  const issued = issueCertificate(issue('DIPLOMA'), education, FOUNDING_ORG_CONFIG);

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

describe('issuing rights are configuration', () => {
  it('lets every org the configuration names issue the type, and an empty list refuses everyone', () => {
    const config: OrgConfig = {
      ...FOUNDING_ORG_CONFIG,
      certificateIssuers: { ...FOUNDING_ORG_CONFIG.certificateIssuers, TRANSCRIPT: ['EducationMSP', 'HealthMSP'], TAX_CLEARANCE: [] },
    };
    expect(issueCertificate(issue('TRANSCRIPT'), txAt(T0, caller('HealthMSP')), config).issuerMsp).toBe('HealthMSP');
    expect(issueCertificate(issue('TRANSCRIPT'), education, config).issuerMsp).toBe('EducationMSP');
    expect(errorOf(() => issueCertificate(issue('TAX_CLEARANCE'), txAt(T0, caller('FinanceMSP')), config))).toMatch(
      /^FORBIDDEN: TAX_CLEARANCE certificates are issued by no organisation/,
    );
  });
});
