import type { ArgumentsOf, AuditRecord, Page, QueryAudit } from 'govshare-contract';
import type { GovshareContext } from '../contracts/context';
import { repositoriesOf } from '../repositories';

/** QueryAudit: one page of the audit records of a window that the caller may read. */
export async function queryAudit(ctx: GovshareContext, { query }: ArgumentsOf<typeof QueryAudit>): Promise<Page<AuditRecord>> {
  return repositoriesOf(ctx).audit.query(query, ctx.tx.caller);
}
