import { dirname } from 'node:path';

import type { Router } from 'express';
import helmet from 'helmet';
import { z } from 'zod';

import { bindRoutes, named, type RouteRegistry } from '../apiRoutes';
import { resourceRouter } from '../metrics';
import type { JsonObject } from '../openapi';

const SWAGGER_UI_DIR = dirname(require.resolve('swagger-ui-dist/package.json'));

// Served as a file (not inline) so that the page works under script-src 'self'.
const SWAGGER_INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

/** Only the files the page loads: not the package's sources, maps or package.json. */
const SWAGGER_UI_FILES = new Set([
  'index.html',
  'index.css',
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'favicon-16x16.png',
  'favicon-32x32.png',
]);

const OpenApiDocument = named(
  'OpenApiDocument',
  z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) }),
);

/**
 * Swagger UI needs its own stylesheet and inline style attributes; everything else stays as strict as the API's
 * policy: no inline or third-party scripts, no framing, same-origin fetches only.
 */
const docsContentSecurityPolicy = helmet.contentSecurityPolicy({
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
});

/** GET /openapi.json (documented in itself) and Swagger UI at /docs/. */
export function docsRouter(routes: RouteRegistry, document: () => JsonObject): Router {
  const router = resourceRouter();
  bindRoutes(router, routes, '').json(
    {
      method: 'get',
      path: '/openapi.json',
      operationId: 'openApiDocument',
      summary: 'This OpenAPI 3.1 document',
      tags: ['operations'],
      security: 'none',
      errors: [],
      response: { status: 200, description: 'OpenAPI 3.1 document', schema: OpenApiDocument },
    },
    () => ({ status: 200, body: document() }),
  );

  const docs = resourceRouter();
  docs.use(docsContentSecurityPolicy);
  docs.get('/{:file}', (req, res, next) => {
    const file = req.params.file ?? 'index.html';
    if (file === 'index.html' && !(req.originalUrl.split('?')[0] ?? '').endsWith('/')) {
      // Swagger UI's page uses relative URLs: /docs must become /docs/.
      res.redirect(301, '/docs/');
    } else if (file === 'swagger-initializer.js') {
      res.type('text/javascript').send(SWAGGER_INITIALIZER);
    } else if (SWAGGER_UI_FILES.has(file)) {
      res.sendFile(file, { root: SWAGGER_UI_DIR });
    } else {
      next();
    }
  });
  router.use('/docs', docs);
  return router;
}
