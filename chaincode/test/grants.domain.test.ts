import {
  accessReason,
  approveGrant,
  assertDetailsAttachable,
  buildGrant,
  countersignGrant,
  decideAccess,
  denyGrant,
  effectiveStatus,
  isLive,
  revokeGrant,
  viewOf,
  withdrawGrant,
} from '../src/domain/grants';
import { parseArgument } from '../src/domain/validation';
import { AccessApproval, AccessRequest, Grant } from 'govshare-contract';
import { caller, dataset, errorOf, grant, T0, txAt } from './support/domain-fixtures';

const JUSTICE = txAt(T0, caller('JusticeMSP'), 'req-tx');
const OWNER = txAt('2026-03-02T00:00:00.000Z', caller('EducationMSP', 'approver'), 'decide-tx');
const AUDIT = txAt('2026-03-02T01:00:00.000Z', caller('AuditMSP', 'auditor'), 'cs-tx');
const request = (overrides: Record<string, unknown> = {}) =>
  parseArgument(AccessRequest, {
    datasetId: 'edu.enrolment',
    purpose: { code: 'LAW_ENFORCEMENT', text: 'Attendance check' },
    legalBasis: 'Criminal Procedure Act s.12',
    fields: ['school_id', 'pupil_count'],
    notBefore: '2026-03-01T00:00:00Z',
    notAfter: '2026-04-01T00:00:00+00:00',
    ...overrides,
  });
const approval = (input: unknown) => parseArgument(AccessApproval, input);
/** Each part of the grant guarded by its party's peer, as RequestAccess leaves it. */
const AS_REQUESTED = { decision: true, withdrawal: true, countersignature: true };
/** The owner's register of approved grants, listing the fixtures' grant ids. */
const REGISTERED: ReadonlySet<string> = new Set(['grant-1', 'active', 'older', 'newer']);

describe('AccessRequest validation', () => {
  it('normalises instants and rejects an empty or inverted validity window', () => {
    expect(request()).toMatchObject({ notBefore: '2026-03-01T00:00:00.000Z', notAfter: '2026-04-01T00:00:00.000Z' });
    expect(errorOf(() => request({ notAfter: '2026-02-01T00:00:00Z' }))).toMatch(/^INVALID_ARGUMENT: notAfter: must be after notBefore/);
    expect(errorOf(() => request({ notBefore: '2026-03-01' }))).toMatch(/^INVALID_ARGUMENT: notBefore: /);
    expect(errorOf(() => request({ fields: [] }))).toMatch(/^INVALID_ARGUMENT: fields: /);
    expect(errorOf(() => request({ purpose: { code: 'CURIOSITY', text: 'x' } }))).toMatch(/^INVALID_ARGUMENT: purpose.code: /);
    expect(errorOf(() => request({ requesterMsp: 'FinanceMSP' }))).toMatch(/^INVALID_ARGUMENT: /);
  });
});

describe('buildGrant', () => {
  it('creates a PENDING grant for the caller, id from the txId, fields sorted', () => {
    const built = buildGrant(request(), dataset(), [], JUSTICE);
    expect(built).toMatchObject({
      id: 'req-tx',
      datasetId: 'edu.enrolment',
      ownerMsp: 'EducationMSP',
      requesterMsp: 'JusticeMSP',
      fields: ['pupil_count', 'school_id'],
      status: 'PENDING',
      countersignatureRequired: false,
    });
    expect(Grant.parse(built)).toEqual(built);
  });

  it('requires a countersignature on SECRET datasets and keeps the declared details hash', () => {
    const built = buildGrant(request({ privateDetailsSha256: 'C'.repeat(64) }), dataset({ classification: 'SECRET' }), [], JUSTICE);
    expect(built).toMatchObject({ countersignatureRequired: true, privateDetailsSha256: 'c'.repeat(64) });
  });

  it.each<[string, () => unknown, RegExp]>([
    ['own dataset', () => buildGrant(request(), dataset(), [], txAt(T0, caller('EducationMSP'))), /^OWN_DATASET: /],
    ['retired dataset', () => buildGrant(request(), dataset({ status: 'RETIRED' }), [], JUSTICE), /^DATASET_RETIRED: /],
    ['unknown fields', () => buildGrant(request({ fields: ['school_id', 'home_address'] }), dataset(), [], JUSTICE), /^UNKNOWN_FIELDS: .*home_address/],
    ['validity already over', () => buildGrant(request({ notBefore: '2026-01-01T00:00:00Z', notAfter: '2026-02-01T00:00:00Z' }), dataset(), [], JUSTICE), /^INVALID_ARGUMENT: notAfter: /],
    ['a live PENDING grant', () => buildGrant(request(), dataset(), [grant()], JUSTICE), /^GRANT_CONFLICT: /],
    ['a live APPROVED grant', () => buildGrant(request(), dataset(), [grant({ status: 'APPROVED' })], JUSTICE), /^GRANT_CONFLICT: /],
  ])('refuses %s with a coded error', (_name, call, code) => {
    expect(errorOf(call)).toMatch(code);
  });

  it('allows a new request once the previous grant has expired', () => {
    const expired = grant({ status: 'APPROVED', notAfter: '2026-02-01T00:00:00.000Z' });
    expect(buildGrant(request(), dataset(), [expired], JUSTICE).status).toBe('PENDING');
  });
});

