import { AccessReceipt } from 'govshare-contract';
import { z } from 'zod';

import { checkReceiptSignature, type SignedAccessReceipt } from '../exchange/receipts';
import { sameCertificate, type ChannelRecords } from '../fabric/ledgerRecords';
import type { AuthenticatedUser } from '../identity/user';

export const ReceiptCheck = z.object({
  name: z.enum(['signature', 'transaction', 'content']),
  ok: z.boolean(),
  detail: z.string(),
});
export const ReceiptVerification = z
  .object({
    valid: z.boolean().describe('Every check passed'),
    checks: z.array(ReceiptCheck),
  })
  .meta({ description: 'A signed access receipt checked against the channel configuration and the ledger' });
export type ReceiptVerification = z.infer<typeof ReceiptVerification>;
type Check = z.infer<typeof ReceiptCheck>;

export interface ReceiptVerificationService {
  /** Checks a receipt with `user`'s identity on this gateway's own peer; trusts neither gateway that handled it. */
  verify(user: AuthenticatedUser, signed: SignedAccessReceipt): Promise<ReceiptVerification>;
}

/** What the receipt says and what the ledger's RecordDelivery returned must agree on every one of these. */
const COMPARED = ['datasetId', 'grantId', 'ownerMsp', 'requesterMsp', 'payloadSha256', 'contentFingerprint', 'txId', 'timestamp'] as const;

/**
 * Verifies an access receipt the way a third party would: (1) the signature, by a gateway certificate that the
 * owner organisation's CA in the channel configuration issued; (2) the transaction named is on the ledger, VALID,
 * in the block named, and signed by that same gateway identity; (3) what the chaincode recorded in it (its
 * endorsed result) is a GRANTED delivery of exactly the receipt's dataset, grant, requester, fields and hashes.
 */
export function createReceiptVerificationService(channel: ChannelRecords, now: () => Date = () => new Date()): ReceiptVerificationService {
  return {
    async verify(user, signed) {
      const { receipt } = signed;
      const checks: Check[] = [];
      const signature = checkReceiptSignature(signed, await channel.channelMspRoots(user), now());
      checks.push({
        name: 'signature',
        ok: signature.ok,
        detail: signature.ok ? `signed by a gateway of ${receipt.ownerMsp}, issued by its CA in the channel configuration` : signature.problem,
      });
      const recorded = await channel.recordedTransaction(user, receipt.txId);
      const transactionProblem =
        recorded === undefined
          ? `transaction ${receipt.txId} is not on the ledger`
          : recorded.validationCode !== 0
            ? `transaction ${receipt.txId} was committed invalid (code ${String(recorded.validationCode)})`
            : recorded.blockNumber.toString() !== receipt.blockNumber
              ? `transaction ${receipt.txId} is in block ${recorded.blockNumber.toString()}, not ${receipt.blockNumber}`
              : recorded.creatorMsp !== receipt.ownerMsp || !sameCertificate(recorded.creatorCertificate, signed.certificate)
                ? `transaction ${receipt.txId} was not submitted by the gateway that signed the receipt`
                : undefined;
      checks.push({
        name: 'transaction',
        ok: transactionProblem === undefined,
        detail: transactionProblem ?? `transaction ${receipt.txId} is VALID in block ${receipt.blockNumber}, submitted by the signer`,
      });
      let contentProblem: string | undefined = 'the transaction could not be read';
      if (recorded !== undefined) {
        let value: AccessReceipt | undefined;
        try {
          const parsed = AccessReceipt.safeParse(JSON.parse(recorded.chaincodeResult.toString('utf8')));
          value = parsed.success ? parsed.data : undefined;
        } catch {
          value = undefined;
        }
        const differing = value === undefined ? [] : COMPARED.filter((name) => value[name] !== receipt[name]);
        contentProblem =
          value === undefined
            ? `transaction ${receipt.txId} did not record a delivery`
            : value.decision !== 'GRANTED'
              ? `the delivery recorded in ${receipt.txId} was ${value.decision}`
              : differing.length > 0
                ? `the recorded delivery differs in ${differing.join(', ')}`
                : value.fields.join(',') !== receipt.fields.join(',')
                  ? 'the recorded delivery names other fields'
                  : undefined;
      }
      checks.push({
        name: 'content',
        ok: contentProblem === undefined,
        detail: contentProblem ?? 'the ledger recorded exactly this delivery, granted',
      });
      return { valid: checks.every((check) => check.ok), checks };
    },
  };
}
