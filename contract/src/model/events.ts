import { z } from 'zod';

/**
 * One chaincode event per transaction (Fabric keeps only the last setEvent): the name says what
 * happened, the payload carries only ids so the gateway can stream it and read details on demand.
 */
export const EVENT_NAMES = [
  'DatasetRegistered',
  'DatasetUpdated',
  'DatasetRetired',
  'AccessRequested',
  'AccessDetailsAttached',
  'AccessApproved',
  'AccessDenied',
  'AccessWithdrawn',
  'AccessRevoked',
  'AccessCountersigned',
  'AccessRecorded',
  'CertificateIssued',
  'CertificateRevoked',
  'OrgConfigChanged',
] as const;
export const EventName = z.enum(EVENT_NAMES);
export type EventName = z.infer<typeof EventName>;

export const ChaincodeEventPayload = z.object({
  txId: z.string(),
  auditId: z.string().optional(),
  datasetId: z.string().optional(),
  ownerMsp: z.string().optional(),
  grantId: z.string().optional(),
  requesterMsp: z.string().optional(),
  documentSha256: z.string().optional(),
  decision: z.string().optional(),
});
export type ChaincodeEventPayload = z.infer<typeof ChaincodeEventPayload>;
