import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PATHORS_EVENT_NAMES } from 'nestjs-pathors';
import {
  buildCallEnded,
  buildRecordingReady,
  buildTextSessionFinalized,
  buildUsageUpdated,
  PATHORS_EVENT_BUILDERS,
  sharedSecretHeaders,
  standardWebhookHeaders,
  type PathorsPayload,
} from 'nestjs-pathors/testing';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { AppProcess, CONSUMER_TSCONFIG, PACKAGE_DIR, ROOT, TSC, run } from './app-process.js';
import type { AppFacts, ReceivedEvent } from './every-event-app/main.js';

/**
 * Every documented event, delivered to a NestJS 12 app built from the package's `dist`, in the setups users run it in:
 * bundled by esbuild preferring the `module` field (class-transformer's and class-validator's ESM builds), bundled
 * preferring `main` (their CommonJS builds), and unbundled under `node --disallow-code-generation-from-strings`. Each
 * event must be answered 200 and reach its handler as an instance of its class, timestamps as Dates, nested blocks as
 * their classes; invalid events must still be answered 400. Run with `npm run test:consumers` (it builds first).
 */
const APP_DIR = join(ROOT, 'test-artifacts/event-setups-app');
const ESBUILD = join(ROOT, 'node_modules/.bin/esbuild');
const SECRET = randomBytes(16).toString('hex');
const SIGNING_SECRET = `whsec_${randomBytes(24).toString('base64')}`;

/** Nest's lazy imports of packages the app does not install; esbuild cannot resolve them, so they stay imports. */
const EXTERNAL = ['@nestjs/microservices', '@nestjs/microservices/*', '@nestjs/websockets/*'];

/** What a handler must receive: the instance's class, its timestamp fields, its nested blocks' classes. */
interface Shape {
  readonly className: string;
  readonly dates?: readonly string[];
  readonly nested?: Readonly<Record<string, Shape>>;
}

const lifecycle = (className: string): Shape => ({ className, dates: ['timestamp'] });
const ANALYSIS: Shape = {
  className: 'PathorsSessionAnalysis',
  nested: {
    intent: {
      className: 'PathorsIntentAnalysis',
      nested: { conversation: { className: 'PathorsConversationIntent' } },
    },
    resolution: { className: 'PathorsResolutionAnalysis' },
    sentiment: {
      className: 'PathorsSentimentAnalysis',
      nested: { conversation: { className: 'PathorsConversationSentiment' } },
    },
  },
};
const platformSession = (className: string): Shape => ({
  className,
  dates: ['createdAt', 'lastActivityAt', 'endedAt', 'updatedAt'],
  nested: { metadata: { className: 'PathorsSessionMetadata' }, analysis: ANALYSIS },
});

/** The documented shape of every event, by dialect and name. */
const SHAPES: Readonly<Record<'lifecycle' | 'platform', Readonly<Record<string, Shape>>>> = {
  lifecycle: {
    'session.ended': lifecycle('SessionEndedEvent'),
    'call.ended': lifecycle('CallEndedEvent'),
    'session.finalized': lifecycle('SessionFinalizedEvent'),
    'recording.ready': lifecycle('RecordingReadyEvent'),
    'session.started': lifecycle('SessionStartedEvent'),
  },
  platform: {
    'session.created': platformSession('SessionCreatedEvent'),
    'session.ended': platformSession('PlatformSessionEndedEvent'),
    'session.updated': { className: 'SessionUpdatedEvent' },
    'message.added': { className: 'MessageAddedEvent' },
    'usage.updated': {
      className: 'UsageUpdatedEvent',
      nested: {
        period: { className: 'PathorsUsagePeriod', dates: ['start', 'end'] },
        totals: { className: 'PathorsUsageTotals' },
      },
    },
    'subscription.updated': { className: 'SubscriptionUpdatedEvent' },
    'knowledge_store.updated': { className: 'KnowledgeStoreUpdatedEvent' },
  },
};

interface EventCase {
  readonly label: string;
  readonly dialect: 'lifecycle' | 'platform';
  readonly name: string;
  readonly build: () => PathorsPayload;
}

