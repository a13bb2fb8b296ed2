/// <reference lib="dom" />
/**
 * The inspector's live chart (runs in the browser): webhook deliveries per second by outcome, as stacked bars, and
 * the handlers' latency percentiles, as lines, over the last minute. Drawn as inline SVG from
 * `GET /inspector/live-metrics`, polled every second.
 */
import type { LiveMetrics, LiveMetricsPoint } from '../../metrics/live-metrics.types.js';

const POLL_MS = 1000;
/** Seconds the x axis spans: the points the server keeps. */
const SPAN_S = 60;
const WIDTH = 720;
const HEIGHT = 150;
const MARGIN = { left: 44, right: 8, top: 10, bottom: 18 };
const SVG_NS = 'http://www.w3.org/2000/svg';

/** A colour per outcome, stacked in this order; an outcome not listed gets {@link OTHER_COLOUR}. */
export const OUTCOME_COLOURS: Readonly<Record<string, string>> = {
  handled: '#2f9e44',
  duplicate: '#f59f00',
  rejected: '#868e96',
  failed: '#e03131',
  'failed-permanently': '#9c36b5',
  'no-handler': '#74c0fc',
  background: '#4dabf7',
  queued: '#5c7cfa',
  'in-progress': '#66d9e8',
  error: '#c92a2a',
  'shutting-down': '#495057',
};
const OTHER_COLOUR = '#adb5bd';

/** A colour per latency percentile. */
export const PERCENTILE_COLOURS = { p50: '#1c7ed6', p95: '#f76707', p99: '#d6336c' } as const;
type Percentile = keyof typeof PERCENTILE_COLOURS;

const colourOf = (outcome: string): string => OUTCOME_COLOURS[outcome] ?? OTHER_COLOUR;

const draw = (tag: string, attributes: Record<string, string | number>, text?: string): SVGElement => {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
};

