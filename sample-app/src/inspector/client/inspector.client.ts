/// <reference lib="dom" />
/**
 * The inspector page's script (runs in the browser). Every value shown comes from webhook requests, which anyone can
 * send: it is written with `textContent`, never as HTML.
 */
import type { InspectorInfo } from '../inspector.controller.js';
import type { DeliveryTrace } from '../delivery-trace.types.js';
import { startLiveChart } from './live-chart.client.js';

const MAX_ROWS = 100;

/** How the player names each agent; an agent without a label shows its registration name. */
const AGENT_LABELS: Readonly<Record<string, string>> = {
  default: 'Follow-up agent (default)',
  support: 'Support agent',
};

const element = <T extends HTMLElement>(selector: string): T => {
  const found = document.querySelector<T>(selector);
  if (!found) throw new Error(`Inspector page lacks ${selector}`);
  return found;
};

const make = (tag: string, text?: string, className?: string): HTMLElement => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
};

const statusClass = (status: number): string => (status < 300 ? 'ok' : status < 500 ? 'warn' : 'bad');

const clockTime = (iso: string): string => {
  const date = new Date(iso);
  return `${date.toLocaleTimeString([], { hour12: false })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
};

const shortSession = (sessionId: string | undefined): string =>
  sessionId === undefined
    ? '—'
    : sessionId.length > 18
      ? `${sessionId.slice(0, 8)}…${sessionId.slice(-6)}`
      : sessionId;

function handlersCell(trace: DeliveryTrace): HTMLElement {
  if (trace.handlers.length === 0) return make('span', 'none', 'muted');
  const list = make('ul', undefined, 'handlers');
  for (const run of trace.handlers) {
    const className =
      run.status === 'failed' ? 'failed' : run.result === 'duplicate' ? 'duplicate' : 'succeeded';
    const item = make('li', undefined, className);
    // `Class.method`, breakable after the dot when the column is narrow.
    const name = make('span', undefined, 'mono');
    const dot = run.handler.indexOf('.') + 1;
    name.append(run.handler.slice(0, dot), document.createElement('wbr'), run.handler.slice(dot));
    item.append(make('span', run.status === 'failed' ? '✗' : '✓', 'mark'), name);
    if (run.result === 'duplicate') item.append(make('span', 'already stored', 'note'));
    list.append(item);
  }
  return list;
}

function issuesCell(trace: DeliveryTrace): HTMLElement {
  if (trace.issues.length === 0)
    return make('span', trace.status >= 400 ? (trace.error ?? '') : '—', 'muted');
  const list = make('ul', undefined, 'issues');
  for (const issue of trace.issues) {
    const item = make('li');
    item.append(make('span', `${issue.path}:`, 'mono path'), make('span', ` ${issue.reason}`));
    list.append(item);
  }
  return list;
}

/** The registration that received the delivery, as a badge. */
function agentCell(trace: DeliveryTrace): HTMLElement {
  const cell = make('td', undefined, 'nowrap');
  const badge = make('span', trace.registration, 'agent');
  badge.dataset.agent = trace.registration;
  cell.append(badge);
  return cell;
}

function row(trace: DeliveryTrace): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.className = 'fresh';
  tr.dataset.agent = trace.registration;
  tr.dataset.event = trace.event ?? '';
  tr.dataset.session = trace.sessionId ?? '';
  tr.dataset.status = String(trace.status);
  const session = make('td', shortSession(trace.sessionId), 'mono nowrap');
  session.title = trace.sessionId ?? '';
  const status = make('td', undefined, 'nowrap');
  status.append(
    make('span', String(trace.status), `pill ${statusClass(trace.status)}`),
    make('span', `${trace.durationMs} ms`, 'muted small'),
  );
  const duplicates = make('td');
  duplicates.append(
    trace.duplicatesDropped > 0
      ? make('span', `${trace.duplicatesDropped} dropped`, 'pill warn')
      : make('span', '0', 'muted'),
  );
  const handlers = make('td');
  handlers.append(handlersCell(trace));
  const issues = make('td');
  issues.append(issuesCell(trace));
  tr.append(
    make('td', clockTime(trace.receivedAt), 'mono nowrap'),
    agentCell(trace),
    make('td', trace.event ?? '(none)', 'mono nowrap'),
    session,
    make('td', trace.dialect ?? '—'),
    status,
    handlers,
    duplicates,
    issues,
  );
  return tr;
}

function showDelivery(trace: DeliveryTrace): void {
  const body = element<HTMLTableSectionElement>('#deliveries tbody');
  body.querySelector('tr.empty')?.remove();
  if (body.querySelector(`tr[data-id="${trace.id}"]`)) return;
  const tr = row(trace);
  tr.dataset.id = String(trace.id);
  body.prepend(tr);
  while (body.rows.length > MAX_ROWS) body.deleteRow(-1);
  element('#count').textContent = String(body.rows.length);
}

function connect(): void {
  const connection = element('#connection');
  const source = new EventSource('/inspector/stream');
  source.onopen = () => {
    connection.dataset.state = 'live';
    connection.textContent = 'live';
  };
  source.onerror = () => {
    connection.dataset.state = 'offline';
    connection.textContent = 'reconnecting';
  };
  source.onmessage = (message: MessageEvent<string>) =>
    showDelivery(JSON.parse(message.data) as DeliveryTrace);
}

async function showInfo(): Promise<void> {
  const info = (await (await fetch('/inspector/info')).json()) as InspectorInfo;
  element('#mode').textContent = info.mode === 'embedded' ? 'Embedded simulator' : 'Pathors cloud';
  const urls = element('#webhook-urls');
  urls.replaceChildren();
  info.agents.forEach(({ agent, webhookPath }, index) => {
    const url = make('code', `${location.origin}${webhookPath}`);
    url.dataset.agent = agent;
    urls.append(...(index > 0 ? [', '] : []), url, ` (${agent})`);
  });
  const agents = element<HTMLSelectElement>('select[name="agent"]');
  agents.replaceChildren(
    ...info.agents.map(({ agent }) => {
      const option = make('option', AGENT_LABELS[agent] ?? agent) as HTMLOptionElement;
      option.value = agent;
      return option;
    }),
  );
  element('#player').hidden = info.mode !== 'embedded';
}

function wirePlayer(): void {
  const form = element<HTMLFormElement>('#play-form');
  const result = element<HTMLOutputElement>('#play-result');
  form.addEventListener('submit', async (submit) => {
    submit.preventDefault();
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    const fields = new FormData(form);
    const request = {
      agent: fields.get('agent'),
      kind: fields.get('kind'),
      duplicates: fields.get('duplicates') === 'on',
      reorder: fields.get('reorder') === 'on',
    };
    try {
      const response = await fetch('/demo/sessions', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(request),
      });
      const answer = (await response.json()) as { sessionId?: string; message?: string };
      result.textContent = response.ok
        ? `Played session ${answer.sessionId ?? ''}`
        : `Failed: ${answer.message ?? response.status}`;
    } catch (error) {
      result.textContent = `Failed: ${String(error)}`;
    } finally {
      if (button) button.disabled = false;
    }
  });
}

connect();
wirePlayer();
startLiveChart(element('#live-chart'));
void showInfo();
