import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import request from 'supertest';

import { AUDITOR_TOKEN, buildTestApp, MSP_ID } from './support/testApp';

const CONSOLE_CSP =
  "default-src 'none';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';" +
  "base-uri 'none';form-action 'none';frame-ancestors 'none'";

describe('the web console at /console', () => {
  let built: string;
  beforeAll(() => {
    built = mkdtempSync(path.join(tmpdir(), 'govshare-console-'));
    mkdirSync(path.join(built, 'assets'));
    writeFileSync(path.join(built, 'index.html'), '<!doctype html><title>console</title><script type="module" src="/console/assets/index-abc.js"></script>');
    writeFileSync(path.join(built, 'assets', 'index-abc.js'), 'console.log("hi");');
    writeFileSync(path.join(built, 'assets', 'index-abc.css'), 'body{}');
    writeFileSync(path.join(built, '.secret'), 'dotfile');
  });
  afterAll(() => {
    rmSync(built, { recursive: true, force: true });
  });
  const app = () => buildTestApp(undefined, { options: { consoleDir: built } }).app;

  it('serves index.html at /console/ with its own strict CSP, without authentication', async () => {
    const res = await request(app()).get('/console/');

    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toContain('<title>console</title>');
    expect(res.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('redirects /console to /console/', async () => {
    const res = await request(app()).get('/console');

    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/console/');
  });

  it('serves the hashed assets as immutable, with their types', async () => {
    const script = await request(app()).get('/console/assets/index-abc.js');
    const style = await request(app()).get('/console/assets/index-abc.css');

    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.headers['content-security-policy']).toBe(CONSOLE_CSP);
    expect(style.status).toBe(200);
    expect(style.headers['content-type']).toMatch(/^text\/css/);
  });

  it('answers unknown files and dotfiles with the API 404 problem', async () => {
    for (const file of ['/console/assets/nope.js', '/console/.secret', '/console/../package.json']) {
      const res = await request(app()).get(file);
      expect(res.status).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('answers 503 problem "console not built" when the build directory is missing', async () => {
    const missing = buildTestApp(undefined, { options: { consoleDir: path.join(built, 'nowhere') } }).app;

    const res = await request(missing).get('/console/');

    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 503, code: 'CONSOLE_NOT_BUILT', title: 'Console not built' });
    expect((res.body as { detail: string }).detail).toMatch(/not built/);
  });

  it("leaves the API's own policy as it was", async () => {
    const api = await request(app()).get('/healthz');

    expect(api.headers['content-security-policy']).toBe("default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'");
  });
});

describe('GET /api/v1/me', () => {
  it('tells the caller who the token stands for', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/api/v1/me').set('Authorization', `Bearer ${AUDITOR_TOKEN}`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 'education-auditor', role: 'auditor', mspId: MSP_ID });
  });

  it('needs a token', async () => {
    const { app } = buildTestApp();

    const res = await request(app).get('/api/v1/me');

    expect(res.status).toBe(401);
  });
});
