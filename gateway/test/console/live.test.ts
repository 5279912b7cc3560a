import { createHash } from 'node:crypto';

import { normaliseSha256, sha256Hex, toHex } from '../../console/src/lib/digest';
import { LiveStream, nextDelay, toLiveEvent, type LiveEvent, type LiveStatus } from '../../console/src/lib/live';
import { toProblem } from '../../console/src/lib/problem';

describe('console SHA-256', () => {
  it('computes the hex digest with Web Crypto, as the browser does', async () => {
    const bytes = new TextEncoder().encode('diploma of Jane Doe');
    expect(await sha256Hex(bytes)).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await sha256Hex(new ArrayBuffer(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(new Uint8Array([0, 15, 255]))).toBe('000fff');
  });

  it('accepts a pasted digest in any case, nothing else', () => {
    expect(normaliseSha256(` ${'AB'.repeat(32)}\n`)).toBe('ab'.repeat(32));
    expect(normaliseSha256('ab'.repeat(31))).toBeUndefined();
    expect(normaliseSha256('zz'.repeat(32))).toBeUndefined();
  });
});

describe('console problems', () => {
  it('shows the API problem as sent, and anything else as a readable one', () => {
    expect(
      toProblem(400, 'Bad Request', {
        type: 'urn:govshare:problem:validation-failed',
        title: 'Invalid request',
        status: 400,
        code: 'VALIDATION_FAILED',
        detail: 'query parameters are invalid',
        issues: [{ path: 'actorMsp', message: 'give datasetId or actorMsp, not both' }],
      }),
    ).toEqual({
      type: 'urn:govshare:problem:validation-failed',
      title: 'Invalid request',
      status: 400,
      code: 'VALIDATION_FAILED',
      detail: 'query parameters are invalid',
      issues: [{ path: 'actorMsp', message: 'give datasetId or actorMsp, not both' }],
    });
    expect(toProblem(502, 'Bad Gateway', '<html>')).toEqual({ type: 'about:blank', title: 'Bad Gateway', status: 502, code: 'HTTP_502', detail: '' });
  });
});

/** A Response whose body streams the given chunks, then ends. */
function streamResponse(chunks: string[]): Response {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    }),
    { status: 200, headers: { 'content-type': 'text/event-stream' } },
  );
}

describe('console live events (fetch + eventsource-parser)', () => {
  it('turns SSE messages with an id and a JSON object into events, and skips the rest', () => {
    expect(toLiveEvent({ id: '7:tx', event: 'DatasetRegistered', data: '{"datasetId":"d"}' })).toEqual({
      id: '7:tx',
      event: 'DatasetRegistered',
      data: { datasetId: 'd' },
    });
    expect(toLiveEvent({ data: '{}' })).toBeUndefined();
    expect(toLiveEvent({ id: '1:t', data: 'not json' })).toBeUndefined();
    expect(toLiveEvent({ id: '1:t', data: '[1]' })).toBeUndefined();
  });

  it('backs off after failures, up to 30 s', () => {
    expect([0, 1, 2, 3, 10].map((failures) => nextDelay(1_000, failures))).toEqual([1_000, 2_000, 4_000, 8_000, 30_000]);
  });

  it('reads events split across chunks, sends the token, and resumes with Last-Event-ID after the stream ends', async () => {
    const requests: Headers[] = [];
    const events: LiveEvent[] = [];
    const statuses: LiveStatus[] = [];
    const control: { stream?: LiveStream } = {};
    const responses = [
      streamResponse([': connected\n\n', 'retry: 5\nid: 5:tx1\nevent: DatasetRegistered\nda', 'ta: {"datasetId":"d1","txId":"tx1"}\n\n']),
      streamResponse(['id: 6:tx2\nevent: AccessRequested\ndata: {"grantId":"g1"}\n\n', ': heartbeat\n\n']),
    ];
    const fakeFetch = (_url: string | URL | Request, init?: RequestInit): Promise<Response> => {
      requests.push(new Headers(init?.headers));
      const next = responses.shift();
      if (next === undefined) {
        control.stream?.stop();
        return Promise.reject(new Error('aborted'));
      }
      return Promise.resolve(next);
    };
    const delays: number[] = [];
    const stream = new LiveStream({
      url: '/api/v1/events',
      token: 'tok',
      fetch: fakeFetch,
      onEvent: (event) => events.push(event),
      onStatus: (status) => statuses.push(status),
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });

    control.stream = stream;
    await stream.start();

    expect(events.map((event) => [event.id, event.event])).toEqual([
      ['5:tx1', 'DatasetRegistered'],
      ['6:tx2', 'AccessRequested'],
    ]);
    expect(events[0]?.data).toEqual({ datasetId: 'd1', txId: 'tx1' });
    expect(requests.map((headers) => headers.get('authorization'))).toEqual(['Bearer tok', 'Bearer tok', 'Bearer tok']);
    expect(requests.map((headers) => headers.get('last-event-id'))).toEqual([null, '5:tx1', '6:tx2']);
    expect(delays).toEqual([5, 5]);
    expect(statuses).toEqual(['connecting', 'open', 'reconnecting', 'open', 'reconnecting', 'stopped']);
    expect(stream.lastEventId).toBe('6:tx2');
  });

  it('stops when the gateway refuses the token, and backs off on server errors', async () => {
    const statuses: LiveStatus[] = [];
    const delays: number[] = [];
    const answers = [new Response('{}', { status: 503 }), new Response('{}', { status: 401 })];
    const stream = new LiveStream({
      url: '/api/v1/events',
      token: 'bad',
      fetch: () => Promise.resolve(answers.shift() ?? new Response('', { status: 401 })),
      onEvent: () => undefined,
      onStatus: (status) => statuses.push(status),
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });

    await stream.start();

    expect(statuses).toEqual(['connecting', 'reconnecting', 'reconnecting', 'unauthorized']);
    expect(delays).toEqual([2_000]);
  });
});
