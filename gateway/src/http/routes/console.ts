import { existsSync } from 'node:fs';
import path from 'node:path';

import express, { type Router } from 'express';
import helmet from 'helmet';

import { HttpProblem } from '../problem';

/** Where `npm run build -w gateway` puts the console: gateway/dist/console, beside the compiled gateway. */
export const CONSOLE_DIR = path.resolve(__dirname, '..', '..', 'console');

/**
 * The console is a bundled single-page app: its own scripts, styles and same-origin API calls, nothing inline,
 * nothing third-party, no framing, no forms posted anywhere.
 */
const consoleContentSecurityPolicy = (connectOrigins: readonly string[]) =>
  helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      // The identity provider's origin, when users sign in with OIDC: discovery and the code-for-token exchange.
      connectSrc: ["'self'", ...connectOrigins],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  });

/** The auditors' web console at /console/: static files built by Vite; 503 problem while it is not built. */
export function consoleRouter(directory: string = CONSOLE_DIR, connectOrigins: readonly string[] = []): Router {
  const router = express.Router();
  router.use(consoleContentSecurityPolicy(connectOrigins));
  router.use((_req, _res, next) => {
    // Checked per request: building the console does not need a gateway restart.
    if (!existsSync(path.join(directory, 'index.html'))) {
      throw new HttpProblem({
        status: 503,
        code: 'CONSOLE_NOT_BUILT',
        title: 'Console not built',
        detail: 'The web console is not built on this gateway: run `npm run build -w gateway` (scripts/gateways.sh start does)',
      });
    }
    next();
  });
  router.use(
    express.static(directory, {
      index: 'index.html',
      dotfiles: 'ignore',
      setHeaders: (res, file) => {
        // Vite names assets by content hash; the page itself must always be revalidated.
        const immutable = path.basename(path.dirname(file)) === 'assets';
        res.setHeader('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    }),
  );
  return router;
}
