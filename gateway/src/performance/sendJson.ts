import type { Response } from 'express';

import type { JsonResult } from '../http/jsonResult';

/**
 * Writes a JSON route's answer with res.end, its Content-Type and Content-Length set here: res.send would look the
 * type up in the MIME database, parse and reformat it to add the charset, and check freshness, on every response.
 * The headers sent are the same as res.send's (`<type>; charset=utf-8`, the byte length; the app turns ETags off);
 * Node itself leaves the body out of a HEAD response.
 *
 * Justified by: `BENCH_PARTS=p1-evaluate npm run bench` and `npm run bench -- cpu` (the gateway's CPU per
 * ReadDataset), bench/HISTORY.md rounds 2 and 3.
 */
export function sendJson(res: Response, result: JsonResult): void {
  res.status(result.status);
  if (result.headers !== undefined) {
    res.set(result.headers);
  }
  if (result.status === 204) {
    res.end();
    return;
  }
  const json = JSON.stringify(result.body);
  res.setHeader('Content-Type', `${result.contentType ?? 'application/json'}; charset=utf-8`);
  res.setHeader('Content-Length', Buffer.byteLength(json, 'utf8'));
  res.end(json, 'utf8');
}
