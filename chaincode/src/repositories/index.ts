import type { GovshareContext } from '../contracts/context';
import { AuditRepository } from './audit';
import { CertificateRepository } from './certificates';
import { DatasetRepository } from './datasets';
import { GrantRepository } from './grants';
import { OrgConfigRepository } from './orgConfig';

export { AuditRepository, CertificateRepository, DatasetRepository, GrantRepository, OrgConfigRepository };

/** The repositories of one transaction: the only code that knows ledger keys and indexes. */
export interface Repositories {
  readonly datasets: DatasetRepository;
  readonly grants: GrantRepository;
  readonly audit: AuditRepository;
  readonly certificates: CertificateRepository;
  readonly orgConfig: OrgConfigRepository;
}

export function repositoriesOf(ctx: GovshareContext): Repositories {
  return {
    datasets: new DatasetRepository(ctx),
    grants: new GrantRepository(ctx, ctx.orgConfig.supervisorMsp),
    audit: new AuditRepository(ctx, ctx.tx, ctx.orgConfig.supervisorMsp),
    certificates: new CertificateRepository(ctx),
    orgConfig: new OrgConfigRepository(ctx),
  };
}
