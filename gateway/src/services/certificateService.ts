import {
  IssueCertificate,
  RevokeCertificate,
  VerifyCertificate,
  type Certificate,
  type CertificateIssue,
  type CertificateVerification,
  type RevocationReason,
} from 'govshare-contract';

import type { LedgerClient } from '../fabric/ledgerClient';
import type { AuthenticatedUser } from '../identity/user';
import { typedLedger } from './ledgerCalls';
import type { Committed } from './ledgerJson';

export interface CertificateService {
  issue(user: AuthenticatedUser, issue: CertificateIssue): Promise<Committed<Certificate>>;
  verify(user: AuthenticatedUser, documentSha256: string): Promise<CertificateVerification>;
  revoke(user: AuthenticatedUser, documentSha256: string, reason: RevocationReason): Promise<Committed<Certificate>>;
}

export function createCertificateService(client: LedgerClient): CertificateService {
  const ledger = typedLedger(client);
  return {
    async issue(user, issue) {
      return await ledger.call(user, IssueCertificate, issue);
    },

    async verify(user, documentSha256) {
      return await ledger.call(user, VerifyCertificate, { documentSha256 });
    },

    async revoke(user, documentSha256, reason) {
      return await ledger.call(user, RevokeCertificate, { documentSha256, reason });
    },
  };
}
