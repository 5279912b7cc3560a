import { StatusCode } from '@hyperledger/fabric-gateway';

import { CommitFailedError } from './errors';
import type { EvaluateOptions, SubmitOptions, SubmitResult } from './ledgerClient';
import { DEFAULT_RETRY_POLICY, realRetryEnvironment, retryOnMvccConflict, type RetryEnvironment, type RetryPolicy } from './retry';
import { translateFabricError, type FabricStage } from './translateError';

/*
 * The slice of fabric-gateway's Contract → Proposal → Transaction → SubmittedTransaction chain that we use,
 * declared structurally so the flow can be unit-tested without a network. fabric-gateway's Contract satisfies it.
 */
export interface CommitStatusLike {
  readonly successful: boolean;
  readonly code: number;
  readonly blockNumber: bigint;
}
export interface SubmittedLike {
  getResult(): Uint8Array;
  getStatus(): Promise<CommitStatusLike>;
}
export interface TransactionLike {
  submit(): Promise<SubmittedLike>;
}
export interface ProposalLike {
  getTransactionId(): string;
  endorse(): Promise<TransactionLike>;
  evaluate(): Promise<Uint8Array>;
}
export interface ProposalFactory {
  newProposal(
    transactionName: string,
    options: { arguments: string[]; transientData?: Record<string, Uint8Array>; endorsingOrganizations?: string[] },
  ): ProposalLike;
}

const VALIDATION_CODE_NAMES = new Map<number, string>(
  Object.entries(StatusCode).map(([name, code]) => [code as number, name]),
);

/** Fabric's TxValidationCode name for a commit status code, e.g. 11 → MVCC_READ_CONFLICT. */
export function validationCodeName(code: number): string {
  return VALIDATION_CODE_NAMES.get(code) ?? `UNKNOWN_VALIDATION_CODE_${code}`;
}

async function atStage<T>(stage: FabricStage, txId: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw translateFabricError(err, stage, txId);
  }
}

/** Endorse → submit → wait for commit; resolves only once the transaction is VALID. Retries MVCC conflicts only. */
export function submitTransaction(
  contract: ProposalFactory,
  txName: string,
  args: readonly string[],
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  env: RetryEnvironment = realRetryEnvironment,
  options: SubmitOptions = {},
): Promise<SubmitResult> {
  const proposalOptions = {
    arguments: [...args],
    ...(options.transient === undefined ? {} : { transientData: { ...options.transient } }),
    ...(options.endorsingOrganizations === undefined ? {} : { endorsingOrganizations: [...options.endorsingOrganizations] }),
  };
  return retryOnMvccConflict(
    async () => {
      // A new proposal (and txId) on every attempt: an invalidated transaction cannot be resubmitted.
      const proposal = contract.newProposal(txName, proposalOptions);
      const txId = proposal.getTransactionId();
      const transaction = await atStage('endorse', txId, () => proposal.endorse());
      const submitted = await atStage('submit', txId, () => transaction.submit());
      const status = await atStage('commitStatus', txId, () => submitted.getStatus());
      if (!status.successful) {
        const codeName = validationCodeName(status.code);
        throw new CommitFailedError(codeName, `Transaction ${txId} was committed as ${codeName}`, { txId });
      }
      return { result: Buffer.from(submitted.getResult()), txId, blockNumber: status.blockNumber };
    },
    policy,
    env,
  );
}

export async function evaluateTransaction(
  contract: ProposalFactory,
  txName: string,
  args: readonly string[],
  options: EvaluateOptions = {},
): Promise<Buffer> {
  const proposal = contract.newProposal(txName, {
    arguments: [...args],
    ...(options.endorsingOrganizations === undefined ? {} : { endorsingOrganizations: [...options.endorsingOrganizations] }),
  });
  const result = await atStage('evaluate', proposal.getTransactionId(), () => proposal.evaluate());
  return Buffer.from(result);
}
