import { Classification, DatasetRegistration } from 'govshare-contract';
import request from 'supertest';
import { z } from 'zod';

import { named, RouteRegistry } from '../src/http/apiRoutes';
import { buildOpenApiDocument, type JsonObject } from '../src/http/openapi';
import { buildTestApp } from './support/testApp';

interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; required: boolean }[];
  requestBody?: { content: Record<string, { schema: { $ref: string } }> };
  responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonObject>; securitySchemes: Record<string, JsonObject> };
}

async function fetchDocument(): Promise<Document> {
  const { app } = buildTestApp();
  const res = await request(app).get('/openapi.json').expect(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  return res.body as Document;
}

/** Every "$ref" anywhere in the document, as JSON pointers. */
function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => (key === '$ref' && typeof child === 'string' ? [child] : refsIn(child)));
}

function resolvePointer(document: unknown, ref: string): unknown {
  expect(ref.startsWith('#/')).toBe(true);
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, segment) => (typeof node === 'object' && node !== null ? (node as JsonObject)[segment] : undefined), document);
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document listing every route with its method', async () => {
    const document = await fetchDocument();

    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'GET /openapi.json',
        'GET /sign-in',
        'POST /api/v1/datasets',
        'GET /api/v1/datasets',
        'GET /api/v1/datasets/{id}',
        'PUT /api/v1/datasets/{id}',
        'POST /api/v1/datasets/{id}/retire',
        'GET /api/v1/datasets/{id}/history',
        'PUT /api/v1/datasets/{id}/data',
        'GET /api/v1/datasets/{id}/data',
        'POST /api/v1/grants',
        'GET /api/v1/grants',
        'GET /api/v1/grants/check',
        'GET /api/v1/grants/{id}',
        'GET /api/v1/grants/{id}/details',
        'POST /api/v1/grants/{id}/approve',
        'POST /api/v1/grants/{id}/deny',
        'POST /api/v1/grants/{id}/withdraw',
        'POST /api/v1/grants/{id}/revoke',
        'POST /api/v1/grants/{id}/countersign',
        'GET /api/v1/audit',
        'GET /api/v1/audit/ledger/verify',
        'POST /api/v1/offline/prepare',
        'POST /api/v1/offline/endorse',
        'POST /api/v1/offline/submit',
        'POST /api/v1/receipts/verify',
        'POST /api/v1/offline/commit',
        'POST /api/v1/admin/users',
        'GET /api/v1/admin/tokens',
        'POST /api/v1/admin/tokens',
        'GET /api/v1/admin/tokens/{id}',
        'DELETE /api/v1/admin/tokens/{id}',
        'POST /api/v1/admin/tokens/{id}/rotate',
        'POST /api/v1/admin/sign-ins/{userId}/revoke',
        'POST /api/v1/certificates',
        'GET /api/v1/certificates/{sha256}',
        'POST /api/v1/certificates/{sha256}/revoke',
        'GET /api/v1/events',
        'GET /api/v1/me',
      ].sort(),
    );
  });

  it('resolves every $ref inside the document', async () => {
    const document = await fetchDocument();

    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect({ ref, resolved: resolvePointer(document, ref) !== undefined }).toEqual({ ref, resolved: true });
    }
  });

  it('describes the registration body with the same schema the validator uses', async () => {
    const document = await fetchDocument();

    const operation = document.paths['/api/v1/datasets']?.post;
    expect(operation?.requestBody?.content['application/json']?.schema.$ref).toBe('#/components/schemas/DatasetRegistration');
    const schema = document.components.schemas.DatasetRegistration as {
      properties: Record<string, { enum?: string[] }>;
      required: string[];
      additionalProperties: boolean;
    };
    expect(schema.properties.classification?.enum).toEqual(Classification.options);
    expect(new Set(schema.properties.classification?.enum)).toEqual(new Set(['PUBLIC', 'INTERNAL', 'RESTRICTED', 'SECRET']));
    expect(schema.additionalProperties).toBe(false);
    const requiredByValidator = Object.keys(DatasetRegistration.shape).filter(
      (key) => !DatasetRegistration.shape[key as keyof typeof DatasetRegistration.shape].safeParse(undefined).success,
    );
    expect(new Set(schema.required)).toEqual(new Set(requiredByValidator));
  });

  it('declares bearer security on API routes and none on operational ones', async () => {
    const document = await fetchDocument();

    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.paths['/api/v1/datasets/{id}']?.get?.security).toEqual([{ bearerAuth: [] }]);
    expect(document.paths['/healthz']?.get?.security).toEqual([]);
  });

  it('documents errors as problem+json and the Idempotency-Key header on submits', async () => {
    const document = await fetchDocument();

    const register = document.paths['/api/v1/datasets']?.post;
    expect(Object.keys(register?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '401', '409', '413', '415', '422', '429', '502', '503', '504']),
    );
    expect(register?.responses['409']?.content?.['application/problem+json']?.schema.$ref).toBe('#/components/schemas/Problem');
    expect(register?.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: false }));
    expect(document.paths['/api/v1/datasets/{id}']?.get?.parameters).toContainEqual(
      expect.objectContaining({ name: 'id', in: 'path', required: true }),
    );
  });

  it('documents the event stream as text/event-stream resumable with Last-Event-ID', async () => {
    const document = await fetchDocument();

    const stream = document.paths['/api/v1/events']?.get;
    expect(Object.keys(stream?.responses['200']?.content ?? {})).toEqual(['text/event-stream']);
    expect(stream?.parameters).toContainEqual(expect.objectContaining({ name: 'Last-Event-ID', in: 'header' }));
  });
});

