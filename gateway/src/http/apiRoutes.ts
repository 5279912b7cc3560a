import type { Request, RequestHandler, Response, Router } from 'express';
import { z } from 'zod';

import { sendJson } from '../performance/sendJson';
import { authenticatedUser } from './auth';
import { IdempotencyKeyHeaders, withIdempotency, type IdempotencyStore } from './idempotency';
import type { JsonResult } from './jsonResult';
import { HttpProblem } from './problem';
import { parseOrThrow } from './validation';

export type { JsonResult } from './jsonResult';

/**
 * A small route registry: every API route declares its method, path, schemas, error statuses and security once.
 * The same declaration validates the request (bindRoutes) and describes it in the OpenAPI document (openapi.ts),
 * so the two cannot drift apart.
 */
export type HttpMethod = 'get' | 'post' | 'put' | 'delete';

/** A schema that appears in the document's components under `name`. */
export interface NamedSchema<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly schema: S;
}

export function named<S extends z.ZodType>(name: string, schema: S): NamedSchema<S> {
  return { name, schema };
}

export interface SuccessResponse {
  readonly status: number;
  readonly description: string;
  /** Defaults to application/json. */
  readonly contentType?: string;
  readonly schema?: NamedSchema;
}

export interface RouteSpec {
  readonly method: HttpMethod;
  /** Express path relative to the router's mount point, e.g. '/:id'. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly security: 'bearer' | 'none';
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  /** Header names in lower case (Node's req.headers). */
  readonly headers?: z.ZodObject;
  /** A JSON request body; the route answers 415 to any other media type. */
  readonly body?: NamedSchema;
  /** A request without a body is parsed as `{}` (e.g. an approval that narrows nothing). */
  readonly bodyOptional?: boolean;
  readonly response: SuccessResponse;
  /** Problem statuses specific to this route; 400/401/413/415/422/429 are added from body, security and idempotency. */
  readonly errors: readonly number[];
  /** A ledger submit: accepts Idempotency-Key, so a retried request never submits twice. */
  readonly idempotent?: boolean;
  /** Response fields shown once (a one-time token): never stored, so a replay answers without them. */
  readonly secretResponseFields?: readonly string[];
}

/** A route as registered: full path, and the headers it really validates (Idempotency-Key included). */
export interface RegisteredRoute extends RouteSpec {
  readonly fullPath: string;
}

export class RouteRegistry {
  readonly #routes: RegisteredRoute[] = [];

  get routes(): readonly RegisteredRoute[] {
    return this.#routes;
  }

  add(basePath: string, spec: RouteSpec): RegisteredRoute {
    const headers =
      spec.idempotent === true
        ? (spec.headers ?? z.object({})).extend(IdempotencyKeyHeaders.shape)
        : spec.headers;
    const route: RegisteredRoute = {
      ...spec,
      ...(headers === undefined ? {} : { headers }),
      fullPath: spec.path === '/' && basePath !== '' ? basePath : `${basePath}${spec.path}`,
    };
    if (this.#routes.some((r) => r.method === route.method && r.fullPath === route.fullPath)) {
      throw new Error(`Route ${route.method.toUpperCase()} ${route.fullPath} registered twice`);
    }
    this.#routes.push(route);
    return route;
  }
}

type SchemaOutput<S, K extends 'params' | 'query' | 'headers'> = S extends { readonly [P in K]: infer Z extends z.ZodType }
  ? z.output<Z>
  : undefined;
type BodyOutput<S> = S extends { readonly body: NamedSchema<infer Z> } ? z.output<Z> : undefined;

export interface RouteInput<S extends RouteSpec> {
  readonly params: SchemaOutput<S, 'params'>;
  readonly query: SchemaOutput<S, 'query'>;
  readonly headers: SchemaOutput<S, 'headers'>;
  readonly body: BodyOutput<S>;
}


export interface RouteBinder {
  /** A route answering JSON: the handler returns its result. */
  json<S extends RouteSpec>(spec: S, handler: (input: RouteInput<S>, req: Request) => Promise<JsonResult> | JsonResult): void;
  /** A route writing its own response (streams, non-JSON bodies). */
  raw<S extends RouteSpec>(spec: S, handler: (input: RouteInput<S>, req: Request, res: Response) => Promise<void> | void): void;
}

export interface BindOptions {
  /** Required when a route is idempotent. */
  readonly idempotency?: IdempotencyStore | undefined;
}

function unsupportedMediaType(): HttpProblem {
  return new HttpProblem({
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    title: 'Unsupported media type',
    detail: 'Send the request body as application/json',
  });
}

function parseInput<S extends RouteSpec>(route: RegisteredRoute, req: Request): RouteInput<S> {
  // req.is() is null when the request has no body at all; clients also send an empty one as Content-Length: 0.
  const empty = req.is('application/json') === null || req.get('content-length') === '0';
  const bodyAbsent = route.bodyOptional === true && empty;
  if (route.body !== undefined && !bodyAbsent && typeof req.is('application/json') !== 'string') {
    throw unsupportedMediaType();
  }
  const parse = (schema: z.ZodType | undefined, input: unknown, what: string): unknown =>
    schema === undefined ? undefined : parseOrThrow(schema, input, what);
  return {
    params: parse(route.params, req.params, 'path parameters'),
    query: parse(route.query, req.query, 'query parameters'),
    headers: parse(route.headers, req.headers, 'headers'),
    body: parse(route.body?.schema, bodyAbsent ? {} : req.body, 'request body'),
  } as RouteInput<S>;
}

function bindTxIdToLog(req: Request, body: unknown): void {
  if (typeof body === 'object' && body !== null && 'txId' in body && typeof body.txId === 'string') {
    req.log.setBindings({ txId: body.txId });
  }
}

/** Registers routes on `router` (mounted at `basePath`) and in `registry`, validating each request against its spec. */
export function bindRoutes(router: Router, registry: RouteRegistry, basePath: string, options: BindOptions = {}): RouteBinder {
  const register = (spec: RouteSpec, handler: RequestHandler): void => {
    router[spec.method](spec.path, handler);
  };
  return {
    json(spec, handler) {
      const route = registry.add(basePath, spec);
      const store = options.idempotency;
      if (route.idempotent === true && store === undefined) {
        throw new Error(`Route ${route.operationId} is idempotent but no idempotency store was given`);
      }
      register(route, async (req, res) => {
        const input = parseInput<typeof spec>(route, req);
        const execute = async (): Promise<JsonResult> => await handler(input, req);
        if (route.idempotent === true && store !== undefined) {
          const outcome = await withIdempotency(store, req, authenticatedUser(req).id, execute, {
            secretFields: route.secretResponseFields ?? [],
          });
          bindTxIdToLog(req, outcome.result.body);
          if (outcome.replayed) {
            res.set('Idempotency-Replayed', 'true');
          }
          sendJson(res, outcome.result);
          return;
        }
        const result = await execute();
        bindTxIdToLog(req, result.body);
        sendJson(res, result);
      });
    },
    raw(spec, handler) {
      const route = registry.add(basePath, spec);
      register(route, async (req, res) => {
        await handler(parseInput<typeof spec>(route, req), req, res);
      });
    },
  };
}
