import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

import type { RateLimitConfig } from '../config';
import { authenticatedUser } from './auth';
import { HttpProblem } from './problem';

/**
 * Per-token rate limit, mounted after authentication: the key is the user the token resolves to, never the IP
 * (every caller of a loopback gateway shares one). Over the limit: 429 RATE_LIMITED with Retry-After.
 */
export function perUserRateLimit(config: RateLimitConfig): RequestHandler {
  return rateLimit({
    windowMs: config.windowMs,
    limit: config.max,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => authenticatedUser(req).id,
    handler: (_req, _res, next) => {
      // express-rate-limit has already set Retry-After (seconds until the window resets).
      next(
        new HttpProblem({
          status: 429,
          code: 'RATE_LIMITED',
          title: 'Too many requests',
          detail: `More than ${config.max} requests in ${Math.round(config.windowMs / 1000)} s for this token; retry later`,
        }),
      );
    },
  });
}
