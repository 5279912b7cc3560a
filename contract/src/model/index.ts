/**
 * Ledger shapes shared by chaincode, gateway and console: zod schemas are the single source
 * of validation, TypeScript types and OpenAPI. No fabric imports here.
 */
export * from './common';
export * from './dataset';
export * from './grant';
export * from './audit';
export * from './certificate';
export * from './events';
