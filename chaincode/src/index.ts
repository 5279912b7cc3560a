import { GovshareContract } from './contracts/govshare-contract';

export { GovshareContract };
export { ERROR_CATALOGUE, ERROR_CODES, GovshareError, parseErrorCode } from './errors';
export type { ErrorCode, ErrorDefinition } from './errors';

/** fabric-chaincode-node loads `contracts`; the first (and only) one is the default, so names are unprefixed. */
export const contracts = [GovshareContract];
