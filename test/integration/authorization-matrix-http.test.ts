/**
 * The same authorization matrix through the department gateways: every action × department × role
 * of the chaincode's permission table, sent as that user's HTTP request with a valid body. Forbidden
 * calls must be answered 403; allowed ones never are (they may still fail on the dummy target, e.g.
 * 404 for a grant that does not exist). authorization-matrix.test.ts proves the chaincode refuses
 * the same calls on its own, so the gateway is not the only wall.
 */
import { createHash } from 'node:crypto';
import { ACTIONS, FOUNDING_ORG_CONFIG, isAllowed, TRANSACTION_LIST, type Action } from 'govshare-contract';
import { api } from './support/http';
import { DEPARTMENTS, mspIdOf, ROLES, type Department } from './support/network';

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

const CERTIFICATE_TYPE: Readonly<Record<Department, string>> = {
  education: 'DIPLOMA',
  finance: 'TAX_CLEARANCE',
  justice: 'NO_CRIMINAL_RECORD',
  audit: 'DIPLOMA',
};

interface HttpCall {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
}

/**
 * The endpoint(s) of each action. RECORD_DELIVERY has none (the owner's gateway identity records inside the data
 * exchange) and READ_PRIVATE_DETAILS needs a live grant of the caller's own to reach the chaincode over HTTP; the
 * chaincode matrix covers them, as it covers
 * READ_ALL_AUDIT, which is not an endpoint but widens what GET /audit returns.
 */
function callsOf(department: Department, label: string): Readonly<Record<Action, readonly HttpCall[]>> {
  const datasetId = `matrix-${label}`;
  return {
    REGISTER_DATASET: [
      {
        method: 'POST',
        path: '/api/v1/datasets',
        body: { id: datasetId, title: 'Matrix', description: 'Authorization matrix probe', classification: 'PUBLIC', fingerprint: sha(datasetId) },
      },
    ],
    UPDATE_DATASET: [{ method: 'PUT', path: '/api/v1/datasets/matrix-missing', body: { title: 'Changed' } }],
    RETIRE_DATASET: [{ method: 'POST', path: '/api/v1/datasets/matrix-missing/retire' }],
    REQUEST_ACCESS: [
      {
        method: 'POST',
        path: '/api/v1/grants',
        body: {
          datasetId: 'matrix-missing',
          purpose: { code: 'OFFICIAL_STATISTICS', text: 'Authorization matrix probe' },
          legalBasis: 'Statistics Act',
          fields: ['region'],
          notBefore: '2026-01-01T00:00:00Z',
          notAfter: '2030-01-01T00:00:00Z',
        },
      },
    ],
    DECIDE_ACCESS: [
      { method: 'POST', path: '/api/v1/grants/matrix-missing/approve', body: {} },
      { method: 'POST', path: '/api/v1/grants/matrix-missing/deny', body: { reason: 'probe' } },
    ],
    WITHDRAW_REQUEST: [{ method: 'POST', path: '/api/v1/grants/matrix-missing/withdraw' }],
    REVOKE_ACCESS: [{ method: 'POST', path: '/api/v1/grants/matrix-missing/revoke', body: { reason: 'probe' } }],
    COUNTERSIGN_ACCESS: [{ method: 'POST', path: '/api/v1/grants/matrix-missing/countersign' }],
    RECORD_DELIVERY: [],
    READ_PRIVATE_DETAILS: [],
    QUERY_AUDIT: [{ method: 'GET', path: '/api/v1/audit' }],
    READ_ALL_AUDIT: [],
    ISSUE_CERTIFICATE: [
      {
        method: 'POST',
        path: '/api/v1/certificates',
        body: { type: CERTIFICATE_TYPE[department], documentSha256: sha(`document ${label}`), subjectPseudonym: sha(`subject ${label}`), notAfter: '2030-01-01T00:00:00Z' },
      },
    ],
    REVOKE_CERTIFICATE: [{ method: 'POST', path: `/api/v1/certificates/${sha('matrix-missing')}/revoke`, body: { reason: 'OTHER' } }],
    // Operators change the org roles through the chaincode (the chaincode matrix covers it): no HTTP endpoint.
    CONFIGURE_ORGS: [],
  };
}

const cases = DEPARTMENTS.flatMap((department) =>
  ROLES.flatMap((role) =>
    ACTIONS.flatMap((action) =>
      callsOf(department, `${runId}-${department}-${role}`)[action].map((call) => ({ department, role, action, ...call })),
    ),
  ),
);

describe('authorization matrix through the department gateways', () => {
  test('covers every action of the transaction table that has an endpoint of its own', () => {
    const exercised = new Set(cases.map((entry) => entry.action));
    const tableActions = new Set(TRANSACTION_LIST.flatMap((tx) => (tx.action === null ? [] : [tx.action])));
    expect([...tableActions].filter((action) => !exercised.has(action)).sort()).toEqual(['CONFIGURE_ORGS', 'READ_PRIVATE_DETAILS', 'RECORD_DELIVERY']);
    // The one permission no transaction names: it widens what QueryAudit returns.
    expect(ACTIONS.filter((action) => !tableActions.has(action))).toEqual(['READ_ALL_AUDIT']);
  });

  test.each(cases)('$department $role: $method $path ($action)', async ({ department, role, action, method, path, body }) => {
    const allowed = isAllowed({ mspId: mspIdOf(department), id: `${department}-${role}`, role }, action, FOUNDING_ORG_CONFIG.supervisorMsp);
    const response = await api(department, method, path, { role, body });

    if (allowed) {
      expect(response.status).not.toBe(403);
      expect(response.status).toBeLessThan(500);
    } else {
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ code: 'FORBIDDEN' });
    }
  });
});
