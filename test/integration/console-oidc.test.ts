/**
 * The console's OIDC sign-in in a real browser: Chromium opens Education's console, follows "Sign in with your
 * department's identity provider" to a real oidc-provider (started here), signs in on its login page, comes back with
 * an authorization code, exchanges it with PKCE for a JWT access token and shows the signed-in user, who was
 * enrolled with Education's Fabric CA on that first request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { chromium, type Browser } from 'playwright-core';

import { TestOidcProvider } from '../../gateway/test/support/oidcProvider';
import { operatorGatewayConfig, startGateway, testGatewayPort, waitUntil, type GatewayProcess } from './support/gatewayProcess';

const CHROMIUM = process.env.GOVSHARE_CHROMIUM ?? '/usr/bin/chromium';
// As in console.test.ts: nothing in Chromium reaches beyond this machine.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--disable-sync',
  '--disable-extensions',
  '--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication,CertificateTransparencyComponentUpdater',
  '--metrics-recording-only',
  '--no-first-run',
  '--no-default-browser-check',
  '--no-pings',
  '--mute-audio',
];
const runId = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const AUDIENCE = 'https://gateway.education.govshare.test';
const username = `console-${runId}`;
const port = testGatewayPort(30);
const url = `http://127.0.0.1:${String(port)}`;

let provider: TestOidcProvider;
let gateway: GatewayProcess;
let browser: Browser;
let walletDir: string;

beforeAll(async () => {
  provider = await TestOidcProvider.start({ audience: AUDIENCE, accounts: [{ username, role: 'auditor' }], redirectUris: [`${url}/console/`], accessTokenTtlSeconds: 600 });
  walletDir = mkdtempSync(path.join(tmpdir(), 'govshare-console-oidc-'));
  const config = operatorGatewayConfig('education');
  delete config.dataExchange;
  delete config.apiTokens;
  gateway = startGateway({
    ...config,
    listen: { host: '127.0.0.1', port },
    ca: { ...(config.ca as Record<string, unknown>), walletDir },
    oidc: { issuer: provider.issuer, audience: AUDIENCE, console: { clientId: provider.clientId } },
  });
  await waitUntil(gateway, async () => (await fetch(`${url}/readyz`)).ok);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

afterAll(async () => {
  await browser.close();
  await gateway.stop();
  await provider.stop();
  rmSync(walletDir, { recursive: true, force: true });
});

test('signs in with the authorization code flow and PKCE, and shows the enrolled user', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) errors.push(message.text());
  });
  const authorizationRequests: URL[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(`${provider.issuer}/auth`)) authorizationRequests.push(new URL(request.url()));
  });

  await page.goto(`${url}/console/`);
  await page.getByRole('button', { name: "Sign in with your department's identity provider" }).click();
  // The provider's own login page.
  await page.locator('input[name="login"]').fill(username);
  await page.locator('input[name="password"]').fill('any');
  await page.locator('button[type="submit"]').click();

  await page.locator('#whoami').waitFor();
  await expect(page.locator('#whoami').innerText()).resolves.toBe(`Signed in as ${username} (auditor, EducationMSP)`);
  expect(page.url()).toBe(`${url}/console/`);
  const [authorization] = authorizationRequests;
  expect(authorization?.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorization?.searchParams.get('response_type')).toBe('code');
  expect(errors).toEqual([]);
  await context.close();
});
