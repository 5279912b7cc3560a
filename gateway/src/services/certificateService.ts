import { Certificate, CertificateVerification, type CertificateIssue, type RevocationReason } from 'govshare-contract';

import type { LedgerClient } from '../fabric/ledgerClient';
import type { AuthenticatedUser } from '../identity/user';
import { committed, parseLedgerJson, type Committed } from './ledgerJson';

export interface CertificateService {
  issue(user: AuthenticatedUser, issue: CertificateIssue): Promise<Committed<Certificate>>;
  verify(user: AuthenticatedUser, documentSha256: string): Promise<CertificateVerification>;
  revoke(user: AuthenticatedUser, documentSha256: string, reason: RevocationReason): Promise<Committed<Certificate>>;
}

export function createCertificateService(ledger: LedgerClient): CertificateService {
  return {
    async issue(user, { type, documentSha256, subjectPseudonym, notAfter }) {
      const submitted = await ledger.submit(user, 'IssueCertificate', [type, documentSha256, subjectPseudonym, notAfter]);
      return committed(Certificate, submitted, 'IssueCertificate');
    },

    async verify(user, documentSha256) {
      return parseLedgerJson(CertificateVerification, await ledger.evaluate(user, 'VerifyCertificate', [documentSha256]), 'VerifyCertificate');
    },

    async revoke(user, documentSha256, reason) {
      return committed(Certificate, await ledger.submit(user, 'RevokeCertificate', [documentSha256, reason]), 'RevokeCertificate');
    },
  };
}
