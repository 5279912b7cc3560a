import { ReadOrgConfig } from 'govshare-contract';

import type { LedgerClient } from '../fabric/ledgerClient';
import type { AuthenticatedUser } from '../identity/user';
import { typedLedger } from './ledgerCalls';

/** The organisation roles in force on the channel (the chaincode's OrgConfig record), never a constant. */
export interface OrgRoles {
  /** The MSP whose auditors supervise the whole network (ReadOrgConfig, evaluated as `user`). */
  supervisorMsp(user: AuthenticatedUser): Promise<string>;
}

export function createOrgRoles(client: LedgerClient): OrgRoles {
  const ledger = typedLedger(client);
  return {
    async supervisorMsp(user) {
      return (await ledger.call(user, ReadOrgConfig, {})).supervisorMsp;
    },
  };
}
