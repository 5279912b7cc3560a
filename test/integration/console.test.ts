/**
 * The auditors' web console (/console) in a real browser: Debian's Chromium, driven by playwright-core, against the
 * gateways of the running network. Activity is created through the API first (Education registers and publishes a
 * dataset, Finance requests access, Education approves, Finance fetches, Education revokes, Finance is refused,
 * Education issues a certificate); then the Audit gateway's console must show it: the timeline with its filters and
 * paging, the dataset's history, the grant's lifecycle, certificate verification of dropped files, and a live event.
 * Justice's console must not show Education's dataset. Screenshots go to $GOVSHARE_STATE/test-results/console/.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { gatewaysFile, STATE_DIR, type Department, type Role } from './support/network';
import { apiAfterPropagation as api, closePeerSessions } from './support/propagation';

const CHROMIUM = process.env.GOVSHARE_CHROMIUM ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(STATE_DIR, 'test-results', 'console');

const runId = `${Date.now().toString(36)}-${process.pid.toString(36)}`;
const datasetId = `console-${runId}`;
const justiceDatasetId = `console-j-${runId}`;
const diploma = Buffer.from(`%PDF-1.7 diploma of a pupil, run ${runId}\n`);
const forgery = Buffer.from(`%PDF-1.7 a forged diploma, run ${runId}\n`);
const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

let browser: Browser;
let grantId = '';

/** Chromium's background services stay off: the tests talk to 127.0.0.1 only. */
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

function expectOk(response: { status: number; body: Record<string, unknown> }, status = 200): Record<string, unknown> {
  if (response.status !== status) throw new Error(`expected HTTP ${String(status)}, got ${String(response.status)}: ${JSON.stringify(response.body)}`);
  return response.body;
}

async function createActivity(): Promise<void> {
  expectOk(
    await api('education', 'POST', '/api/v1/datasets', {
      body: {
        id: datasetId,
        title: 'Pupils per school',
        description: 'Pupils enrolled per school',
        classification: 'INTERNAL',
        fingerprint: '0'.repeat(64),
        themes: ['education'],
        fields: [
          { name: 'school', type: 'CODE', sensitivity: 'NONE' },
          { name: 'pupils', type: 'INTEGER', sensitivity: 'NONE' },
          { name: 'headTeacher', type: 'STRING', sensitivity: 'PERSONAL' },
        ],
      },
    }),
    201,
  );
  expectOk(await api('education', 'PUT', `/api/v1/datasets/${datasetId}`, { body: { title: 'Pupils per school and year' } }));
  expectOk(
    await api('education', 'PUT', `/api/v1/datasets/${datasetId}/data`, {
      body: [
        { school: 'S-001', pupils: 312, headTeacher: 'Head Console-Alpha' },
        { school: 'S-002', pupils: 198, headTeacher: 'Head Console-Beta' },
      ],
    }),
  );
  const requested = expectOk(
    await api('finance', 'POST', '/api/v1/grants', {
      body: {
        datasetId,
        purpose: { code: 'OFFICIAL_STATISTICS', text: 'Cost per pupil' },
        legalBasis: 'Statistics Act s.7',
        fields: ['school', 'pupils'],
        notBefore: new Date(Date.now() - 60_000).toISOString(),
        notAfter: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      },
    }),
    201,
  );
  grantId = String(requested.id);
  expectOk(await api('education', 'POST', `/api/v1/grants/${grantId}/approve`, { role: 'approver' }));
  for (let fetch = 0; fetch < 4; fetch += 1) expectOk(await api('finance', 'GET', `/api/v1/datasets/${datasetId}/data`));
  expectOk(await api('education', 'POST', `/api/v1/grants/${grantId}/revoke`, { role: 'approver', body: { reason: 'Study finished' } }));
  expectOk(await api('finance', 'GET', `/api/v1/datasets/${datasetId}/data`), 403);
  expectOk(
    await api('education', 'POST', '/api/v1/certificates', {
      body: { type: 'DIPLOMA', documentSha256: sha256(diploma), subjectPseudonym: sha256(`subject ${runId}`), notAfter: '2031-07-01T00:00:00Z' },
    }),
    201,
  );
  expectOk(
    await api('justice', 'POST', '/api/v1/datasets', {
      body: { id: justiceDatasetId, title: 'Court sittings', description: 'Sittings per court', classification: 'INTERNAL', fingerprint: '1'.repeat(64) },
    }),
    201,
  );
}

