import type { ArgumentsOf, OrgConfigRecord, SetOrgConfig } from 'govshare-contract';
import type { GovshareContext } from '../contracts/context';
import { stampOf } from '../domain/tx';
import { repositoriesOf } from '../repositories';

/** ReadOrgConfig takes no arguments. */
export async function readOrgConfig(ctx: GovshareContext): Promise<OrgConfigRecord> {
  return repositoriesOf(ctx).orgConfig.current();
}

/**
 * SetOrgConfig: the supervisor's admin changes who supervises and who issues which certificate type, e.g. to
 * give a department added later (scripts/add-department.sh) issuing rights. Audited like every change.
 */
export async function setOrgConfig(ctx: GovshareContext, { config }: ArgumentsOf<typeof SetOrgConfig>): Promise<OrgConfigRecord> {
  const { orgConfig, audit } = repositoriesOf(ctx);
  const before = await orgConfig.current();
  const after: OrgConfigRecord = { ...config, updated: stampOf(ctx.tx) };
  await orgConfig.save(after);
  const issuers = Object.entries(config.certificateIssuers).map(([type, msps]) => `${type}=${msps.join('+')}`).sort();
  await audit.record(
    {
      type: 'ORG_CONFIG_CHANGED',
      outcome: 'SUCCESS',
      subjectOwnerMsp: before.supervisorMsp,
      details: { supervisorMsp: config.supervisorMsp, previousSupervisorMsp: before.supervisorMsp, certificateIssuers: issuers },
    },
    'OrgConfigChanged',
    { ownerMsp: config.supervisorMsp },
  );
  return after;
}
