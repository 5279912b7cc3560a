import type { LedgerEvent } from '../src/fabric/chaincodeEvents';
import type { AuthenticatedUser } from '../src/identity/user';
import { isEventRelevant, parseEventId, relevantEvents, supervisorView, type SupervisorView } from '../src/services/eventFeed';
import type { OrgRoles } from '../src/services/orgRoles';

const educationOfficer: AuthenticatedUser = { id: 'education-officer', role: 'officer', mspId: 'EducationMSP' };
const educationAuditor: AuthenticatedUser = { id: 'education-auditor', role: 'auditor', mspId: 'EducationMSP' };
const auditAuditor: AuthenticatedUser = { id: 'audit-auditor', role: 'auditor', mspId: 'AuditMSP' };
const auditOfficer: AuthenticatedUser = { id: 'audit-officer', role: 'officer', mspId: 'AuditMSP' };
const SUPERVISOR = 'AuditMSP';

describe('isEventRelevant', () => {
  it('shows an event to the department named in ownerMsp or requesterMsp', () => {
    expect(isEventRelevant(educationOfficer, { datasetId: 'd', ownerMsp: 'EducationMSP' }, SUPERVISOR)).toBe(true);
    expect(isEventRelevant(educationOfficer, { ownerMsp: 'FinanceMSP', requesterMsp: 'EducationMSP' }, SUPERVISOR)).toBe(true);
  });

  it('hides an event that names other departments only', () => {
    expect(isEventRelevant(educationOfficer, { ownerMsp: 'FinanceMSP', requesterMsp: 'JusticeMSP' }, SUPERVISOR)).toBe(false);
  });

  it('matches only fields ending in Msp, exactly', () => {
    expect(isEventRelevant(educationOfficer, { note: 'EducationMSP' }, SUPERVISOR)).toBe(false);
    expect(isEventRelevant(educationOfficer, { ownerMsp: 'educationmsp' }, SUPERVISOR)).toBe(false);
    expect(isEventRelevant(educationOfficer, { ownermsp: 'EducationMSP' }, SUPERVISOR)).toBe(false);
  });

  it('looks into nested objects and arrays', () => {
    expect(isEventRelevant(educationOfficer, { parties: [{ signerMsp: 'EducationMSP' }] }, SUPERVISOR)).toBe(true);
  });

  it("shows everything to the supervisor's auditors only", () => {
    expect(isEventRelevant(auditAuditor, { ownerMsp: 'FinanceMSP' }, SUPERVISOR)).toBe(true);
    expect(isEventRelevant(auditAuditor, undefined, SUPERVISOR)).toBe(true);
    expect(isEventRelevant(educationAuditor, { ownerMsp: 'FinanceMSP' }, SUPERVISOR)).toBe(false);
    expect(isEventRelevant(auditOfficer, { ownerMsp: 'FinanceMSP' }, SUPERVISOR)).toBe(false);
    expect(isEventRelevant(educationAuditor, { ownerMsp: 'FinanceMSP' }, 'EducationMSP')).toBe(true);
    expect(isEventRelevant(auditAuditor, { ownerMsp: 'FinanceMSP' }, 'EducationMSP')).toBe(false);
  });

  it('hides payloads that are not objects', () => {
    expect(isEventRelevant(educationOfficer, 'EducationMSP', SUPERVISOR)).toBe(false);
    expect(isEventRelevant(educationOfficer, null, SUPERVISOR)).toBe(false);
  });
});

describe('parseEventId', () => {
  it('reads <blockNumber>:<txId> and rejects anything else', () => {
    expect(parseEventId('42:abc123')).toEqual({ blockNumber: 42n, txId: 'abc123' });
    expect(parseEventId('18446744073709551615:f0')).toEqual({ blockNumber: 18446744073709551615n, txId: 'f0' });
    expect(parseEventId('x:abc')).toBeUndefined();
    expect(parseEventId('42:')).toBeUndefined();
    expect(parseEventId('42:a\nb')).toBeUndefined();
  });
});

function event(blockNumber: bigint, txId: string, payload: unknown, eventName = 'DatasetRegistered'): LedgerEvent {
  return { eventName, txId, blockNumber, payload: Buffer.from(JSON.stringify(payload)) };
}

const fixedSupervisor: SupervisorView = { current: () => SUPERVISOR, refresh: () => Promise.resolve() };

