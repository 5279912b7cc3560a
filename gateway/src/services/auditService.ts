import { AuditRecord, pageOf, type AuditQueryInput } from 'govshare-contract';

import type { LedgerClient } from '../fabric/ledgerClient';
import type { AuthenticatedUser } from '../identity/user';
import { pageResult, parseLedgerJson, type PageResult } from './ledgerJson';

export interface AuditService {
  /** The audit records of a window that the caller may read (the chaincode leaves the others out of the page). */
  queryAudit(user: AuthenticatedUser, query: AuditQueryInput): Promise<PageResult<AuditRecord>>;
}

const AuditPage = pageOf(AuditRecord);

export function createAuditService(ledger: LedgerClient): AuditService {
  return {
    async queryAudit(user, query) {
      return pageResult(parseLedgerJson(AuditPage, await ledger.evaluate(user, 'QueryAudit', [JSON.stringify(query)]), 'QueryAudit'));
    },
  };
}