/** A round upper end for an axis whose values reach `max`: 1, 2 or 5 times a power of ten. */
function axisTop(max: number): number {
  if (max <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((step) => step * power).find((top) => top >= max) ?? 10 * power;
}

/** An empty plot: its frame, three labelled grid lines, and the x position and y scale of its points. */
function plot(title: string, top: number, unit: string) {
  const root = draw('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-label': title });
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (value: number) => MARGIN.top + innerHeight * (1 - value / top);
  for (const value of [0, top / 2, top]) {
    root.append(
      draw('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(value), y2: y(value), class: 'grid' }),
      draw('text', { x: MARGIN.left - 6, y: y(value) + 4, class: 'axis', 'text-anchor': 'end' }, `${value}`),
    );
  }
  root.append(
    draw('text', { x: MARGIN.left, y: HEIGHT - 4, class: 'axis' }, `−${SPAN_S} s`),
    draw('text', { x: WIDTH - MARGIN.right, y: HEIGHT - 4, class: 'axis', 'text-anchor': 'end' }, 'now'),
    draw('text', { x: MARGIN.left + 6, y: MARGIN.top + 10, class: 'axis' }, unit),
  );
  const slot = innerWidth / SPAN_S;
  /** Left edge of the slot of point `index` of `count`, the newest at the right end. */
  const x = (index: number, count: number) => MARGIN.left + (SPAN_S - count + index) * slot;
  return { root, x, y, slot, bottom: y(0) };
}

/** Deliveries per second, stacked by outcome in {@link OUTCOME_COLOURS}' order. */
function deliveriesPlot(series: LiveMetrics, outcomes: readonly string[]): SVGElement {
  const { points, intervalSeconds } = series;
  const rate = (point: LiveMetricsPoint, outcome: string) =>
    (point.deliveries[outcome] ?? 0) / intervalSeconds;
  const highest = Math.max(0, ...points.map((point) => outcomes.reduce((sum, o) => sum + rate(point, o), 0)));
  const { root, x, y, slot, bottom } = plot(
    'Deliveries per second by outcome',
    axisTop(highest),
    'deliveries/s',
  );
  points.forEach((point, index) => {
    let base = bottom;
    for (const outcome of outcomes) {
      const value = rate(point, outcome);
      if (value === 0) continue;
      const height = bottom - y(value);
      base -= height;
      root.append(
        draw('rect', {
          x: x(index, points.length) + 1,
          y: base,
          width: Math.max(1, slot - 2),
          height,
          fill: colourOf(outcome),
          class: 'bar',
          'data-outcome': outcome,
        }),
      );
    }
  });
  return root;
}

/** p50, p95 and p99 of the handler runs, one line each, broken where no handler ran in the window. */
function latencyPlot(series: LiveMetrics): SVGElement {
  const { points } = series;
  const highest = Math.max(0, ...points.map((point) => point.handlerLatencyMs?.p99 ?? 0));
  const { root, x, y, slot } = plot('Handler latency percentiles', axisTop(highest), 'ms');
  for (const percentile of Object.keys(PERCENTILE_COLOURS) as Percentile[]) {
    let path = '';
    let drawing = false;
    points.forEach((point, index) => {
      const latency = point.handlerLatencyMs;
      if (!latency) return void (drawing = false);
      path += `${drawing ? 'L' : 'M'}${x(index, points.length) + slot / 2},${y(latency[percentile])}`;
      drawing = true;
    });
    root.append(
      draw('path', {
        d: path,
        fill: 'none',
        stroke: PERCENTILE_COLOURS[percentile],
        class: 'line',
        'data-percentile': percentile,
      }),
    );
  }
  return root;
}

/** One legend entry: the colour, the name, and a figure. */
function legendItem(
  name: string,
  colour: string,
  figure: string,
  kind: 'outcome' | 'percentile',
): HTMLElement {
  const item = document.createElement('li');
  item.dataset[kind] = name;
  const swatch = document.createElement('span');
  swatch.className = 'swatch';
  swatch.style.background = colour;
  const label = document.createElement('span');
  label.textContent = `${name} `;
  const value = document.createElement('span');
  value.className = 'figure';
  value.textContent = figure;
  item.append(swatch, label, value);
  return item;
}

/** Outcomes seen since the app started, in the stacking order. */
function outcomesOf(series: LiveMetrics): string[] {
  const known = Object.keys(OUTCOME_COLOURS);
  const seen = Object.keys(series.totals).filter((outcome) => series.totals[outcome] > 0);
  return [...known.filter((o) => seen.includes(o)), ...seen.filter((o) => !known.includes(o)).sort()];
}

function render(root: HTMLElement, series: LiveMetrics): void {
  const outcomes = outcomesOf(series);
  const latest = [...series.points].reverse().find((point) => point.handlerLatencyMs)?.handlerLatencyMs;
  const outcomeLegend = document.createElement('ul');
  outcomeLegend.className = 'legend';
  outcomeLegend.append(
    ...outcomes.map((outcome) =>
      legendItem(outcome, colourOf(outcome), String(series.totals[outcome]), 'outcome'),
    ),
  );
  const latencyLegend = document.createElement('ul');
  latencyLegend.className = 'legend';
  latencyLegend.append(
    ...(Object.keys(PERCENTILE_COLOURS) as Percentile[]).map((percentile) =>
      legendItem(
        percentile,
        PERCENTILE_COLOURS[percentile],
        latest ? `${latest[percentile]} ms` : '—',
        'percentile',
      ),
    ),
  );
  root.querySelector('.deliveries')?.replaceChildren(outcomeLegend, deliveriesPlot(series, outcomes));
  root.querySelector('.latency')?.replaceChildren(latencyLegend, latencyPlot(series));
  root.dataset.updated = series.points.at(-1)?.at ?? '';
}

/**
 * Shows the chart in `root` and refreshes it every second; hides it for good when the app serves no metrics
 * (`SAMPLE_METRICS=off` answers 404).
 */
export function startLiveChart(root: HTMLElement): void {
  const refresh = async (): Promise<void> => {
    try {
      const response = await fetch('/inspector/live-metrics');
      if (response.status === 404) {
        root.hidden = true;
        return;
      }
      if (response.ok) {
        root.hidden = false;
        render(root, (await response.json()) as LiveMetrics);
      }
    } catch {
      // The app is restarting: the next poll tries again.
    }
    setTimeout(() => void refresh(), POLL_MS);
  };
  void refresh();
}
