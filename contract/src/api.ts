import { z } from 'zod';

import { Role } from './model';

/**
 * Shapes of the gateway's HTTP API that are not ledger records: the web console imports their types from
 * here instead of copying them, and the gateway's routes describe them in the OpenAPI document.
 */

/** One page of an API list: `nextCursor` is passed back as `cursor`, null on the last page. */
export interface ApiPage<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** GET /me: the user a bearer token stands for. */
export const WhoAmI = z.object({
  id: z.string().describe("The enrolment id (CN of the Fabric certificate) that signs the caller's transactions"),
  role: Role,
  mspId: z.string().describe("The caller's organisation"),
});
export type WhoAmI = z.infer<typeof WhoAmI>;

/** GET /audit/ledger/verify: the verdict on the ledger as the gateway's peer serves it. */
export const LedgerVerification = z
  .object({
    verdict: z.enum(['INTACT', 'BROKEN']).describe('BROKEN when the chain or the audit trail has a break'),
    channel: z.string(),
    servedBy: z.string().describe('MSP id of the organisation whose peer served the blocks'),
    height: z.number().int().min(0).describe('Blocks on the peer when the verification started'),
    verifiedBlocks: z.number().int().min(0).describe('Blocks verified before the first break (all when intact)'),
    signatures: z.number().int().min(0).describe('Orderer signatures checked'),
    configBlocks: z.number().int().min(0),
    transactions: z.number().int().min(0).describe('Transactions in the verified blocks'),
    genesisTrusted: z.boolean().describe('Block 0 was compared with the genesis block the network was created with'),
    ordering: z
      .object({
        type: z.string().describe("The channel's ConsensusType: BFT (SmartBFT) or etcdraft"),
        consenters: z.array(z.object({ id: z.number().int().min(0), mspId: z.string() })).describe('BFT: the consenter set in force'),
        quorum: z.number().int().min(1).optional().describe('BFT: signatures of distinct consenters every block must carry'),
        consenterSetChanges: z.number().int().min(0).describe('Configuration blocks that changed the consenter set'),
      })
      .optional()
      .describe('The ordering configuration in force after the verified blocks, against which signatures were checked'),
    firstBreak: z
      .object({ block: z.number().int().min(0), reason: z.string() })
      .optional()
      .describe('Where the chain stops being trustworthy'),
    auditTrail: z
      .object({
        checked: z.boolean().describe('false when the chain was broken (the trail is then not checked) or the check was not asked for'),
        records: z.number().int().min(0).describe('Audit records visible to the caller'),
        transactions: z.number().int().min(0),
        newerThanChain: z.number().int().min(0).describe('Records of transactions committed after the verified blocks (VALID per the peer)'),
        mismatches: z.number().int().min(0),
        firstMismatch: z
          .object({ recordId: z.string(), recordType: z.string(), txId: z.string(), reason: z.string() })
          .optional(),
      })
      .describe('Every audit record visible to the caller must name a VALID transaction'),
    startedAt: z.iso.datetime(),
    durationMs: z.number().int().min(0),
  })
  .describe("The verdict on the channel's ledger, with the first break if any");
export type LedgerVerification = z.infer<typeof LedgerVerification>;
