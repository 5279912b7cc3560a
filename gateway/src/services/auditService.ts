import { QueryAudit, type AuditQueryInput, type AuditRecord } from 'govshare-contract';

import type { LedgerClient } from '../fabric/ledgerClient';
import type { AuthenticatedUser } from '../identity/user';
import { typedLedger } from './ledgerCalls';
import { pageResult, type PageResult } from './ledgerJson';

export interface AuditService {
  /** The audit records of a window that the caller may read (the chaincode leaves the others out of the page). */
  queryAudit(user: AuthenticatedUser, query: AuditQueryInput): Promise<PageResult<AuditRecord>>;
}

export function createAuditService(client: LedgerClient): AuditService {
  const ledger = typedLedger(client);
  return {
    async queryAudit(user, query) {
      return pageResult(await ledger.call(user, QueryAudit, { query }));
    },
  };
}
