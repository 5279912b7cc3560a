/**
 * A department app's Server-Sent Events client for GET /api/v1/events, as the integration tests use
 * it: open (optionally resuming with Last-Event-ID), then wait for the events a test expects.
 */
import { gatewaysFile, type Department, type Role } from './network';

export interface SseEvent {
  readonly id: string;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/** A live EventSource-like reader of GET /api/v1/events. */
export class EventStream {
  readonly events: SseEvent[] = [];
  readonly #controller = new AbortController();
  #buffer = '';
  #done: Promise<void> = Promise.resolve();

  async open(department: Department, lastEventId?: string, role: Role = 'officer'): Promise<void> {
    const entry = gatewaysFile()[department];
    const headers: Record<string, string> = { authorization: `Bearer ${entry.tokens[role]}`, accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const response = await fetch(`${entry.url}/api/v1/events`, { headers, signal: this.#controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = response.body;
    if (body === null) throw new Error('no body');
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    // The first chunk (": connected") proves the Fabric event stream is open before the test submits anything.
    const first = await reader.read();
    this.#consume(first.value ?? '');
    this.#done = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          this.#consume(value);
        }
      } catch {
        // aborted by close()
      }
    })();
  }

  async waitFor(predicate: (event: SseEvent) => boolean, timeoutMs = 30_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`event not received; got ${JSON.stringify(this.events)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }

  #consume(chunk: string): void {
    this.#buffer += chunk;
    let end: number;
    while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
      const block = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      const fields = new Map<string, string>();
      for (const line of block.split('\n')) {
        if (line.startsWith(':') || !line.includes(':')) continue;
        fields.set(line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trimStart());
      }
      const data = fields.get('data');
      if (data !== undefined) {
        this.events.push({
          id: fields.get('id') ?? '',
          event: fields.get('event') ?? 'message',
          data: JSON.parse(data) as Record<string, unknown>,
        });
      }
    }
  }
}
