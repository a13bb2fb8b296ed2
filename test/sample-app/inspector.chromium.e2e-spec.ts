import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { buildCallEnded, sharedSecretHeaders } from 'nestjs-pathors/testing';
import { mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { PlayedDemoSession } from '../../sample-app/src/embedded/demo-sessions.service.js';
import {
  OUTCOME_COLOURS,
  PERCENTILE_COLOURS,
} from '../../sample-app/src/inspector/client/live-chart.client.js';
import { buildSampleApp, startBuiltSampleApp, type BuiltSampleApp } from './support/built-sample-app.js';
import { countPixels, decodePng } from './support/png-pixels.js';
import { sumOf } from './support/prometheus-text.js';

const SCREENSHOT = fileURLToPath(new URL('../../test-artifacts/inspector.png', import.meta.url));
const CHART_SCREENSHOT = fileURLToPath(new URL('../../test-artifacts/inspector-chart.png', import.meta.url));
const WEBHOOK_SECRET = 'inspector-test-secret';

let app: BuiltSampleApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  buildSampleApp();
  app = await startBuiltSampleApp({ PATHORS_WEBHOOK_SECRET: WEBHOOK_SECRET, SAMPLE_METRICS: 'on' });
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

/** The totals the chart's legend shows, by outcome; an outcome not seen yet is 0. */
async function chartTotals(outcomes: readonly string[]): Promise<Record<string, number>> {
  const totals: Record<string, number> = {};
  for (const outcome of outcomes) {
    const figure = page.locator(`#live-chart li[data-outcome="${outcome}"] .figure`);
    totals[outcome] = (await figure.count()) === 0 ? 0 : Number(await figure.textContent());
  }
  return totals;
}

/** What the app counted so far, from its Prometheus metrics: deliveries by outcome, and refused requests. */
async function countedSoFar(): Promise<{ handled: number; duplicate: number; rejected: number }> {
  const exposition = await (await fetch(`${app.url}/metrics`)).text();
  const deliveries = (outcome: string) =>
    sumOf(exposition, 'pathors_webhook_deliveries_total', { pathors_outcome: outcome });
  return {
    handled: deliveries('handled'),
    duplicate: deliveries('duplicate'),
    rejected: sumOf(exposition, 'pathors_webhook_rejections_total'),
  };
}

it('charts the deliveries per second by outcome and the handler latency percentiles, live', async () => {
  const chart = page.locator('#live-chart');
  await chart.waitFor({ state: 'visible' });
  // The chart lags the deliveries by a second or two: start from what the app counted, not what the chart shows yet.
  const before = await countedSoFar();

  // Five calls ended, each delivered twice, and two requests with a wrong secret.
  const send = (payload: object, secret = WEBHOOK_SECRET) =>
    fetch(`${app.url}/pathors/webhooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...sharedSecretHeaders(secret) },
      body: JSON.stringify(payload),
    });
  const calls = Array.from({ length: 5 }, () => buildCallEnded());
  for (const call of [...calls, ...calls]) expect((await send(call)).status).toBe(200);
  for (const call of calls.slice(0, 2)) expect((await send(call, 'not-the-secret')).status).toBe(401);

  const expected = {
    handled: before.handled + 5,
    duplicate: before.duplicate + 5,
    rejected: before.rejected + 2,
  };
  await page.waitForFunction(
    (totals) =>
      Object.entries(totals).every(
        ([outcome, total]) =>
          document.querySelector(`#live-chart li[data-outcome="${outcome}"] .figure`)?.textContent ===
          String(total),
      ),
    expected,
  );
  expect(await chartTotals(Object.keys(expected))).toEqual(expected);
  expect(await countedSoFar()).toEqual(expected);
  // The latency legend names the percentiles of the handler runs, the lines go on for a few seconds.
  expect(await chart.locator('.latency li .figure').allTextContents()).toEqual([
    expect.stringMatching(/^\d+(\.\d+)? ms$/),
    expect.stringMatching(/^\d+(\.\d+)? ms$/),
    expect.stringMatching(/^\d+(\.\d+)? ms$/),
  ]);
  // The percentiles cover the last 10 s: wait until the p99 line spans three seconds, so that it is a line, not a dot.
  await page.waitForFunction(
    () =>
      (document.querySelector('#live-chart path[data-percentile="p99"]')?.getAttribute('d') ?? '').split('L')
        .length > 3,
  );
  expect(await chart.locator('rect[data-outcome="handled"]').count()).toBeGreaterThan(0);

  mkdirSync(fileURLToPath(new URL('.', `file://${CHART_SCREENSHOT}`)), { recursive: true });
  const image = decodePng(await chart.screenshot({ path: CHART_SCREENSHOT }));
  // A legend swatch is 10 × 10 pixels: more than that in a colour is its bars or its line.
  expect(countPixels(image, OUTCOME_COLOURS.handled)).toBeGreaterThan(150);
  expect(countPixels(image, OUTCOME_COLOURS.duplicate)).toBeGreaterThan(150);
  expect(countPixels(image, OUTCOME_COLOURS.rejected)).toBeGreaterThan(100);
  expect(countPixels(image, PERCENTILE_COLOURS.p99)).toBeGreaterThan(100);
}, 60_000);

it('shuts down cleanly on SIGTERM while the page still holds its live connection', async () => {
  expect(await page.locator('#connection').getAttribute('data-state')).toBe('live');
  // Nest runs the shutdown hooks (closing the database), then re-raises the signal.
  expect(await app.stop()).toEqual({ code: null, signal: 'SIGTERM' });
  expect(app.output()).toContain('[Database] Closed PGlite (embedded, in memory)');
});
