/**
 * govshare's contract between chaincode, gateway and console. Nothing here imports a Fabric package (a test
 * checks it): the gateway and the console depend on this package, never on the chaincode.
 */
export * from './model';
export * from './errors';
export * from './canonicalJson';
export * from './hash';
export * from './orgs';
export * from './permissions';
export * from './api';
export * from './orgConfig';
export * from './transactionTable';
