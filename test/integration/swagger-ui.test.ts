/**
 * Swagger UI at /docs, in headless Chromium, against a real gateway: the page renders every operation of the
 * OpenAPI document and shows no error (an unsupported `jsonSchemaDialect` used to put a red warning on top).
 */
import { existsSync } from 'node:fs';

import { chromium, type Browser } from 'playwright-core';

import { gatewaysFile } from './support/network';

const CHROMIUM = process.env.GOVSHARE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'];

let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: npm test installs it (apt-get install chromium), or set GOVSHARE_CHROMIUM`);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser.close();
});

test('Swagger UI opens the document with every operation and no error or warning banner', async () => {
  const gateway = gatewaysFile().education;
  const document = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  const operations = Object.values(document.paths).reduce((sum, methods) => sum + Object.keys(methods).length, 0);
  expect(document).not.toHaveProperty('jsonSchemaDialect');

  const page = await browser.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  try {
    await page.goto(`${gateway.url}/docs/`, { waitUntil: 'load' });
    // Swagger UI renders one block per operation once it has fetched and parsed the document.
    await page.locator('.opblock').nth(operations - 1).waitFor({ timeout: 30_000 });
    expect(await page.locator('.opblock').count()).toBe(operations);
    // Swagger UI shows spec problems (e.g. "Unsupported value for jsonSchemaDialect") in .errors-wrapper.
    expect(await page.locator('.errors-wrapper').count()).toBe(0);
    expect(await page.getByText(/jsonSchemaDialect/i).count()).toBe(0);
    expect(consoleErrors).toEqual([]);
  } finally {
    await page.close();
  }
});
