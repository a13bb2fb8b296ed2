import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { buildCallEnded, sharedSecretHeaders } from 'nestjs-pathors/testing';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PlayedDemoSession } from '../../sample-app/src/embedded/demo-sessions.service.js';
import { buildSampleApp, startBuiltSampleApp, type BuiltSampleApp } from './support/built-sample-app.js';

const SCREENSHOT = fileURLToPath(new URL('../../test-artifacts/inspector.png', import.meta.url));
const WEBHOOK_SECRET = 'inspector-test-secret';

let app: BuiltSampleApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  buildSampleApp();
  app = await startBuiltSampleApp({ PATHORS_WEBHOOK_SECRET: WEBHOOK_SECRET });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await browser?.close();
});

/** Rows the inspector shows for a session. */
const rowsOf = (sessionId: string) => page.locator(`#deliveries tbody tr[data-session="${sessionId}"]`);

/** Resolves once the page shows `count` rows of the session (they arrive over server-sent events). */
const waitForRows = (sessionId: string, count: number) =>
  page.waitForFunction(
    ([id, n]) => document.querySelectorAll(`#deliveries tbody tr[data-session="${id}"]`).length === n,
    [sessionId, count] as const,
  );

/** The text of each cell of a row, by column header. */
async function cellsOf(row: ReturnType<Page['locator']>): Promise<Record<string, string>> {
  const headers = await page.locator('#deliveries thead th').allTextContents();
  const cells = await row.locator('td').allTextContents();
  return Object.fromEntries(headers.map((header, index) => [header, cells[index]]));
}

it('shows the deliveries of a session played from the page, live, with agent, status, handlers and dropped duplicates', async () => {
  await page.goto(app.url);
  await page.locator('#connection[data-state="live"]').waitFor();
  expect(await page.locator('#mode').textContent()).toBe('Embedded simulator');
  await page.locator('#webhook-urls code[data-agent="support"]').waitFor();
  expect(await page.locator('#webhook-urls').textContent()).toBe(
    `${app.url}/pathors/webhooks (default), ${app.url}/pathors/webhooks/support (support)`,
  );
  expect(await page.locator('select[name="agent"] option').allTextContents()).toEqual([
    'Follow-up agent (default)',
    'Support agent',
  ]);

  // A text chat first, then a call whose webhooks all arrive twice.
  await page.selectOption('select[name="kind"]', 'text');
  const text = page.waitForResponse('**/demo/sessions');
  await page.click('#play-form button');
  const textSession = ((await (await text).json()) as PlayedDemoSession).sessionId;

  await page.selectOption('select[name="kind"]', 'call');
  await page.check('input[name="duplicates"]');
  const call = page.waitForResponse('**/demo/sessions');
  await page.click('#play-form button');
  const played = (await (await call).json()) as PlayedDemoSession;

  await waitForRows(played.sessionId, 8);
  await waitForRows(textSession, 2);
  expect(await page.locator('#play-result').textContent()).toBe(`Played session ${played.sessionId}`);

  const finalized = rowsOf(played.sessionId).and(page.locator('[data-event="session.finalized"]'));
  // Newest first: the duplicate copy is on top, the original below it.
  const [copy, original] = await finalized.all();
  expect(await original.getAttribute('data-status')).toBe('200');
  expect(await original.locator('.handlers li.succeeded .mono').allTextContents()).toEqual([
    'ConversationOutcomesHandler.onSessionFinalized',
  ]);
  expect(await cellsOf(original)).toMatchObject({
    Agent: 'default',
    Dialect: 'lifecycle',
    'Duplicates dropped': '0',
  });
  expect(await cellsOf(copy)).toMatchObject({ Handlers: 'none', 'Duplicates dropped': '1 dropped' });
  expect(await rowsOf(textSession).locator('.agent').allTextContents()).toEqual(['default', 'default']);
});

it("shows a support chat played from the page under the support agent, handled by the support agent's handler", async () => {
  await page.selectOption('select[name="agent"]', 'support');
  await page.selectOption('select[name="kind"]', 'text');
  await page.uncheck('input[name="duplicates"]');
  const answer = page.waitForResponse('**/demo/sessions');
  await page.click('#play-form button');
  const played = (await (await answer).json()) as PlayedDemoSession;
  expect(played.agent).toBe('support');

  await waitForRows(played.sessionId, 2);
  const rows = rowsOf(played.sessionId);
  const agents = await Promise.all((await rows.all()).map((row) => row.getAttribute('data-agent')));
  expect(agents).toEqual(['support', 'support']);
  const finalized = rows.and(page.locator('[data-event="session.finalized"]'));
  expect(await cellsOf(finalized)).toMatchObject({ Agent: 'support', Status: expect.stringMatching(/^200/) });
  expect(await finalized.locator('.agent[data-agent="support"]').textContent()).toBe('support');
  expect(await finalized.locator('.handlers li.succeeded .mono').allTextContents()).toEqual([
    'SupportTicketsHandler.onSessionFinalized',
  ]);
});

it('shows a delivery refused for validation errors, with the fields at fault', async () => {
  const sessionId = randomUUID();
  const response = await fetch(`${app.url}/pathors/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...sharedSecretHeaders(WEBHOOK_SECRET) },
    body: JSON.stringify({ ...buildCallEnded({ sessionId }), callDuration: 'long' }),
  });
  expect(response.status).toBe(400);

  const row = rowsOf(sessionId);
  await row.waitFor();
  expect(await row.getAttribute('data-status')).toBe('400');
  expect(await row.locator('.issues li').allTextContents()).toEqual([
    expect.stringMatching(/^callDuration: .*callDuration must/),
    expect.stringMatching(/^callDuration: .*callDuration must/),
  ]);

  mkdirSync(fileURLToPath(new URL('.', `file://${SCREENSHOT}`)), { recursive: true });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
});

it('shuts down cleanly on SIGTERM while the page still holds its live connection', async () => {
  expect(await page.locator('#connection').getAttribute('data-state')).toBe('live');
  // Nest runs the shutdown hooks (closing the database), then re-raises the signal.
  expect(await app.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  expect(app.output()).toContain('[Database] Closed PGlite (embedded, in memory)');
});
