import type { LedgerEvent } from '../src/fabric/chaincodeEvents';
import type { AuthenticatedUser } from '../src/identity/user';
import { isEventRelevant, parseEventId, relevantEvents } from '../src/services/eventFeed';

const educationOfficer: AuthenticatedUser = { id: 'education-officer', role: 'officer', mspId: 'EducationMSP' };
const educationAuditor: AuthenticatedUser = { id: 'education-auditor', role: 'auditor', mspId: 'EducationMSP' };
const auditAuditor: AuthenticatedUser = { id: 'audit-auditor', role: 'auditor', mspId: 'AuditMSP' };
const auditOfficer: AuthenticatedUser = { id: 'audit-officer', role: 'officer', mspId: 'AuditMSP' };

describe('isEventRelevant', () => {
  it('shows an event to the department named in ownerMsp or requesterMsp', () => {
    expect(isEventRelevant(educationOfficer, { datasetId: 'd', ownerMsp: 'EducationMSP' })).toBe(true);
    expect(isEventRelevant(educationOfficer, { ownerMsp: 'FinanceMSP', requesterMsp: 'EducationMSP' })).toBe(true);
  });

  it('hides an event that names other departments only', () => {
    expect(isEventRelevant(educationOfficer, { ownerMsp: 'FinanceMSP', requesterMsp: 'JusticeMSP' })).toBe(false);
  });

  it('matches only fields ending in Msp, exactly', () => {
    expect(isEventRelevant(educationOfficer, { note: 'EducationMSP' })).toBe(false);
    expect(isEventRelevant(educationOfficer, { ownerMsp: 'educationmsp' })).toBe(false);
    expect(isEventRelevant(educationOfficer, { ownermsp: 'EducationMSP' })).toBe(false);
  });

  it('looks into nested objects and arrays', () => {
    expect(isEventRelevant(educationOfficer, { parties: [{ signerMsp: 'EducationMSP' }] })).toBe(true);
  });

  it('shows everything to auditors of the audit organisation only', () => {
    expect(isEventRelevant(auditAuditor, { ownerMsp: 'FinanceMSP' })).toBe(true);
    expect(isEventRelevant(auditAuditor, undefined)).toBe(true);
    expect(isEventRelevant(educationAuditor, { ownerMsp: 'FinanceMSP' })).toBe(false);
    expect(isEventRelevant(auditOfficer, { ownerMsp: 'FinanceMSP' })).toBe(false);
  });

  it('hides payloads that are not objects', () => {
    expect(isEventRelevant(educationOfficer, 'EducationMSP')).toBe(false);
    expect(isEventRelevant(educationOfficer, null)).toBe(false);
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

async function collect(events: LedgerEvent[], user: AuthenticatedUser, after?: { blockNumber: bigint; txId: string }) {
  async function* stream() {
    await Promise.resolve();
    yield* events;
  }
  const messages = [];
  for await (const message of relevantEvents(stream(), user, after)) messages.push(message);
  return messages;
}

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
