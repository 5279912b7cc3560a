/**
 * The authorization matrix, generated from the chaincode's one permission table: every action ×
 * every department × every role, each endorsed by the real chaincode with that user's own identity.
 * Forbidden calls must fail with FORBIDDEN; allowed calls must never be refused for authorization
 * (they may fail later, on the deliberately dummy arguments). Endorsement only: nothing is ordered.
 */
import { createHash } from 'node:crypto';
import { ACTIONS, isAllowed, type Action } from 'govshare-contract';
import { connectAs, type FabricSession } from './support/fabric';
import { DEPARTMENTS, mspIdOf, ROLES, type Department, type Role } from './support/network';

const sha = createHash('sha256').update('authorization-matrix').digest('hex');

/**
 * The certificate type each department issues (the chaincode's issuer table): issuing another
 * department's type is refused by that rule, which is not what this matrix is about.
 */
const CERTIFICATE_TYPE: Readonly<Record<Department, string>> = {
  education: 'DIPLOMA',
  finance: 'TAX_CLEARANCE',
  justice: 'NO_CRIMINAL_RECORD',
  audit: 'DIPLOMA',
};

type Call = readonly [transaction: string, args: readonly string[]];

/** The transaction(s) through which each action is exercised, with arguments that parse far enough. */
const callsOf = (department: Department): Readonly<Record<Action, readonly Call[]>> => ({
  REGISTER_DATASET: [['RegisterDataset', ['{}']]],
  UPDATE_DATASET: [['UpdateDataset', ['matrix-dataset', '{}']]],
  RETIRE_DATASET: [['RetireDataset', ['matrix-dataset']]],
  REQUEST_ACCESS: [['RequestAccess', ['{}']]],
  DECIDE_ACCESS: [
    ['ApproveAccess', ['matrix-grant', '{}']],
    ['DenyAccess', ['matrix-grant', 'not needed']],
  ],
  WITHDRAW_REQUEST: [['WithdrawRequest', ['matrix-grant']]],
  REVOKE_ACCESS: [['RevokeAccess', ['matrix-grant', 'no longer needed']]],
  COUNTERSIGN_ACCESS: [['CountersignAccess', ['matrix-grant']]],
  RECORD_ACCESS: [['RecordAccess', ['matrix-grant', sha, '[]']]],
  READ_PRIVATE_DETAILS: [['ReadGrantDetails', ['matrix-grant']]],
  QUERY_AUDIT: [['QueryAudit', ['{}']]],
  // Not a transaction of its own: it widens what QueryAudit returns (tested in chaincode-govshare).
  READ_ALL_AUDIT: [],
  ISSUE_CERTIFICATE: [['IssueCertificate', [CERTIFICATE_TYPE[department], sha, sha, '2030-01-01T00:00:00.000Z']]],
  REVOKE_CERTIFICATE: [['RevokeCertificate', [sha, 'issued in error']]],
});

const cases = DEPARTMENTS.flatMap((department) =>
  ROLES.flatMap((role) =>
    ACTIONS.flatMap((action) =>
      callsOf(department)[action].map(([transaction, args]) => ({ department, role, action, transaction, args })),
    ),
  ),
);

/** The chaincode's message for a failed endorsement, or '' when the endorsement succeeded. */
async function endorsementOutcome(session: FabricSession, transaction: string, args: readonly string[]): Promise<string> {
  try {
    await session.contract.newProposal(transaction, { arguments: [...args] }).endorse();
    return '';
  } catch (error) {
    const details = (error as { details?: { message?: string }[] }).details ?? [];
    return [(error as Error).message, ...details.map((detail) => detail.message ?? '')].join(' | ');
  }
}

describe('authorization matrix enforced by the chaincode', () => {
  const sessions = new Map<string, FabricSession>();
  const sessionOf = (department: Department, role: Role): FabricSession => {
    const key = `${department}/${role}`;
    let session = sessions.get(key);
    if (session === undefined) {
      session = connectAs(department, role);
      sessions.set(key, session);
    }
    return session;
  };

  afterAll(() => {
    for (const session of sessions.values()) session.close();
  });

  test('covers every action of the permission table', () => {
    const exercised = new Set(cases.map((entry) => entry.action));
    expect([...ACTIONS].filter((action) => !exercised.has(action))).toEqual(['READ_ALL_AUDIT']);
    const callsPerIdentity = Object.values(callsOf('education')).reduce((sum, calls) => sum + calls.length, 0);
    expect(cases.length).toBe(DEPARTMENTS.length * ROLES.length * callsPerIdentity);
  });

  test.each(cases)('$department $role: $transaction ($action)', async ({ department, role, action, transaction, args }) => {
    const allowed = isAllowed({ mspId: mspIdOf(department), id: `${department}-${role}`, role }, action);
    const outcome = await endorsementOutcome(sessionOf(department, role), transaction, args);

    if (allowed) expect(outcome).not.toMatch(/FORBIDDEN:/);
    else expect(outcome).toMatch(/FORBIDDEN:/);
  });
});
