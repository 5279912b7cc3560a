import { QueryAudit } from 'govshare-contract';

import type { LedgerArchive } from '../fabric/ledgerArchive';
import type { LedgerClient } from '../fabric/ledgerClient';
import type { AuthenticatedUser } from '../identity/user';
import type { AuditTrailSource } from '../verification/auditTrail';
import { verifyLedger, type LedgerVerification } from '../verification/ledgerVerification';
import { typedLedger } from './ledgerCalls';

export interface LedgerVerificationService {
  /** Verifies the channel's ledger from this gateway's peer, and the audit trail that `user` may see. */
  verify(user: AuthenticatedUser): Promise<LedgerVerification>;
}

export interface LedgerVerificationOptions {
  readonly ledger: LedgerClient;
  readonly archive: LedgerArchive;
  readonly channel: string;
  /** MSP id of the organisation whose peer this gateway uses. */
  readonly peerMsp: string;
  /** The channel's genesis block as the network was created: block 0 must be exactly this. */
  readonly trustedGenesis?: Uint8Array | undefined;
  readonly now?: () => number;
}

/** QueryAudit's largest page: fewer round trips over a long trail. */
const AUDIT_PAGE_SIZE = 100;

/** The audit records `user` may see (the chaincode decides) and the peer's record of their transactions. */
export function auditTrailSource(ledger: LedgerClient, archive: LedgerArchive, user: AuthenticatedUser): AuditTrailSource {
  return {
    async auditPage(from, to, bookmark) {
      return await typedLedger(ledger).call(user, QueryAudit, { query: { from, to, pageSize: AUDIT_PAGE_SIZE, bookmark } });
    },
    async validationCode(txId) {
      return (await archive.validationCode(user, txId)) ?? { unknown: 'not on the peer' };
    },
  };
}

export function createLedgerVerificationService(options: LedgerVerificationOptions): LedgerVerificationService {
  const now = options.now ?? Date.now;
  // A verification reads the whole chain: callers asking again while theirs runs share it.
  const running = new Map<string, Promise<LedgerVerification>>();

  async function run(user: AuthenticatedUser): Promise<LedgerVerification> {
    const height = await options.archive.chainHeight(user);
    const blocks = await options.archive.blocks(user, height);
    try {
      return await verifyLedger({
        channel: options.channel,
        servedBy: options.peerMsp,
        height: Number(height),
        blocks,
        trustedGenesis: options.trustedGenesis,
        audit: auditTrailSource(options.ledger, options.archive, user),
        now,
      });
    } finally {
      blocks.close();
    }
  }

  return {
    verify(user) {
      let verification = running.get(user.id);
      if (verification === undefined) {
        verification = run(user).finally(() => running.delete(user.id));
        running.set(user.id, verification);
      }
      return verification;
    },
  };
}
