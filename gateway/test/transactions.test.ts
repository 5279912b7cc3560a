import { CommitFailedError, GovshareChaincodeError } from '../src/fabric/errors';
import {
  evaluateTransaction,
  submitTransaction,
  validationCodeName,
  type CommitStatusLike,
  type ProposalFactory,
  type ProposalLike,
} from '../src/fabric/transactions';

const VALID = 0;
const MVCC_READ_CONFLICT = 11;
const noWait = { sleep: () => Promise.resolve(), random: () => 0 };
const policy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 };

/** A contract whose n-th proposal commits with statuses[n-1]; records every proposal made. */
function scriptedContract(statuses: number[], endorseError?: Error) {
  const proposals: { txId: string; name: string; args: string[] }[] = [];
  const contract: ProposalFactory = {
    newProposal(name, options) {
      const txId = `tx${proposals.length + 1}`;
      const code = statuses[proposals.length] ?? VALID;
      proposals.push({ txId, name, args: options.arguments });
      const status: CommitStatusLike = { successful: code === VALID, code, blockNumber: 7n };
      const proposal: ProposalLike = {
        getTransactionId: () => txId,
        evaluate: () => (endorseError === undefined ? Promise.resolve(Buffer.from('{"ok":true}')) : Promise.reject(endorseError)),
        endorse: () =>
          endorseError === undefined
            ? Promise.resolve({
                submit: () => Promise.resolve({ getResult: () => Buffer.from(`result-${txId}`), getStatus: () => Promise.resolve(status) }),
              })
            : Promise.reject(endorseError),
      };
      return proposal;
    },
  };
  return { contract, proposals };
}

describe('submitTransaction', () => {
  it('returns the result, txId and block number once the transaction is VALID', async () => {
    const { contract, proposals } = scriptedContract([VALID]);

    const res = await submitTransaction(contract, 'RegisterDataset', ['a', 'b'], policy, noWait);

    expect(res).toEqual({ result: Buffer.from('result-tx1'), txId: 'tx1', blockNumber: 7n });
    expect(proposals).toEqual([{ txId: 'tx1', name: 'RegisterDataset', args: ['a', 'b'] }]);
  });

  it('retries an MVCC_READ_CONFLICT with a new transaction', async () => {
    const { contract, proposals } = scriptedContract([MVCC_READ_CONFLICT, VALID]);

    const res = await submitTransaction(contract, 'RegisterDataset', [], policy, noWait);

    expect(res.txId).toBe('tx2');
    expect(proposals.map((p) => p.txId)).toEqual(['tx1', 'tx2']);
  });

  it('throws CommitFailedError with the validation code name for other invalid statuses', async () => {
    const { contract, proposals } = scriptedContract([10]);

    const failure = submitTransaction(contract, 'RegisterDataset', [], policy, noWait);

    await expect(failure).rejects.toBeInstanceOf(CommitFailedError);
    await expect(failure).rejects.toMatchObject({ validationCode: 'ENDORSEMENT_POLICY_FAILURE', txId: 'tx1' });
    expect(proposals).toHaveLength(1);
  });

  it('translates an endorsement error carrying a chaincode code', async () => {
    const endorseError = Object.assign(new Error('10 ABORTED: failed to endorse'), {
      code: 10,
      details: [{ address: 'peer0:7051', mspId: 'EducationMSP', message: 'chaincode response 500, FORBIDDEN: not your dataset' }],
    });
    const { contract } = scriptedContract([], endorseError);

    const failure = submitTransaction(contract, 'RegisterDataset', [], policy, noWait);

    await expect(failure).rejects.toBeInstanceOf(GovshareChaincodeError);
    await expect(failure).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'not your dataset', txId: 'tx1' });
  });
});

describe('evaluateTransaction', () => {
  it('returns the evaluated payload', async () => {
    const { contract } = scriptedContract([]);

    await expect(evaluateTransaction(contract, 'ReadDataset', ['x'])).resolves.toEqual(Buffer.from('{"ok":true}'));
  });
});

describe('validationCodeName', () => {
  it('names Fabric validation codes', () => {
    expect(validationCodeName(0)).toBe('VALID');
    expect(validationCodeName(11)).toBe('MVCC_READ_CONFLICT');
    expect(validationCodeName(999)).toBe('UNKNOWN_VALIDATION_CODE_999');
  });
});
