import { z } from 'zod';

import type { NamedSchema, RegisteredRoute } from './apiRoutes';
import { PROBLEM_CONTENT_TYPE, ProblemSchema } from './problem';

export type JsonObject = Record<string, unknown>;

export interface OpenApiInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

const STATUS_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'Invalid request (INVALID_ARGUMENT and chaincode validation codes)',
  401: 'Missing or unknown bearer token (UNAUTHENTICATED)',
  403: "The caller's organisation or role may not do this (FORBIDDEN)",
  404: 'Not found',
  409: 'Conflict with the ledger state (chaincode code, or MVCC conflict after retries)',
  413: 'Request body over the size limit (PAYLOAD_TOO_LARGE)',
  415: 'Request body is not application/json (UNSUPPORTED_MEDIA_TYPE)',
  422: 'Idempotency-Key reused with a different body (IDEMPOTENCY_KEY_REUSED)',
  429: 'Too many requests for this token (RATE_LIMITED); see Retry-After',
  500: 'Unexpected error (INTERNAL)',
  502: 'Endorsement or commit failed (ENDORSEMENT_FAILED, COMMIT_FAILED)',
  503: 'Fabric network unavailable (FABRIC_UNAVAILABLE, NOT_READY)',
  504: 'Fabric did not answer in time (FABRIC_TIMEOUT)',
};

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

// An empty metadata registry: ids set with .meta() elsewhere must not turn into document-relative $defs.
const NO_METADATA = z.registry<{ id?: string }>();

/** JSON Schema 2020-12 (the dialect of OpenAPI 3.1) of one zod schema, self-contained. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
  const generated = z.toJSONSchema(schema, { io, metadata: NO_METADATA, unrepresentable: 'any', reused: 'inline' });
  const rest: JsonObject = { ...generated };
  // OpenAPI 3.1's default dialect (its base vocabulary over JSON Schema 2020-12) applies to every schema: the
  // document declares no jsonSchemaDialect, which Swagger UI would flag as unsupported for any other value.
  delete rest.$schema;
  if ('$defs' in rest) {
    throw new Error('Recursive schemas are not supported in the OpenAPI document');
  }
  return rest;
}

function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** `last-event-id` → `Last-Event-ID`, as clients usually spell headers. */
function headerName(lowerCase: string): string {
  return lowerCase
    .split('-')
    .map((word) => (word === 'id' ? 'ID' : `${word.charAt(0).toUpperCase()}${word.slice(1)}`))
    .join('-');
}

function parametersOf(schema: z.ZodObject | undefined, location: 'path' | 'query' | 'header'): JsonObject[] {
  if (schema === undefined) return [];
  const json = jsonSchemaOf(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    return {
      name: location === 'header' ? headerName(name) : name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: propertySchema,
    };
  });
}

class Components {
  readonly schemas: Record<string, JsonObject> = { Problem: jsonSchemaOf(ProblemSchema, 'output') };
  readonly #sources = new Map<string, { schema: z.ZodType; io: 'input' | 'output' }>();

  ref(named: NamedSchema, io: 'input' | 'output'): JsonObject {
    const source = this.#sources.get(named.name);
    if (source === undefined) {
      if (named.name in this.schemas) {
        throw new Error(`Schema name ${named.name} is reserved`);
      }
      this.#sources.set(named.name, { schema: named.schema, io });
      this.schemas[named.name] = jsonSchemaOf(named.schema, io);
    } else if (source.schema !== named.schema || source.io !== io) {
      throw new Error(`Two different schemas are named ${named.name}`);
    }
    return { $ref: `#/components/schemas/${named.name}` };
  }
}

function errorStatuses(route: RegisteredRoute): number[] {
  const statuses = new Set(route.errors);
  if (route.body !== undefined || route.params !== undefined || route.query !== undefined || route.headers !== undefined) {
    statuses.add(400);
  }
  if (route.body !== undefined) {
    statuses.add(413).add(415);
  }
  if (route.security === 'bearer') {
    statuses.add(401).add(429);
  }
  if (route.idempotent === true) {
    statuses.add(422);
  }
  return [...statuses].sort((a, b) => a - b);
}

function operationOf(route: RegisteredRoute, components: Components): JsonObject {
  const { response } = route;
  const successContent =
    response.schema === undefined
      ? { [response.contentType ?? 'application/json']: { schema: { type: 'string' } } }
      : { [response.contentType ?? 'application/json']: { schema: components.ref(response.schema, 'output') } };
  const responses: Record<string, JsonObject> = {
    [String(response.status)]: {
      description: response.description,
      ...(response.status === 204 ? {} : { content: successContent }),
    },
  };
  for (const status of errorStatuses(route)) {
    responses[String(status)] = {
      description: STATUS_DESCRIPTIONS[status] ?? 'Error',
      content: { [PROBLEM_CONTENT_TYPE]: { schema: PROBLEM_REF } },
    };
  }
  const parameters = [
    ...parametersOf(route.params, 'path'),
    ...parametersOf(route.query, 'query'),
    ...parametersOf(route.headers, 'header'),
  ];
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [...route.tags],
    security: route.security === 'bearer' ? [{ bearerAuth: [] }] : [],
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(route.body === undefined
      ? {}
      : { requestBody: { required: route.bodyOptional !== true, content: { 'application/json': { schema: components.ref(route.body, 'input') } } } }),
    responses,
  };
}

/** OpenAPI 3.1 built from the registered routes: adding a route adds it to the document. */
export function buildOpenApiDocument(routes: readonly RegisteredRoute[], info: OpenApiInfo): JsonObject {
  const components = new Components();
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of routes) {
    const path = openApiPath(route.fullPath);
    paths[path] ??= {};
    paths[path][route.method] = operationOf(route, components);
  }
  return {
    openapi: '3.1.0',
    info: { ...info },
    servers: [{ url: '/' }],
    paths,
    components: {
      schemas: components.schemas,
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'Per-user token issued by the department operator' },
      },
    },
  };
}
