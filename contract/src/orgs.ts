/** Organisation names shared by the chaincode, the gateway and the tests. */

/** The ordering service's org: part of the channel configuration, never an actor in govshare. */
export const ORDERER_MSP = 'OrdererMSP';

/** The supervisor org; every other application org of the channel is a department. */
export const AUDIT_MSP = 'AuditMSP';