describe('grant status', () => {
  it('derives EXPIRED from the transaction time, never stores it', () => {
    const approved = grant({ status: 'APPROVED' });
    expect(effectiveStatus(approved, '2026-03-31T23:59:59.999Z')).toBe('APPROVED');
    expect(effectiveStatus(approved, '2026-04-01T00:00:00.000Z')).toBe('EXPIRED');
    expect(viewOf(approved, dataset(), '2026-04-02T00:00:00.000Z', REGISTERED)).toMatchObject({ status: 'EXPIRED', active: false });
    expect(effectiveStatus(grant(), '2026-05-01T00:00:00.000Z')).toBe('PENDING');
    expect(isLive(grant(), '2026-05-01T00:00:00.000Z')).toBe(false);
    expect(isLive(grant({ status: 'DENIED' }), T0)).toBe(false);
  });

  it.each<[Partial<Grant>, string, string]>([
    [{}, T0, 'PENDING'],
    [{ status: 'DENIED' }, T0, 'ENDED'],
    [{ status: 'WITHDRAWN' }, T0, 'ENDED'],
    [{ status: 'REVOKED' }, T0, 'ENDED'],
    [{ status: 'APPROVED' }, '2026-02-15T00:00:00.000Z', 'NOT_YET_VALID'],
    [{ status: 'APPROVED' }, '2026-04-01T00:00:00.000Z', 'EXPIRED'],
    [{ status: 'APPROVED', countersignatureRequired: true }, T0, 'AWAITING_COUNTERSIGNATURE'],
    [{ status: 'APPROVED' }, T0, 'ACTIVE'],
  ])('grant %j at %s: %s', (overrides, now, reason) => {
    expect(accessReason(grant(overrides), now)).toBe(reason);
  });
});