/** Every builder of the testing kit, and the variants whose optional fields are absent. */
const EVENTS: readonly EventCase[] = [
  ...(['lifecycle', 'platform'] as const).flatMap((dialect) =>
    Object.entries(PATHORS_EVENT_BUILDERS[dialect]).map(([name, build]) => ({
      label: `${dialect} ${name}`,
      dialect,
      name,
      build,
    })),
  ),
  {
    label: 'lifecycle session.finalized of a text session',
    dialect: 'lifecycle',
    name: 'session.finalized',
    build: () => buildTextSessionFinalized(),
  },
  {
    label: 'lifecycle recording.ready without recording',
    dialect: 'lifecycle',
    name: 'recording.ready',
    build: () => buildRecordingReady({ recordingUrl: undefined }),
  },
];

/** The JSON `GET /received` reports for a payload of `shape`: see `describeValue` in the app. */
function described(value: Record<string, unknown>, shape: Shape): Record<string, unknown> {
  const result: Record<string, unknown> = { $class: shape.className, ...value };
  for (const key of shape.dates ?? []) {
    if (typeof value[key] === 'string') result[key] = { $date: new Date(value[key]).toISOString() };
  }
  for (const [key, inner] of Object.entries(shape.nested ?? {})) {
    if (value[key] !== undefined) result[key] = described(value[key] as Record<string, unknown>, inner);
  }
  return result;
}

/** Headers Pathors sends: the shared secret on lifecycle events, a Standard Webhooks signature on platform ones. */
function headersFor(dialect: EventCase['dialect'], body: string): Record<string, string> {
  const auth =
    dialect === 'lifecycle' ? sharedSecretHeaders(SECRET) : standardWebhookHeaders(SIGNING_SECRET, body);
  return { ...auth, 'content-type': 'application/json' };
}

async function post(url: string, dialect: EventCase['dialect'], payload: PathorsPayload): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(`${url}/pathors/webhooks`, { method: 'POST', headers: headersFor(dialect, body), body });
}

/** Bundles the compiled app with esbuild; returns the bundle's file and the inputs esbuild put in it. */
async function bundle(mainFields: string): Promise<{ file: string; inputs: string[] }> {
  const name = `bundle-${mainFields.replace(',', '-')}`;
  const file = join(APP_DIR, `${name}.cjs`);
  const metafile = join(APP_DIR, `${name}.meta.json`);
  await run(ESBUILD, [
    join(APP_DIR, 'dist/main.js'),
    '--bundle',
    '--platform=node',
    `--main-fields=${mainFields}`,
    ...EXTERNAL.map((path) => `--external:${path}`),
    `--outfile=${file}`,
    `--metafile=${metafile}`,
    '--log-level=error',
  ]);
  const meta = JSON.parse(readFileSync(metafile, 'utf8')) as { inputs: Record<string, unknown> };
  return { file, inputs: Object.keys(meta.inputs) };
}

/** Which builds of `pkg` (its top folder: `esm5`, `cjs`, …) a bundle contains. */
const buildsOf = (inputs: readonly string[], pkg: string): string[] => [
  ...new Set(inputs.flatMap((input) => input.match(new RegExp(`node_modules/${pkg}/([^/]+)/`))?.[1] ?? [])),
];

/** A setup made ready: the Node arguments that start the app, and for a bundle the inputs esbuild put in it. */
interface PreparedSetup {
  readonly args: readonly string[];
  readonly bundleInputs?: readonly string[];
}

interface Setup {
  readonly name: string;
  readonly prepare: () => Promise<PreparedSetup>;
  readonly codeGenerationFromStrings: AppFacts['codeGenerationFromStrings'];
  /** For a bundle: the one build of class-transformer and of class-validator it must contain. */
  readonly bundledBuild?: string;
}

const bundled = (mainFields: string, bundledBuild: string): Setup => ({
  name: `bundled by esbuild with --main-fields=${mainFields}`,
  prepare: async () => {
    const { file, inputs } = await bundle(mainFields);
    return { args: [file], bundleInputs: inputs };
  },
  codeGenerationFromStrings: 'allowed',
  bundledBuild,
});

const SETUPS: readonly Setup[] = [
  bundled('module,main', 'esm5'),
  bundled('main,module', 'cjs'),
  {
    name: 'unbundled under node --disallow-code-generation-from-strings',
    prepare: async () => ({ args: ['--disallow-code-generation-from-strings', 'dist/main.js'] }),
    codeGenerationFromStrings: 'blocked',
  },
];

