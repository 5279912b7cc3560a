import type { ChaincodeEventSource, LedgerEvent, LedgerEventStream } from '../fabric/chaincodeEvents';
import type { AuthenticatedUser } from '../identity/user';
import type { OrgRoles } from './orgRoles';

/** Where a client stopped: the last event it received (block number and transaction id). */
export interface EventCursor {
  readonly blockNumber: bigint;
  readonly txId: string;
}

/** One message of the feed, ready to be written as a Server-Sent Event. */
export interface FeedMessage {
  /** `<blockNumber>:<txId>`: a checkpoint the client sends back as Last-Event-ID. */
  readonly id: string;
  readonly event: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export const EVENT_ID_PATTERN = /^(\d{1,20}):([A-Za-z0-9]{1,128})$/;

export function formatEventId(cursor: EventCursor): string {
  return `${cursor.blockNumber.toString()}:${cursor.txId}`;
}

export function parseEventId(text: string): EventCursor | undefined {
  const match = EVENT_ID_PATTERN.exec(text);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  return { blockNumber: BigInt(match[1]), txId: match[2] };
}

function mentionsMsp(value: unknown, mspId: string, depth: number): boolean {
  if (depth > 4 || typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return value.some((item) => mentionsMsp(item, mspId, depth + 1));
  return Object.entries(value).some(
    ([key, field]) => (key.endsWith('Msp') && field === mspId) || mentionsMsp(field, mspId, depth + 1),
  );
}

/**
 * Whether `user` may see an event: auditors of the supervising organisation (the channel's OrgConfig) see every
 * event; anyone else only events whose payload names their MSP in a field ending in `Msp` (ownerMsp, requesterMsp, ...).
 */
export function isEventRelevant(user: AuthenticatedUser, payload: unknown, supervisorMsp: string | undefined): boolean {
  if (user.role === 'auditor' && user.mspId === supervisorMsp) return true;
  return mentionsMsp(payload, user.mspId, 0);
}

/** The event SetOrgConfig emits: the supervisor may have moved with it. */
const ORG_CONFIG_CHANGED = 'OrgConfigChanged';

/**
 * Which organisation supervises, as the feed needs to know it: only an auditor could be the supervisor's, so
 * nobody else's feed reads the configuration at all. Read when the feed opens and again after every
 * OrgConfigChanged event it passes (the event is delivered once its block is committed, so the peer then
 * answers with the new roles): a supervisor's feed widens, and a former supervisor's narrows, at that event.
 */
export interface SupervisorView {
  current(): string | undefined;
  refresh(): Promise<void>;
}

export async function supervisorView(roles: OrgRoles, user: AuthenticatedUser): Promise<SupervisorView> {
  let supervisor: string | undefined;
  const refresh = async (): Promise<void> => {
    if (user.role === 'auditor') supervisor = await roles.supervisorMsp(user);
  };
  await refresh();
  return { current: () => supervisor, refresh };
}

function parsePayload(payload: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Event names become an SSE `event:` line: anything that could break the framing is never forwarded. */
const SAFE_EVENT_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

function toMessage(event: LedgerEvent, payload: unknown): FeedMessage {
  const fields = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : {};
  return {
    id: formatEventId(event),
    event: event.eventName,
    data: { ...fields, txId: event.txId, blockNumber: event.blockNumber.toString() },
  };
}

/**
 * The events of `stream` that `user` may see, as feed messages. With a cursor, the stream must start at the
 * cursor's block: events of that block up to and including the cursor's transaction were already delivered.
 */
export async function* relevantEvents(
  stream: AsyncIterable<LedgerEvent>,
  user: AuthenticatedUser,
  supervisor: SupervisorView,
  after?: EventCursor,
): AsyncGenerator<FeedMessage> {
  let skipping = after !== undefined;
  for await (const event of stream) {
    if (skipping && after !== undefined) {
      if (event.blockNumber < after.blockNumber) continue;
      if (event.blockNumber === after.blockNumber) {
        if (event.txId === after.txId) skipping = false;
        continue;
      }
      skipping = false;
    }
    if (event.eventName === ORG_CONFIG_CHANGED) await supervisor.refresh();
    if (!SAFE_EVENT_NAME.test(event.eventName)) continue;
    const payload = parsePayload(event.payload);
    if (isEventRelevant(user, payload, supervisor.current())) {
      yield toMessage(event, payload);
    }
  }
}

export interface EventFeed {
  readonly messages: AsyncIterable<FeedMessage>;
  /** Stops the underlying Fabric stream; iteration then ends. */
  close(): void;
}

export interface EventFeedService {
  /** Opens the caller's feed: from the next block, or resuming after `after`. */
  open(user: AuthenticatedUser, after?: EventCursor): Promise<EventFeed>;
}

export function createEventFeedService(source: ChaincodeEventSource, roles: OrgRoles): EventFeedService {
  return {
    async open(user, after) {
      const supervisor = await supervisorView(roles, user);
      const stream: LedgerEventStream = await source.chaincodeEvents(user, after?.blockNumber);
      return {
        messages: relevantEvents(stream, user, supervisor, after),
        close: () => {
          stream.close();
        },
      };
    },
  };
}
