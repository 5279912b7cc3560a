/**
 * The authorization matrix, generated from the transaction table (govshare-contract): every transaction that
 * names a permission × every department × every role, each endorsed by the real chaincode with that user's
 * own identity. Forbidden calls must fail with FORBIDDEN; allowed calls must never be refused for
 * authorization (they may fail later, on the deliberately dummy arguments). Endorsement only: nothing is ordered.
 */
import { createHash } from 'node:crypto';
import { ACTIONS, FOUNDING_ORG_CONFIG, isAllowed, TRANSACTION_LIST, type TransactionName } from 'govshare-contract';
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

const GUARDED = TRANSACTION_LIST.flatMap((tx) => (tx.action === null ? [] : [{ name: tx.name, action: tx.action }]));

/** Arguments that parse far enough for each guarded transaction of the table (a new one must be added here). */
const argumentsOf = (department: Department): Readonly<Partial<Record<TransactionName, readonly string[]>>> => ({
  RegisterDataset: ['{}'],
  UpdateDataset: ['matrix-dataset', '{}'],
  RetireDataset: ['matrix-dataset'],
  RequestAccess: ['{}'],
  AttachRequestDetails: ['matrix-grant'],
  ApproveAccess: ['matrix-grant', '{}'],
  DenyAccess: ['matrix-grant', 'not needed'],
  WithdrawRequest: ['matrix-grant'],
  RevokeAccess: ['matrix-grant', 'no longer needed'],
  CountersignAccess: ['matrix-grant'],
  RecordDelivery: ['{}'],
  ReadGrantDetails: ['matrix-grant'],
  QueryAudit: ['{}'],
  IssueCertificate: [CERTIFICATE_TYPE[department], sha, sha, '2030-01-01T00:00:00.000Z'],
  RevokeCertificate: [sha, 'issued in error'],
  SetOrgConfig: ['{}'],
});

const cases = DEPARTMENTS.flatMap((department) =>
  ROLES.flatMap((role) =>
    GUARDED.map((tx) => ({
      department,
      role,
      action: tx.action,
      transaction: tx.name,
      args: argumentsOf(department)[tx.name] ?? [],
    })),
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

  test('covers every guarded transaction of the table and every action but READ_ALL_AUDIT', () => {
    const exercised = new Set(cases.map((entry) => entry.action));
    // READ_ALL_AUDIT is no transaction of its own: it widens what QueryAudit returns (tested in chaincode-govshare).
    expect([...ACTIONS].filter((action) => !exercised.has(action))).toEqual(['READ_ALL_AUDIT']);
    expect(Object.keys(argumentsOf('education')).sort()).toEqual(GUARDED.map((tx) => tx.name).sort());
    expect(cases.length).toBe(DEPARTMENTS.length * ROLES.length * GUARDED.length);
    const unguarded: TransactionName[] = TRANSACTION_LIST.filter((tx) => tx.action === null).map((tx) => tx.name);
    expect(unguarded.every((name) => TRANSACTION_LIST.find((tx) => tx.name === name)?.kind === 'evaluate')).toBe(true);
  });

  test.each(cases)('$department $role: $transaction ($action)', async ({ department, role, action, transaction, args }) => {
    const allowed = isAllowed({ mspId: mspIdOf(department), id: `${department}-${role}`, role }, action, FOUNDING_ORG_CONFIG.supervisorMsp);
    const outcome = await endorsementOutcome(sessionOf(department, role), transaction, args);

    if (allowed) expect(outcome).not.toMatch(/FORBIDDEN:/);
    else expect(outcome).toMatch(/FORBIDDEN:/);
  });
});