interface Session {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Script errors and Content-Security-Policy violations seen so far. */
  readonly errors: string[];
}

async function signIn(department: Department, role: Role): Promise<Session> {
  const entry = gatewaysFile()[department];
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, timezoneId: 'UTC' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  // The bundle must work under the strict policy: Chromium reports each violation on the console.
  page.on('console', (message) => {
    if (message.text().includes('Content Security Policy')) errors.push(message.text());
  });
  await page.goto(`${entry.url}/console/`);
  await page.getByLabel('Bearer token').fill(entry.tokens[role]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#whoami').waitFor();
  return { context, page, errors };
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * Waits until the timeline has answered the API query `query` (its first page, then any "Load more") and returns its
 * count line.
 */
async function timelineLoaded(page: Page, query: string): Promise<string> {
  await page.locator(`#timeline-records[data-query="${query}"][aria-busy="false"]`).waitFor();
  return (await page.locator('#timeline-count').textContent()) ?? '';
}

async function loadMore(page: Page, query: string): Promise<string> {
  await page.getByRole('button', { name: 'Load more' }).click();
  return timelineLoaded(page, query);
}

interface Row {
  readonly type: string;
  readonly outcome: string;
  readonly actor: string;
  readonly dataset: string;
  readonly grant: string;
  readonly fresh: boolean;
}

async function timelineRows(page: Page): Promise<Row[]> {
  return page.locator('#timeline-records tbody tr').evaluateAll((rows) =>
    rows.map((row) => {
      const cells = [...(row as HTMLTableRowElement).cells].map((cell) => cell.innerText.trim());
      return {
        type: cells[1] ?? '',
        outcome: cells[2] ?? '',
        actor: cells[3] ?? '',
        dataset: cells[4] ?? '',
        grant: cells[5] ?? '',
        fresh: row.classList.contains('fresh'),
      };
    }),
  );
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: npm test installs it (apt-get install chromium), or set GOVSHARE_CHROMIUM`);
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  await createActivity();
}, 300_000);

afterAll(async () => {
  await browser.close();
  closePeerSessions();
});

describe("the auditors' web console in Chromium", () => {
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    ({ context, page, errors } = await signIn('audit', 'auditor'));
  });
  afterAll(async () => {
    await context.close();
  });

  test('signs in with the Audit gateway auditor token and says who it is', async () => {
    await expect(page.locator('#whoami').innerText()).resolves.toBe('Signed in as audit-auditor (auditor, AuditMSP)');
    await expect(page.evaluate(() => sessionStorage.length)).resolves.toBe(1);
  });

  test("filters the timeline by dataset, pages with Load more, and filters the outcome in the browser", async () => {
    await page.goto(`${gatewaysFile().audit.url}/console/#/timeline`);
    await page.getByLabel('Dataset').fill(datasetId);
    await expect(page.getByLabel('Department').isDisabled()).resolves.toBe(true);
    await page.getByLabel('Page size').selectOption('10');
    await page.getByRole('button', { name: 'Apply filters' }).click();

    const query = `dataset=${datasetId}&limit=10`;
    await expect(timelineLoaded(page, query)).resolves.toBe('10 record(s) loaded, more available');
    await expect(loadMore(page, query)).resolves.toBe('11 record(s) loaded');
    const rows = await timelineRows(page);
    expect(rows.every((row) => row.dataset === datasetId)).toBe(true);
    expect(rows.map((row) => `${row.type} ${row.outcome}`)).toEqual([
      'DATASET_REGISTERED SUCCESS',
      'DATASET_UPDATED SUCCESS',
      'DATASET_UPDATED SUCCESS',
      'ACCESS_REQUESTED SUCCESS',
      'ACCESS_APPROVED SUCCESS',
      'DATA_ACCESSED GRANTED',
      'DATA_ACCESSED GRANTED',
      'DATA_ACCESSED GRANTED',
      'DATA_ACCESSED GRANTED',
      'ACCESS_REVOKED SUCCESS',
      'DATA_ACCESSED DENIED',
    ]);
    expect(page.url()).toContain(`dataset=${datasetId}`);
    await screenshot(page, '1-timeline-dataset');

    await page.getByLabel('Outcome').selectOption('DENIED');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    // The outcome is filtered in the browser: the records already loaded are not fetched again.
    await page.locator('#timeline-count', { hasText: /outcome DENIED/ }).waitFor();
    await expect(page.locator('#timeline-count').textContent()).resolves.toBe('1 of 11 loaded record(s) have outcome DENIED');
    const denied = await timelineRows(page);
    expect(denied.map((row) => [row.type, row.outcome, row.actor.split('\n')[0]])).toEqual([['DATA_ACCESSED', 'DENIED', 'gateway.education']]); // recorded by the owner's gateway
    await screenshot(page, '2-timeline-denied');
  });

  test("shows the API's problem when dataset and department are both given", async () => {
    await page.goto(`${gatewaysFile().audit.url}/console/#/timeline?dataset=${datasetId}&org=FinanceMSP`);
    const problem = page.getByRole('alert');
    await problem.waitFor();
    const text = await problem.innerText();
    expect(text).toContain('HTTP 400');
    expect(text).toContain('INVALID_ARGUMENT');
    expect(text).toContain('not both');
  });

  test("opens the dataset's history from the timeline: every version with what changed", async () => {
    await page.goto(`${gatewaysFile().audit.url}/console/#/timeline?dataset=${datasetId}`);
    await timelineLoaded(page, `dataset=${datasetId}&limit=50`);
    await page.locator('#timeline-records').getByRole('link', { name: datasetId }).first().click();

    await page.locator('#history-records').waitFor();
    expect(page.url()).toContain(`#/datasets/${datasetId}`);
    const rows = await page.locator('#history-records tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...(tr as HTMLTableRowElement).cells].map((cell) => cell.innerText.trim())),
    );
    expect(rows.map((cells) => cells[0])).toEqual(['v3 (content v2)', 'v2 (content v1)', 'v1 (content v1)']);
    expect(rows.map((cells) => cells[3]?.split('\n')[1])).toEqual(['EducationMSP', 'EducationMSP', 'EducationMSP']);
    expect(rows[0]?.[5]).toMatch(/^fingerprint: 0{64} → [0-9a-f]{64}$/);
    expect(rows[1]?.[5]).toBe('title: Pupils per school → Pupils per school and year');
    expect(rows[2]?.[5]).toBe('(dataset): registered by EducationMSP as “Pupils per school”');
    await screenshot(page, '3-dataset-history');
  });

  test("opens the grant's lifecycle: request → approval → revocation, with its audit records", async () => {
    await page.goto(`${gatewaysFile().audit.url}/console/#/grants/${grantId}`);
    await page.locator('#grant-records').waitFor();

    await expect(page.locator('#grant-summary').innerText()).resolves.toContain('REVOKED');
    const stages = await page.locator('#grant-stages > li > strong').allInnerTexts();
    expect(stages).toEqual(['Requested', 'Approved', 'Revoked']);
    const records = await page.locator('#grant-records > li').evaluateAll((items) =>
      items.map((item) => `${item.querySelector('strong')?.textContent ?? ''} ${item.querySelector('.outcome')?.textContent ?? ''}`),
    );
    expect(records).toEqual([
      'ACCESS_REQUESTED SUCCESS',
      'ACCESS_APPROVED SUCCESS',
      'DATA_ACCESSED GRANTED',
      'DATA_ACCESSED GRANTED',
      'DATA_ACCESSED GRANTED',
      'DATA_ACCESSED GRANTED',
      'ACCESS_REVOKED SUCCESS',
      'DATA_ACCESSED DENIED',
    ]);
    await screenshot(page, '4-grant-lifecycle');
  });

  test('verifies certificates from files: the issued one VALID, another one not found', async () => {
    await page.goto(`${gatewaysFile().audit.url}/console/#/certificates`);
    await page.getByLabel('choose a file').setInputFiles({ name: 'diploma.pdf', mimeType: 'application/pdf', buffer: diploma });

    const verdict = page.locator('.verdict');
    await verdict.waitFor();
    await expect(page.locator('.verdict-status').innerText()).resolves.toBe('VALID');
    const valid = await verdict.innerText();
    expect(valid).toContain(sha256(diploma));
    expect(valid).toContain('DIPLOMA');
    expect(valid).toContain('EducationMSP');
    await screenshot(page, '5-certificate-valid');

    // Dropped onto the drop zone, as a person would drag it in.
    const dataTransfer = await page.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'forged.pdf', { type: 'application/pdf' }));
      return transfer;
    }, forgery.toString('utf8'));
    await page.dispatchEvent('#dropzone', 'drop', { dataTransfer });
    await page.locator('.verdict-unknown').waitFor();
    const unknown = await verdict.innerText();
    expect(unknown).toContain('UNKNOWN');
    expect(unknown).toContain('not found');
    expect(unknown).toContain(sha256(forgery));
    expect(unknown).toContain('forged.pdf');
    await screenshot(page, '6-certificate-unknown');
  });

  test('shows a live event, and the new audit record in the timeline, for a transaction made while the page is open', async () => {
    await page.goto(`${gatewaysFile().audit.url}/console/#/timeline?dataset=${datasetId}`);
    await expect(timelineLoaded(page, `dataset=${datasetId}&limit=50`)).resolves.toBe('11 record(s) loaded');
    await page.waitForFunction(() => document.querySelector('#live-status')?.textContent === 'connected');

    const updated = expectOk(await api('education', 'PUT', `/api/v1/datasets/${datasetId}`, { body: { description: 'Changed while an auditor watched' } }));

    const event = page.locator('#live-events > li', { hasText: 'DatasetUpdated' }).filter({ hasText: datasetId });
    await event.first().waitFor({ timeout: 30_000 });
    await expect(event.first().innerText()).resolves.toContain(`block ${String(updated.blockNumber)}`);
    await page.locator('#timeline-records tr.fresh').waitFor({ timeout: 30_000 });
    const fresh = (await timelineRows(page)).filter((row) => row.fresh);
    expect(fresh.map((row) => [row.type, row.dataset])).toEqual([['DATASET_UPDATED', datasetId]]);
    await expect(page.locator('#timeline-count').textContent()).resolves.toBe('12 record(s) loaded');
    await screenshot(page, '7-live-event');
  });

  test('verifies the ledger from the Audit peer: INTACT, every block and audit record checked', async () => {
    await page.goto(`${gatewaysFile().audit.url}/console/#/ledger`);
    await page.getByRole('button', { name: 'Verify the ledger' }).click();
    const verdict = page.locator('#ledger-verdict');
    await verdict.waitFor({ timeout: 120_000 });
    await expect(page.locator('#ledger-verdict .verdict-status').innerText()).resolves.toBe('INTACT');
    const text = await verdict.innerText();
    expect(text).toMatch(/\d+ blocks served by AuditMSP/);
    expect(text).toContain('Block 0 is the genesis block the network was created with.');
    expect(text).toMatch(/All [1-9]\d* audit records you may see \(\d+ transactions\) name VALID transactions/);
    await screenshot(page, '9-ledger-verification');
  });

  test('ran without a script error or a Content-Security-Policy violation', () => {
    expect(errors).toEqual([]);
  });
});

