/**
 * GET /api/v1/events needs the Authorization header, which EventSource cannot send: this reads the stream with
 * fetch and eventsource-parser instead, and reconnects like EventSource does, resuming with Last-Event-ID.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface LiveEvent {
  /** <blockNumber>:<txId>. */
  readonly id: string;
  /** The chaincode event name, e.g. DatasetRegistered. */
  readonly event: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export type LiveStatus = 'connecting' | 'open' | 'reconnecting' | 'stopped' | 'unauthorized';

/** One parsed SSE message as a live event; undefined for messages that are not (no id, or data that is not a JSON object). */
export function toLiveEvent(message: EventSourceMessage): LiveEvent | undefined {
  if (message.id === undefined || message.id === '') return undefined;
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  return { id: message.id, event: message.event ?? 'message', data: data as Record<string, unknown> };
}

/** The next reconnection delay: the server's retry (or 1 s) after a clean end, doubling after failures up to 30 s. */
export function nextDelay(baseMs: number, failures: number, maxMs = 30_000): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, failures));
}

export interface LiveStreamOptions {
  readonly url: string;
  readonly token: string;
  readonly onEvent: (event: LiveEvent) => void;
  readonly onStatus?: (status: LiveStatus, detail?: string) => void;
  /** Resume after this event id. */
  readonly lastEventId?: string;
  readonly fetch?: typeof fetch;
  readonly retryMs?: number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A reconnecting reader of the gateway's event stream; `start()` runs until `stop()`. */
export class LiveStream {
  #lastEventId: string | undefined;
  #retryMs: number;
  readonly #controller = new AbortController();
  readonly #options: LiveStreamOptions;

  constructor(options: LiveStreamOptions) {
    this.#options = options;
    this.#lastEventId = options.lastEventId;
    this.#retryMs = options.retryMs ?? 1_000;
  }

  get lastEventId(): string | undefined {
    return this.#lastEventId;
  }

  stop(): void {
    this.#controller.abort();
    this.#options.onStatus?.('stopped');
  }

  /** Connects, reads and reconnects until stopped or the token is refused. */
  async start(): Promise<void> {
    const signal = this.#controller.signal;
    // A function, not a narrowed property: stop() changes it across the awaits below.
    const stopped = (): boolean => signal.aborted;
    const sleep = this.#options.sleep ?? defaultSleep;
    let failures = 0;
    let status: LiveStatus = 'connecting';
    while (!stopped()) {
      this.#options.onStatus?.(status);
      try {
        const outcome = await this.#readOnce(signal, () => {
          failures = 0;
          this.#options.onStatus?.('open');
        });
        if (outcome === 'unauthorized') {
          this.#options.onStatus?.('unauthorized', 'the gateway refused the token');
          return;
        }
      } catch (error) {
        if (stopped()) return;
        failures += 1;
        this.#options.onStatus?.('reconnecting', error instanceof Error ? error.message : String(error));
      }
      if (stopped()) return;
      status = 'reconnecting';
      await sleep(nextDelay(this.#retryMs, failures), signal);
    }
  }

  async #readOnce(signal: AbortSignal, opened: () => void): Promise<'ended' | 'unauthorized'> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.#options.token}`, Accept: 'text/event-stream' };
    if (this.#lastEventId !== undefined) headers['Last-Event-ID'] = this.#lastEventId;
    const response = await (this.#options.fetch ?? fetch)(this.#options.url, { headers, signal });
    if (response.status === 401 || response.status === 403) return 'unauthorized';
    if (!response.ok || response.body === null) throw new Error(`event stream answered HTTP ${String(response.status)}`);
    opened();
    const parser = createParser({
      onEvent: (message) => {
        const event = toLiveEvent(message);
        if (event === undefined) return;
        this.#lastEventId = event.id;
        this.#options.onEvent(event);
      },
      onRetry: (ms) => {
        this.#retryMs = ms;
      },
    });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
    } finally {
      reader.releaseLock();
    }
    return 'ended';
  }
}
