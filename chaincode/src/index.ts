import { GovshareContract } from './contracts/govshare-contract';

export { GovshareContract };

/** fabric-chaincode-node loads `contracts`; the first (and only) one is the default, so names are unprefixed. */
export const contracts = [GovshareContract];