describe("a department's console is scoped to what its token may see", () => {
  test("Justice's auditor sees Justice's dataset but no record of Education's", async () => {
    const { context, page, errors } = await signIn('justice', 'auditor');
    try {
      await expect(page.locator('#whoami').innerText()).resolves.toBe('Signed in as justice-auditor (auditor, JusticeMSP)');
      await page.goto(`${gatewaysFile().justice.url}/console/#/timeline?limit=100`);
      await timelineLoaded(page, 'limit=100');
      while ((await page.getByRole('button', { name: 'Load more' }).count()) > 0) await loadMore(page, 'limit=100');
      const rows = await timelineRows(page);
      expect(rows.map((row) => row.dataset)).toContain(justiceDatasetId);
      expect(rows.map((row) => row.dataset)).not.toContain(datasetId);
      await screenshot(page, '8-justice-scoped');

      await page.goto(`${gatewaysFile().justice.url}/console/#/timeline?dataset=${datasetId}`);
      await expect(timelineLoaded(page, `dataset=${datasetId}&limit=50`)).resolves.toBe('0 record(s) loaded');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test("an officer's console shows the API's refusal of ledger verification", async () => {
    const { context, page } = await signIn('justice', 'officer');
    try {
      await page.goto(`${gatewaysFile().justice.url}/console/#/ledger`);
      await page.getByRole('button', { name: 'Verify the ledger' }).click();
      const problem = page.locator('.problem');
      await problem.waitFor();
      const text = await problem.innerText();
      expect(text).toContain('HTTP 403');
      expect(text).toContain('FORBIDDEN');
      expect(text).toContain('Only auditors may verify the ledger');
      await expect(page.locator('#ledger-verdict').count()).resolves.toBe(0);
    } finally {
      await context.close();
    }
  });
});