async function collect(
  events: LedgerEvent[],
  user: AuthenticatedUser,
  after?: { blockNumber: bigint; txId: string },
  supervisor: SupervisorView = fixedSupervisor,
) {
  async function* stream() {
    await Promise.resolve();
    yield* events;
  }
  const messages = [];
  for await (const message of relevantEvents(stream(), user, supervisor, after)) messages.push(message);
  return messages;
}

/** Org roles whose supervisor changes when a test says so, counting how often the feed asked. */
class MovableSupervisor implements OrgRoles {
  reads = 0;
  constructor(public supervisor: string) {}
  supervisorMsp(): Promise<string> {
    this.reads += 1;
    return Promise.resolve(this.supervisor);
  }
}

describe('the supervisor comes from the channel\'s org roles, not a constant', () => {
  const history = [
    event(5n, 'a1', { datasetId: 'd1', ownerMsp: 'FinanceMSP', txId: 'a1' }),
    event(6n, 'b2', { ownerMsp: 'EducationMSP', txId: 'b2' }, 'OrgConfigChanged'),
    event(7n, 'c3', { datasetId: 'd3', ownerMsp: 'JusticeMSP', txId: 'c3' }),
  ];

  /** The feed's view of `roles` for `user`, where the OrgConfigChanged event moves the supervisor to EducationMSP. */
  async function movingToEducation(roles: MovableSupervisor, user: AuthenticatedUser): Promise<SupervisorView> {
    const view = await supervisorView(roles, user);
    return {
      current: () => view.current(),
      // What the peer answers once the OrgConfigChanged block is committed.
      refresh: async () => {
        roles.supervisor = 'EducationMSP';
        await view.refresh();
      },
    };
  }

  it('follows a SetOrgConfig that moves the supervisor: the new one sees everything from that event on', async () => {
    const roles = new MovableSupervisor('AuditMSP');

    const messages = await collect(history, educationAuditor, undefined, await movingToEducation(roles, educationAuditor));

    expect(messages.map((m) => m.id)).toEqual(['6:b2', '7:c3']);
    expect(roles.reads).toBe(2);
  });

  it("narrows a former supervisor's feed at the change", async () => {
    const roles = new MovableSupervisor('AuditMSP');

    const messages = await collect(history, auditAuditor, undefined, await movingToEducation(roles, auditAuditor));

    expect(messages.map((m) => m.id)).toEqual(['5:a1']);
  });

  it('never reads the roles for a feed that is not an auditor\'s', async () => {
    const roles = new MovableSupervisor('EducationMSP');

    const view = await supervisorView(roles, educationOfficer);
    await view.refresh();

    expect(roles.reads).toBe(0);
    expect(isEventRelevant(educationOfficer, { ownerMsp: 'FinanceMSP' }, view.current())).toBe(false);
  });
});

describe('relevantEvents', () => {
  const history = [
    event(5n, 'a1', { datasetId: 'd1', ownerMsp: 'EducationMSP', txId: 'a1' }),
    event(5n, 'b2', { datasetId: 'd2', ownerMsp: 'FinanceMSP', txId: 'b2' }),
    event(5n, 'c3', { datasetId: 'd3', ownerMsp: 'EducationMSP', txId: 'c3' }),
    event(6n, 'd4', { datasetId: 'd4', ownerMsp: 'EducationMSP', txId: 'd4' }),
  ];

  it('yields relevant events with id <block>:<txId>, the event name and the payload with txId and blockNumber', async () => {
    const messages = await collect(history, educationOfficer);

    expect(messages.map((m) => m.id)).toEqual(['5:a1', '5:c3', '6:d4']);
    expect(messages[0]).toEqual({
      id: '5:a1',
      event: 'DatasetRegistered',
      data: { datasetId: 'd1', ownerMsp: 'EducationMSP', txId: 'a1', blockNumber: '5' },
    });
  });

  it('resumes after the cursor: skips the events of its block up to and including its transaction', async () => {
    const messages = await collect(history, educationOfficer, { blockNumber: 5n, txId: 'a1' });

    expect(messages.map((m) => m.id)).toEqual(['5:c3', '6:d4']);
  });

  it('resumes after the last event of a block with the next block', async () => {
    const messages = await collect(history, educationOfficer, { blockNumber: 5n, txId: 'c3' });

    expect(messages.map((m) => m.id)).toEqual(['6:d4']);
  });

  it('never forwards an event name that could break the SSE framing', async () => {
    const messages = await collect([event(1n, 'x', { ownerMsp: 'EducationMSP' }, 'Evil\ndata: injected')], educationOfficer);

    expect(messages).toEqual([]);
  });
});
