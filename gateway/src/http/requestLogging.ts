import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

declare module 'http' {
  interface IncomingMessage {
    /** The request id (x-request-id), set by requestLogging. */
    id: string;
    /** Logger bound to this request (id, method, url; routes add e.g. userId, txId). */
    log: Logger;
  }
  interface ServerResponse {
    /** An unexpected error behind a 5xx answer: logged with the request's completion line. */
    err?: Error | undefined;
    log: Logger;
  }
}

const REQUEST_ID_HEADER = 'x-request-id';
// A caller-supplied id is echoed into logs and headers, so accept only a short, inert token.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(req: IncomingMessage): string {
  const supplied = req.headers[REQUEST_ID_HEADER];
  return typeof supplied === 'string' && ACCEPTABLE_REQUEST_ID.test(supplied) ? supplied : randomUUID();
}

/**
 * One JSON log line per request, tagged with the request id (x-request-id, respected or generated and echoed):
 * `req` {id, method, url}, `res` {statusCode}, `responseTime` (ms) and, for 5xx, `err`; info, warn for 4xx,
 * error for 5xx; "request completed", "request errored", or "request aborted" when the client went away first.
 * Headers (Authorization) and bodies are never logged. (The same lines pino-http wrote with our serializers,
 * for a third of its CPU per request: no per-request serializer wrapping, one child logger.)
 */
export function requestLogging(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = Date.now();
    const id = requestIdFor(req);
    res.setHeader(REQUEST_ID_HEADER, id);
    req.id = id;
    const log = logger.child({ req: { id, method: req.method, url: req.originalUrl } });
    req.log = log;
    res.log = log;

    const onDone = (err?: Error): void => {
      res.off('close', onDone);
      res.off('finish', onDone);
      res.off('error', onDone);
      const responseTime = Date.now() - started;
      const statusCode = res.headersSent ? res.statusCode : null;
      const status = res.statusCode;
      const level = err !== undefined || status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info';
      const failure = err ?? res.err ?? (status >= 500 ? new Error(`failed with status code ${String(status)}`) : undefined);
      if (failure !== undefined) {
        log[level]({ res: { statusCode }, err: failure, responseTime }, 'request errored');
      } else {
        const completed = !req.readableAborted && res.writableEnded;
        log[level]({ res: { statusCode }, responseTime }, completed ? 'request completed' : 'request aborted');
      }
    };
    res.on('close', onDone);
    res.on('finish', onDone);
    res.on('error', onDone);
    next();
  };
}
