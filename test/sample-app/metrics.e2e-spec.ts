import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildCallEnded, buildRecordingReady, sharedSecretHeaders } from 'nestjs-pathors/testing';
import type { RunningSampleApp } from '../../sample-app/src/bootstrap.js';
import type { LiveMetrics } from '../../sample-app/src/metrics/live-metrics.types.js';
import { samplesOf } from './support/prometheus-text.js';
import { bootSampleApp } from './support/sample-app.harness.js';

/** Booting includes starting PGlite (WebAssembly), which takes a while on a busy machine. */
const BOOT_TIMEOUT_MS = 120_000;
const WEBHOOK_SECRET = 'metrics-test-secret-7d1c';
const API_KEY = 'metrics-test-key';

/** The value of the one sample named `name` whose labels include `labels`. */
function valueOf(exposition: string, name: string, labels: Record<string, string>): number {
  const matching = samplesOf(exposition, name, labels);
  expect(matching).toHaveLength(1);
  return matching[0].value;
}

const deliver = (running: RunningSampleApp, payload: object, secret = WEBHOOK_SECRET) =>
  fetch(`${running.url}/pathors/webhooks`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...sharedSecretHeaders(secret) },
    body: JSON.stringify(payload),
  });

describe('sample app with SAMPLE_METRICS=on', () => {
  let running: RunningSampleApp;
  const callEnded = buildCallEnded();
  const recordingReady = buildRecordingReady();

  beforeAll(async () => {
    running = await bootSampleApp({
      SAMPLE_METRICS: 'on',
      SAMPLE_API_KEY: API_KEY,
      PATHORS_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    // Handled, a redelivery of it, another event handled, and a request with the wrong secret.
    expect((await deliver(running, callEnded)).status).toBe(200);
    expect((await deliver(running, callEnded)).status).toBe(200);
    expect((await deliver(running, recordingReady)).status).toBe(200);
    expect((await deliver(running, callEnded, 'wrong-secret')).status).toBe(401);
  }, BOOT_TIMEOUT_MS);
  afterAll(async () => running?.app.close());

  it("serves nestjs-pathors' delivery counter and handler histogram at GET /metrics, without the API key", async () => {
    const response = await fetch(`${running.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const exposition = await response.text();

    const deliveries = 'pathors_webhook_deliveries_total';
    const call = { pathors_registration: 'default', pathors_event_name: 'call.ended' };
    expect(valueOf(exposition, deliveries, { ...call, pathors_outcome: 'handled' })).toBe(1);
    expect(valueOf(exposition, deliveries, { ...call, pathors_outcome: 'duplicate' })).toBe(1);
    expect(
      valueOf(exposition, deliveries, { pathors_event_name: 'recording.ready', pathors_outcome: 'handled' }),
    ).toBe(1);
    expect(
      valueOf(exposition, 'pathors_webhook_rejections_total', { http_response_status_code: '401' }),
    ).toBe(1);

    // One handler run per handled event (the redelivery ran none), in the buckets of the histogram.
    for (const [event, handler] of [
      ['call.ended', 'ConversationOutcomesHandler.onCallEnded'],
      ['recording.ready', 'ConversationOutcomesHandler.onRecordingReady'],
    ]) {
      const run = {
        pathors_event_name: event,
        pathors_handler_id: handler,
        pathors_handler_result: 'succeeded',
      };
      expect(valueOf(exposition, 'pathors_handler_duration_count', run)).toBe(1);
      expect(valueOf(exposition, 'pathors_handler_duration_bucket', { ...run, le: '+Inf' })).toBe(1);
      expect(valueOf(exposition, 'pathors_handler_duration_sum', run)).toBeGreaterThan(0);
    }
  });

  it('keeps the API key on the live series of the inspector, which counts the deliveries by outcome', async () => {
    expect((await fetch(`${running.url}/inspector/live-metrics`)).status).toBe(401);
    const read = async () =>
      (await (
        await fetch(`${running.url}/inspector/live-metrics`, { headers: { 'x-api-key': API_KEY } })
      ).json()) as LiveMetrics;
    // The series takes a point every second: wait until it has counted the four requests, however many seconds it took.
    const counted = (series: LiveMetrics) => Object.values(series.totals).reduce((sum, n) => sum + n, 0);
    let series = await read();
    while (counted(series) < 4) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      series = await read();
    }
    expect(series.totals).toEqual({ handled: 2, duplicate: 1, rejected: 1 });
    expect(series.intervalSeconds).toBe(1);
    const withRuns = series.points.filter((point) => point.handlerLatencyMs !== undefined);
    expect(withRuns.length).toBeGreaterThan(0);
    const { p50, p95, p99 } = withRuns[0].handlerLatencyMs!;
    expect(p50).toBeGreaterThan(0);
    expect(p50).toBeLessThanOrEqual(p95);
    expect(p95).toBeLessThanOrEqual(p99);
  });
});

describe('sample app with SAMPLE_METRICS=off (the default of the tests)', () => {
  let running: RunningSampleApp;

  beforeAll(async () => {
    running = await bootSampleApp({ PATHORS_WEBHOOK_SECRET: WEBHOOK_SECRET });
  }, BOOT_TIMEOUT_MS);
  afterAll(async () => running?.app.close());

  it('serves no /metrics and no live series, and handles webhooks as before', async () => {
    expect(running.metrics).toBe(false);
    expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${running.url}/inspector/live-metrics`)).status).toBe(404);
    expect((await deliver(running, buildCallEnded())).status).toBe(200);
  });

  it('refuses a SAMPLE_METRICS that is neither on nor off, naming the values it takes', async () => {
    await expect(bootSampleApp({ SAMPLE_METRICS: 'yes' })).rejects.toThrow(
      'SAMPLE_METRICS must be "on" or "off", got "yes"',
    );
  });
});
