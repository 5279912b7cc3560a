import { z } from 'zod';

import { CertificateType, MspId } from './model';
import { AUDIT_MSP } from './orgs';

/**
 * The organisation roles of the channel, as configuration rather than code: which org supervises (countersigns
 * SECRET grants, reads the whole audit trail) and which orgs may issue which certificate type. The chaincode keeps
 * it as one record; until the first SetOrgConfig writes that record, the founding configuration below applies.
 * Only the supervisor's admin may change it, and the change is endorsed like every transaction (MAJORITY).
 */
const Issuers = z
  .array(MspId)
  .max(50, 'must have at most 50 entries')
  .refine((values) => new Set(values).size === values.length, 'must not contain duplicates');

export const OrgConfig = z.strictObject({
  supervisorMsp: MspId,
  certificateIssuers: z.strictObject({
    DIPLOMA: Issuers,
    TRANSCRIPT: Issuers,
    TAX_CLEARANCE: Issuers,
    NO_CRIMINAL_RECORD: Issuers,
  } satisfies Record<CertificateType, typeof Issuers>),
});
export type OrgConfig = z.infer<typeof OrgConfig>;

/** The network as scripts/network.sh creates it. */
export const FOUNDING_ORG_CONFIG: OrgConfig = {
  supervisorMsp: AUDIT_MSP,
  certificateIssuers: {
    DIPLOMA: ['EducationMSP'],
    TRANSCRIPT: ['EducationMSP'],
    TAX_CLEARANCE: ['FinanceMSP'],
    NO_CRIMINAL_RECORD: ['JusticeMSP'],
  },
};

/** The stored record: the configuration and the transaction that last changed it. */
export const OrgConfigRecord = OrgConfig.extend({
  /** null while the founding configuration applies. */
  updated: z.object({ txId: z.string(), timestamp: z.iso.datetime(), actor: z.object({ mspId: MspId, id: z.string() }) }).nullable(),
});
export type OrgConfigRecord = z.infer<typeof OrgConfigRecord>;
