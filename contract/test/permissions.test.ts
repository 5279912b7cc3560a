import { ACTIONS, authorize as authorizeIn, FOUNDING_ORG_CONFIG, isAllowed as isAllowedIn, orgKindOf as orgKindIn, ROLES, type Action, type Caller } from '../src';

const SUPERVISOR = FOUNDING_ORG_CONFIG.supervisorMsp;
const isAllowed = (who: Caller, action: Action): boolean => isAllowedIn(who, action, SUPERVISOR);
const authorize = (who: Caller, action: Action): void => { authorizeIn(who, action, SUPERVISOR); };
const orgKindOf = (mspId: string) => orgKindIn(mspId, SUPERVISOR);

function caller(mspId: string, role: string | null): Caller {
  return { mspId, id: `${mspId.replace(/MSP$/, '').toLowerCase()}-${role ?? 'norole'}`, role };
}

const ORGS = ['EducationMSP', 'FinanceMSP', 'JusticeMSP', 'AuditMSP'] as const;

/**
 * The expected matrix, written out independently of PERMISSIONS: D = any department
 * (Education, Finance, Justice), A = the Audit org; letters o/p/u/a = officer/approver/auditor/admin.
 */
const EXPECTED: Record<Action, string> = {
  REGISTER_DATASET: 'D:oa',
  UPDATE_DATASET: 'D:oa',
  RETIRE_DATASET: 'D:pa',
  REQUEST_ACCESS: 'D:op',
  DECIDE_ACCESS: 'D:p',
  WITHDRAW_REQUEST: 'D:op',
  REVOKE_ACCESS: 'D:pa',
  COUNTERSIGN_ACCESS: 'A:u',
  RECORD_DELIVERY: '', // no user role: only a department's gateway identity (tested below)
  READ_PRIVATE_DETAILS: 'D:opua',
  QUERY_AUDIT: 'D:opua A:ua',
  READ_ALL_AUDIT: 'A:u',
  ISSUE_CERTIFICATE: 'D:op',
  REVOKE_CERTIFICATE: 'D:pa',
  CONFIGURE_ORGS: 'A:a',
};
const LETTER = { officer: 'o', approver: 'p', auditor: 'u', admin: 'a' } as const;

function expected(action: Action, msp: string, role: (typeof ROLES)[number]): boolean {
  const kind = msp === 'AuditMSP' ? 'A' : 'D';
  return EXPECTED[action].split(' ').some((entry) => entry.startsWith(`${kind}:`) && entry.slice(2).includes(LETTER[role]));
}

describe('permission matrix', () => {
  const cells = ACTIONS.flatMap((action) => ORGS.flatMap((msp) => ROLES.map((role) => [action, msp, role] as const)));

  it.each(cells)('%s by %s %s', (action, msp, role) => {
    const allowed = expected(action, msp, role);
    expect(isAllowed(caller(msp, role), action)).toBe(allowed);
    if (allowed) expect(() => { authorize(caller(msp, role), action); }).not.toThrow();
    else expect(() => { authorize(caller(msp, role), action); }).toThrow(/^FORBIDDEN: /);
  });

  it('refuses callers without a role attribute and organisations outside the channel table', () => {
    for (const action of ACTIONS) {
      expect(isAllowed(caller('EducationMSP', null), action)).toBe(false);
      expect(isAllowed(caller('OrdererMSP', 'admin'), action)).toBe(false);
      expect(isAllowed(caller('EducationMSP', 'superuser'), action)).toBe(false);
    }
    expect(orgKindOf('OrdererMSP')).toBeUndefined();
  });

  it('treats a department that joined the channel later like the founding departments', () => {
    expect(orgKindOf('HealthMSP')).toBe('DEPARTMENT');
    for (const action of ACTIONS) {
      for (const role of ['officer', 'approver', 'auditor', 'admin'] as const) {
        expect(isAllowed(caller('HealthMSP', role), action)).toBe(isAllowed(caller('JusticeMSP', role), action));
      }
    }
  });

  it('names the org, role and action in the FORBIDDEN message', () => {
    expect(() => { authorize(caller('FinanceMSP', 'officer'), 'DECIDE_ACCESS'); }).toThrow(
      "FORBIDDEN: FinanceMSP role 'officer' may not decide access",
    );
  });
});

describe('gateway identities', () => {
  const gateway = (mspId: string, role: string | null = null): Caller => ({ mspId, id: 'gateway', role, gateway: true });

  it('lets only a department gateway identity record deliveries, and nothing else', () => {
    for (const msp of ['EducationMSP', 'FinanceMSP', 'JusticeMSP']) {
      expect(isAllowed(gateway(msp), 'RECORD_DELIVERY')).toBe(true);
      // Even with a user role attribute besides, a gateway certificate acts only as the gateway.
      for (const action of ACTIONS.filter((a) => a !== 'RECORD_DELIVERY')) expect(isAllowed(gateway(msp, 'admin'), action)).toBe(false);
    }
    expect(isAllowed(gateway('AuditMSP'), 'RECORD_DELIVERY')).toBe(false);
    expect(isAllowed(gateway('OrdererMSP'), 'RECORD_DELIVERY')).toBe(false);
    expect(() => { authorize(caller('FinanceMSP', 'officer'), 'RECORD_DELIVERY'); }).toThrow("FORBIDDEN: FinanceMSP role 'officer' may not record delivery");
    expect(() => { authorize(gateway('FinanceMSP'), 'DECIDE_ACCESS'); }).toThrow('FORBIDDEN: FinanceMSP gateway identity may not decide access');
  });
});

describe('the supervisor is configuration', () => {
  it('gives the supervisor permissions to whichever org the configuration names, and takes them from AuditMSP', () => {
    expect(isAllowedIn(caller('HealthMSP', 'auditor'), 'COUNTERSIGN_ACCESS', 'HealthMSP')).toBe(true);
    expect(isAllowedIn(caller('AuditMSP', 'auditor'), 'COUNTERSIGN_ACCESS', 'HealthMSP')).toBe(false);
    expect(isAllowedIn(caller('AuditMSP', 'officer'), 'REGISTER_DATASET', 'HealthMSP')).toBe(true);
    expect(orgKindIn('HealthMSP', 'HealthMSP')).toBe('AUDIT');
  });
});
