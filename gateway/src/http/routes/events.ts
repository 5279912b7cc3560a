import type { Router } from 'express';
import { z } from 'zod';

import { EVENT_ID_PATTERN, parseEventId, type EventFeed, type EventFeedService, type FeedMessage } from '../../services/eventFeed';
import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { authenticatedUser } from '../auth';
import { resourceRouter } from '../metrics';
import { HttpProblem } from '../problem';

/** One Server-Sent Events message as a client parses it (the shape OpenAPI tools check each event against). */
const ServerSentEvent = named(
  'ServerSentEvent',
  z
    .object({
      id: z.string().regex(EVENT_ID_PATTERN).describe('<blockNumber>:<txId>; send it back as Last-Event-ID to resume'),
      event: z.string().describe('The chaincode event name, e.g. DatasetRegistered'),
      data: z.string().describe('The event payload as JSON, with txId and blockNumber added'),
    })
    .meta({ description: 'A chaincode event relevant to the caller' }),
);

export const DEFAULT_HEARTBEAT_MS = 15_000;
/** Open streams per token: each holds a Fabric event stream on the peer, so one token cannot open them without end. */
export const DEFAULT_MAX_STREAMS_PER_TOKEN = 4;

const EventStreamHeaders = z.object({
  'last-event-id': z
    .string()
    .regex(EVENT_ID_PATTERN, 'must be an event id <blockNumber>:<txId> received from this stream')
    .optional()
    .describe('Resume after this event (sent automatically by EventSource on reconnect)'),
});

function shuttingDown(): HttpProblem {
  return new HttpProblem(
    { status: 503, code: 'SHUTTING_DOWN', title: 'Gateway shutting down', detail: 'This gateway is shutting down; reconnect shortly' },
    { 'Retry-After': '5' },
  );
}

function serialise(message: FeedMessage): string {
  return `id: ${message.id}\nevent: ${message.event}\ndata: ${JSON.stringify(message.data)}\n\n`;
}

/** GET /events: the caller's relevant chaincode events as Server-Sent Events, resumable with Last-Event-ID. */
export function eventsRouter(
  feeds: EventFeedService,
  routes: RouteRegistry,
  basePath: string,
  heartbeatMs = DEFAULT_HEARTBEAT_MS,
  shutdown?: AbortSignal,
  maxStreamsPerToken = DEFAULT_MAX_STREAMS_PER_TOKEN,
): Router {
  const router = resourceRouter();
  const openStreams = new Map<string, number>();
  // A function, not a narrowed property: shutdown may begin across the awaits of a request.
  const shuttingDownNow = (): boolean => shutdown?.aborted === true;
  bindRoutes(router, routes, basePath).raw(
    {
      method: 'get',
      path: '/',
      operationId: 'streamEvents',
      summary:
        "Chaincode events relevant to the caller's department (auditors: all), as Server-Sent Events. " +
        'Each message has id <blockNumber>:<txId>, event <event name>, data <payload JSON with txId and blockNumber>.',
      tags: ['events'],
      security: 'bearer',
      headers: EventStreamHeaders,
      response: {
        status: 200,
        description: 'An endless text/event-stream of these messages; a comment line every 15 s',
        contentType: 'text/event-stream',
        schema: ServerSentEvent,
      },
      errors: [429, 503],
    },
    async ({ headers }, req, res) => {
      if (shuttingDownNow()) throw shuttingDown();
      const user = authenticatedUser(req);
      const open = openStreams.get(user.id) ?? 0;
      if (open >= maxStreamsPerToken) {
        throw new HttpProblem(
          {
            status: 429,
            code: 'TOO_MANY_STREAMS',
            title: 'Too many event streams',
            detail: `This token already has ${open} event streams open (at most ${maxStreamsPerToken}); close one first`,
          },
          { 'Retry-After': '5' },
        );
      }
      // Counted before the first await, released when the connection closes however the stream ended.
      openStreams.set(user.id, open + 1);
      res.once('close', () => {
        const left = (openStreams.get(user.id) ?? 1) - 1;
        if (left === 0) openStreams.delete(user.id);
        else openStreams.set(user.id, left);
      });
      const after = headers['last-event-id'] === undefined ? undefined : parseEventId(headers['last-event-id']);
      const connection: { clientGone: boolean; feed?: EventFeed } = { clientGone: false };
      // A function, not a narrowed property: the flag changes across the awaits below.
      const clientGone = (): boolean => connection.clientGone;
      res.on('close', () => {
        connection.clientGone = true;
        connection.feed?.close();
      });
      // Opened before the 200 is sent: a peer that cannot be reached still gets a problem response.
      const feed = await feeds.open(user, after);
      connection.feed = feed;
      if (clientGone()) {
        feed.close();
        return;
      }
      if (shuttingDownNow()) {
        feed.close();
        throw shuttingDown();
      }
      // A stream never ends by itself: on shutdown it is ended here, so that the server can close at once and the
      // client reconnects (with Last-Event-ID) to a gateway that is up, instead of holding the shutdown open.
      const endOnShutdown = (): void => {
        feed.close();
      };
      shutdown?.addEventListener('abort', endOnShutdown, { once: true });
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        Connection: 'keep-alive',
        'X-Accel-Buffering': 'no',
      });
      res.write(': connected\n\n');
      // Keeps proxies and idle-timeouts from closing a quiet stream.
      const heartbeat = setInterval(() => {
        res.write(': heartbeat\n\n');
      }, heartbeatMs);
      try {
        for await (const message of feed.messages) {
          res.write(serialise(message));
        }
      } catch (err) {
        if (!clientGone() && !shuttingDownNow()) {
          req.log.warn({ err }, 'chaincode event stream ended with an error');
        }
      } finally {
        shutdown?.removeEventListener('abort', endOnShutdown);
        clearInterval(heartbeat);
        feed.close();
        if (shuttingDownNow()) {
          // Closes the connection too: left open as an idle keep-alive connection, it would hold the server's close.
          res.end(() => {
            req.socket.end();
          });
        } else {
          res.end();
        }
      }
    },
  );
  return router;
}
