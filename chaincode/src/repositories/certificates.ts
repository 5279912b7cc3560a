import type { Context } from 'fabric-contract-api';
import { Certificate } from 'govshare-contract';
import { certificateKey, exists, getJson, key, ObjectType, putIndex, putJson, requireEndorsementBy } from '../ledger';

/**
 * E-certificates under their document digest. A new certificate's key gets the issuer-only endorsement policy.
 * Each subject pseudonym is indexed once: a pseudonym names one certificate only (docs/security.md).
 */
export class CertificateRepository {
  constructor(private readonly ctx: Context) {}

  async exists(documentSha256: string): Promise<boolean> {
    return exists(this.ctx, certificateKey(this.ctx, documentSha256));
  }

  #pseudonymKey(subjectPseudonym: string): string {
    return key(this.ctx, ObjectType.CertificatePseudonym, [subjectPseudonym]);
  }

  /** Whether a certificate already carries this subject pseudonym. */
  async pseudonymUsed(subjectPseudonym: string): Promise<boolean> {
    return exists(this.ctx, this.#pseudonymKey(subjectPseudonym));
  }

  async find(documentSha256: string): Promise<Certificate | undefined> {
    return getJson(this.ctx, certificateKey(this.ctx, documentSha256), Certificate);
  }

  async save(before: Certificate | undefined, after: Certificate): Promise<void> {
    const certKey = certificateKey(this.ctx, after.documentSha256);
    await putJson(this.ctx, certKey, after);
    // Only the issuer's peer can endorse a later revocation.
    if (before === undefined) {
      await requireEndorsementBy(this.ctx, certKey, after.issuerMsp);
      await putIndex(this.ctx, this.#pseudonymKey(after.subjectPseudonym), after.documentSha256);
    }
  }
}