beforeAll(async () => {
  if (!existsSync(join(PACKAGE_DIR, 'dist/index.js')))
    throw new Error('libs/pathors/dist is missing: run `npm run build` first');
  rmSync(APP_DIR, { recursive: true, force: true });
  mkdirSync(join(APP_DIR, 'src'), { recursive: true });
  mkdirSync(join(APP_DIR, 'node_modules'));
  // The app resolves `nestjs-pathors` to this checkout's build, everything else from the repo's node_modules.
  symlinkSync(PACKAGE_DIR, join(APP_DIR, 'node_modules/nestjs-pathors'), 'dir');
  copyFileSync(join(import.meta.dirname, 'every-event-app/main.ts'), join(APP_DIR, 'src/main.ts'));
  writeFileSync(join(APP_DIR, 'package.json'), '{ "private": true, "type": "module" }\n');
  writeFileSync(join(APP_DIR, 'tsconfig.json'), `${JSON.stringify(CONSUMER_TSCONFIG, null, 2)}\n`);
  await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: APP_DIR });
}, 60_000);
afterAll(() => rmSync(APP_DIR, { recursive: true, force: true }));

it('covers every event name the package documents, in both dialects', () => {
  for (const dialect of ['lifecycle', 'platform'] as const) {
    expect(Object.keys(PATHORS_EVENT_BUILDERS[dialect]).sort()).toEqual(Object.keys(SHAPES[dialect]).sort());
  }
  expect(new Set(EVENTS.map((event) => event.name))).toEqual(new Set(PATHORS_EVENT_NAMES));
});

describe.each(SETUPS)('an app $name', (setup) => {
  let prepared: PreparedSetup;
  let app: AppProcess;
  let url: string;
  const payloads = EVENTS.map((event) => ({ ...event, payload: JSON.parse(JSON.stringify(event.build())) }));

  beforeAll(async () => {
    prepared = await setup.prepare();
    app = new AppProcess({
      cwd: APP_DIR,
      args: prepared.args,
      env: { PATHORS_WEBHOOK_SECRET: SECRET, PATHORS_WEBHOOK_SIGNING_SECRET: SIGNING_SECRET },
    });
    url = await app.lineStartingWith('LISTENING ');
  }, 60_000);
  afterAll(() => app?.stop());

  if (setup.bundledBuild !== undefined) {
    it(`contains only the ${setup.bundledBuild} build of class-transformer and class-validator`, () => {
      const inputs = prepared.bundleInputs ?? [];
      expect(buildsOf(inputs, 'class-transformer')).toEqual([setup.bundledBuild]);
      expect(buildsOf(inputs, 'class-validator')).toEqual([setup.bundledBuild]);
    });
  }

  it(`runs with code generation from strings ${setup.codeGenerationFromStrings}`, async () => {
    const facts = (await (await fetch(`${url}/received/facts`)).json()) as AppFacts;
    expect(facts.codeGenerationFromStrings).toBe(setup.codeGenerationFromStrings);
  });

  it('answers every documented event 200, and each handler receives its class with Dates and nested classes', async () => {
    const answers: Record<string, string> = {};
    for (const { label, dialect, payload } of payloads) {
      const response = await post(url, dialect, payload);
      answers[label] = `${response.status} ${await response.text()}`;
    }
    expect(answers).toEqual(
      Object.fromEntries(payloads.map(({ label }) => [label, '200 {"received":true}'])),
    );

    const received = (await (await fetch(`${url}/received`)).json()) as ReceivedEvent[];
    expect(received).toEqual(
      payloads.map(({ dialect, name, payload }) => ({
        handler: name,
        dialect,
        isDocumentedClass: true,
        event: described(payload, SHAPES[dialect][name]!),
      })),
    );
  });

  it('answers 400 naming the field for an invalid top-level field and an invalid nested timestamp', async () => {
    const handledBefore = ((await (await fetch(`${url}/received`)).json()) as ReceivedEvent[]).length;
    const badStatus = await post(url, 'lifecycle', { ...buildCallEnded(), callStatus: 42 });
    expect(badStatus.status).toBe(400);
    expect(((await badStatus.json()) as { issues: Array<{ path: string }> }).issues).toEqual([
      { path: 'callStatus', reason: expect.any(String) },
    ]);

    const usage = buildUsageUpdated();
    const badPeriod = await post(url, 'platform', {
      ...usage,
      period: { ...usage.period, start: 'yesterday' },
    });
    expect(badPeriod.status).toBe(400);
    expect(((await badPeriod.json()) as { issues: Array<{ path: string }> }).issues).toEqual([
      { path: 'period.start', reason: 'start must be an ISO 8601 timestamp string' },
    ]);
    // Neither reached a handler.
    expect(((await (await fetch(`${url}/received`)).json()) as ReceivedEvent[]).length).toBe(handledBefore);
  });
});
