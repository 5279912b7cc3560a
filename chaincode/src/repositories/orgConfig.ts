import type { Context } from 'fabric-contract-api';
import { FOUNDING_ORG_CONFIG, OrgConfigRecord } from 'govshare-contract';
import { getJson, key, ObjectType, putJson } from '../ledger';

/**
 * The organisation roles of the channel, one record. Until the first SetOrgConfig writes it, the founding
 * configuration applies (the network as scripts/network.sh creates it), marked by `updated: null`.
 */
export class OrgConfigRepository {
  constructor(private readonly ctx: Context) {}

  #key(): string {
    return key(this.ctx, ObjectType.OrgConfig, []);
  }

  async current(): Promise<OrgConfigRecord> {
    return (await getJson(this.ctx, this.#key(), OrgConfigRecord)) ?? { ...FOUNDING_ORG_CONFIG, updated: null };
  }

  async save(after: OrgConfigRecord): Promise<void> {
    await putJson(this.ctx, this.#key(), after);
  }
}