describe('buildOpenApiDocument', () => {
  it('refuses two different schemas under one component name', () => {
    const routes = new RouteRegistry();
    const base = { tags: [], security: 'none', errors: [], summary: 's' } as const;
    routes.add('', { ...base, method: 'get', path: '/a', operationId: 'a', response: { status: 200, description: 'a', schema: named('Thing', z.string()) } });
    routes.add('', { ...base, method: 'get', path: '/b', operationId: 'b', response: { status: 200, description: 'b', schema: named('Thing', z.number()) } });

    expect(() => buildOpenApiDocument(routes.routes, { title: 't', version: '1' })).toThrow('Two different schemas are named Thing');
  });
});

describe('Swagger UI at /docs', () => {
  it('serves the page under a CSP that allows only same-origin scripts', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/docs/');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('swagger-ui-bundle.js');
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("script-src 'self' 'unsafe-inline'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('points Swagger UI at /openapi.json and serves its bundle', async () => {
    const { app } = buildTestApp();

    const initializer = await request(app).get('/docs/swagger-initializer.js').expect(200);
    const bundle = await request(app).get('/docs/swagger-ui-bundle.js');

    expect(initializer.text).toContain("url: '/openapi.json'");
    expect(bundle.status).toBe(200);
  });

  it('redirects /docs to /docs/ and serves nothing else from the package', async () => {
    const { app } = buildTestApp();

    const redirect = await request(app).get('/docs');
    const packageJson = await request(app).get('/docs/package.json');

    expect(redirect.status).toBe(301);
    expect(redirect.headers.location).toBe('/docs/');
    expect(packageJson.status).toBe(404);
  });

  it('keeps the strict policy on API responses', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/healthz');

    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
  });
});

describe('Swagger UI metrics', () => {
  it('labels documentation requests by route template', async () => {
    const { app } = buildTestApp();
    await request(app).get('/docs/').expect(200);
    await request(app).get('/docs/swagger-ui.css').expect(200);

    const { text } = await request(app).get('/metrics');

    expect(text).toContain('govshare_http_requests_total{method="GET",route="/docs/{:file}",status="200"} 2');
  });
});