describe('transitions', () => {
  it('approves as requested, or narrowed in fields and validity', () => {
    expect(approveGrant(grant(), approval({}), OWNER, AS_REQUESTED, 'AuditMSP')).toMatchObject({ status: 'APPROVED', fields: ['pupil_count', 'school_id'], decided: { stamp: { txId: 'decide-tx' } } });
    const narrowed = approveGrant(grant(), approval({ fields: ['school_id'], notAfter: '2026-03-15T00:00:00Z' }), OWNER, AS_REQUESTED, 'AuditMSP');
    expect(narrowed).toMatchObject({ fields: ['school_id'], notAfter: '2026-03-15T00:00:00.000Z' });
  });

  it.each<[string, unknown, RegExp]>([
    ['widened fields', { fields: ['school_id', 'year_group'] }, /^UNKNOWN_FIELDS: .*year_group/],
    ['extended validity', { notAfter: '2026-05-01T00:00:00Z' }, /^INVALID_ARGUMENT: notAfter: .*shorten/],
    ['validity ending before the decision', { notAfter: '2026-03-01T06:00:00Z' }, /^INVALID_ARGUMENT: notAfter: /],
  ])('refuses an approval with %s', (_name, input, code) => {
    expect(errorOf(() => approveGrant(grant(), approval(input), OWNER, AS_REQUESTED, 'AuditMSP'))).toMatch(code);
  });

  it.each<[string, Partial<typeof AS_REQUESTED>, Partial<Grant>, RegExp]>([
    ['a decision part the owner does not guard', { decision: false }, {}, /decision would not need EducationMSP's peer/],
    ['a withdrawal part the requester does not guard', { withdrawal: false }, {}, /withdrawal would not need JusticeMSP's peer/],
    ["a countersignature part the supervisor does not guard", { countersignature: false }, {}, /countersignature would not need AuditMSP's peer/],
    ['a countersignature before any approval', {}, { countersigned: { txId: 'x', timestamp: T0, actor: { mspId: 'AuditMSP', id: 'a' } } }, /countersigned before any approval/],
  ])('refuses to approve a grant not as RequestAccess writes it: %s', (_name, guards, overrides, detail) => {
    const refusal = errorOf(() => approveGrant(grant(overrides), approval({}), OWNER, { ...AS_REQUESTED, ...guards }, 'AuditMSP'));
    expect(refusal).toMatch(/^INVALID_STATE: grant 'grant-1' is not as a RequestAccess writes it: /);
    expect(refusal).toMatch(detail);
  });

  it('lets only the owner decide and revoke, only the requester withdraw', () => {
    const requester = txAt(T0, caller('JusticeMSP', 'approver'));
    expect(errorOf(() => approveGrant(grant(), approval({}), requester, AS_REQUESTED, 'AuditMSP'))).toMatch(/^FORBIDDEN: /);
    expect(errorOf(() => denyGrant(grant(), 'no', requester))).toMatch(/^FORBIDDEN: /);
    expect(errorOf(() => revokeGrant(grant({ status: 'APPROVED' }), 'no', requester))).toMatch(/^FORBIDDEN: /);
    expect(errorOf(() => withdrawGrant(grant(), OWNER))).toMatch(/^FORBIDDEN: /);
    expect(withdrawGrant(grant(), requester)).toMatchObject({ status: 'WITHDRAWN', closed: { stamp: { actor: { mspId: 'JusticeMSP' } } } });
    expect(denyGrant(grant(), 'Out of scope', OWNER)).toMatchObject({ status: 'DENIED', decided: { reason: 'Out of scope' } });
    expect(revokeGrant(grant({ status: 'APPROVED' }), 'Case closed', OWNER)).toMatchObject({ status: 'REVOKED', closed: { reason: 'Case closed' } });
  });

  it('follows PENDING → APPROVED | DENIED | WITHDRAWN and APPROVED → REVOKED only', () => {
    for (const status of ['APPROVED', 'DENIED', 'WITHDRAWN', 'REVOKED'] as const) {
      expect(errorOf(() => approveGrant(grant({ status }), approval({}), OWNER, AS_REQUESTED, 'AuditMSP'))).toMatch(/^INVALID_STATE: /);
      expect(errorOf(() => denyGrant(grant({ status }), 'x', OWNER))).toMatch(/^INVALID_STATE: /);
      expect(errorOf(() => withdrawGrant(grant({ status }), JUSTICE))).toMatch(/^INVALID_STATE: /);
    }
    for (const status of ['PENDING', 'DENIED', 'WITHDRAWN', 'REVOKED'] as const) {
      expect(errorOf(() => revokeGrant(grant({ status }), 'x', OWNER))).toMatch(/^INVALID_STATE: /);
    }
    const expired = grant({ status: 'APPROVED', notAfter: '2026-03-01T18:00:00.000Z' });
    expect(errorOf(() => revokeGrant(expired, 'x', OWNER))).toMatch(/^INVALID_STATE: .*EXPIRED/);
  });

  it('suspends an uncountersigned grant while its dataset is SECRET now, until the Audit org countersigns it', () => {
    const approved = grant({ status: 'APPROVED', fields: ['school_id'] });
    const now = '2026-03-02T02:00:00.000Z';
    expect(decideAccess(dataset(), 'JusticeMSP', [approved], ['school_id'], now, REGISTERED)).toMatchObject({ decision: 'GRANTED' });
    // Raised to SECRET after the approval (the lower-approve-raise round trip): no longer granted.
    const raised = dataset({ classification: 'SECRET' });
    expect(decideAccess(raised, 'JusticeMSP', [approved], ['school_id'], now, REGISTERED)).toMatchObject({ decision: 'DENIED', reason: 'AWAITING_COUNTERSIGNATURE' });
    expect(viewOf(approved, raised, now, REGISTERED)).toMatchObject({ status: 'APPROVED', active: false });
    const countersigned = countersignGrant(approved, raised, AUDIT, 'AuditMSP');
    expect(decideAccess(raised, 'JusticeMSP', [countersigned], ['school_id'], now, REGISTERED)).toMatchObject({ decision: 'GRANTED' });
    // Not SECRET when requested nor now: nothing to countersign.
    expect(errorOf(() => countersignGrant(approved, dataset(), AUDIT, 'AuditMSP'))).toMatch(/^INVALID_STATE: .*needs no countersignature/);
  });

  it('countersigns an APPROVED grant on a SECRET dataset once, by the Audit org only', () => {
    const secret = grant({ status: 'APPROVED', countersignatureRequired: true });
    const signed = countersignGrant(secret, dataset(), AUDIT, 'AuditMSP');
    expect(signed.countersigned).toMatchObject({ txId: 'cs-tx', actor: { mspId: 'AuditMSP' } });
    expect(accessReason(signed, '2026-03-02T02:00:00.000Z')).toBe('ACTIVE');
    expect(errorOf(() => countersignGrant(signed, dataset(), AUDIT, 'AuditMSP'))).toMatch(/^INVALID_STATE: .*already/);
    expect(errorOf(() => countersignGrant(secret, dataset(), OWNER, 'AuditMSP'))).toMatch(/^FORBIDDEN: /);
    expect(errorOf(() => countersignGrant(grant({ status: 'APPROVED' }), dataset(), AUDIT, 'AuditMSP'))).toMatch(/^INVALID_STATE: /);
    expect(errorOf(() => countersignGrant(grant({ countersignatureRequired: true }), dataset(), AUDIT, 'AuditMSP'))).toMatch(/^INVALID_STATE: .*PENDING/);
  });

  it('accepts private details only from the requester, while PENDING, matching the declared hash', () => {
    const declared = grant({ privateDetailsSha256: 'c'.repeat(64) });
    expect(() => { assertDetailsAttachable(declared, 'c'.repeat(64), JUSTICE); }).not.toThrow();
    expect(errorOf(() => { assertDetailsAttachable(declared, 'd'.repeat(64), JUSTICE); })).toMatch(/^INVALID_ARGUMENT: details: /);
    expect(errorOf(() => { assertDetailsAttachable(declared, 'c'.repeat(64), OWNER); })).toMatch(/^FORBIDDEN: /);
    expect(errorOf(() => { assertDetailsAttachable(grant(), 'c'.repeat(64), JUSTICE); })).toMatch(/^INVALID_STATE: /);
    expect(errorOf(() => { assertDetailsAttachable({ ...declared, status: 'DENIED' }, 'c'.repeat(64), JUSTICE); })).toMatch(/^INVALID_STATE: /);
  });
});

describe('access decisions', () => {
  const active = grant({ id: 'active', status: 'APPROVED' });

  it('grants fields within an active grant of that requester', () => {
    expect(decideAccess(dataset(), 'JusticeMSP', [active], ['school_id'], T0, REGISTERED)).toEqual({ decision: 'GRANTED', reason: 'ACTIVE', grantId: 'active' });
  });

  it.each<[string, Parameters<typeof decideAccess>, string]>([
    ['no grant', [dataset(), 'JusticeMSP', [], ['school_id'], T0, REGISTERED], 'NO_GRANT'],
    ["another requester's grant", [dataset(), 'FinanceMSP', [active], ['school_id'], T0, REGISTERED], 'NO_GRANT'],
    ['fields outside the grant', [dataset(), 'JusticeMSP', [active], ['year_group'], T0, REGISTERED], 'FIELDS_OUT_OF_SCOPE'],
    ['a retired dataset', [dataset({ status: 'RETIRED' }), 'JusticeMSP', [active], ['school_id'], T0, REGISTERED], 'DATASET_RETIRED'],
    ['an expired grant', [dataset(), 'JusticeMSP', [active], ['school_id'], '2026-05-01T00:00:00.000Z', REGISTERED], 'EXPIRED'],
    ['a pending grant', [dataset(), 'JusticeMSP', [grant()], ['school_id'], T0, REGISTERED], 'PENDING'],
  ])('denies with %s', (_name, args, reason) => {
    expect(decideAccess(...args)).toMatchObject({ decision: 'DENIED', reason });
  });

  it("gives no access through an APPROVED grant missing from the owner's register (one written without the owner's peer)", () => {
    const forged = grant({ id: 'forged', status: 'APPROVED', fields: ['pupil_count', 'school_id'] });
    expect(decideAccess(dataset(), 'JusticeMSP', [forged], ['school_id'], T0, REGISTERED)).toEqual({
      decision: 'DENIED',
      reason: 'NOT_APPROVED_BY_OWNER',
      grantId: 'forged',
    });
    expect(viewOf(forged, dataset(), T0, REGISTERED)).toMatchObject({ status: 'APPROVED', active: false });
    // Listed by the owner, the same grant gives access; a forged one beside a real one does not widen it.
    expect(decideAccess(dataset(), 'JusticeMSP', [forged], ['school_id'], T0, new Set(['forged']))).toMatchObject({ decision: 'GRANTED' });
    const real = grant({ id: 'active', status: 'APPROVED', fields: ['school_id'] });
    expect(decideAccess(dataset(), 'JusticeMSP', [real, forged], ['pupil_count'], T0, REGISTERED)).toMatchObject({ decision: 'DENIED' });
  });

  it('reports the newest grant when none is active', () => {
    const older = grant({ id: 'older', status: 'REVOKED' });
    const newer = grant({ id: 'newer', requested: { ...older.requested, timestamp: '2026-03-01T13:00:00.000Z' } });
    expect(decideAccess(dataset(), 'JusticeMSP', [older, newer], ['school_id'], T0, REGISTERED)).toEqual({ decision: 'DENIED', reason: 'PENDING', grantId: 'newer' });
  });
});
