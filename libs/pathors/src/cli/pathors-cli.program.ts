import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { PathorsDialect } from '../events/pathors-event.map.js';
import { readCapturedRequest } from './captured-request.js';
import { CLI_EXIT, CLI_EXIT_MEANINGS, PathorsCliError, type CliExitCode } from './cli-exit-codes.js';
import { CliOutput } from './cli-output.js';
import { applyFieldEdits, buildTriggerPayload, describeTriggerableEvents } from './event-catalog.js';
import { readReplayFile } from './replay.command.js';
import { runSimulate, type SimulateOptions } from './simulate.command.js';
import {
  checkCredentials,
  checkCredentialValues,
  deliveryHeaders,
  parseWebhookUrl,
  postWebhook,
  type SentDelivery,
  type WebhookCredentials,
} from './webhook-sender.js';

const EXIT_CODES_HELP = `\nExit codes:\n${Object.entries(CLI_EXIT_MEANINGS)
  .map(([code, meaning]) => `  ${code}  ${meaning}`)
  .join('\n')}`;

interface CredentialFlags {
  secret?: string;
  secretHeader: string;
  signingSecret?: string;
  insecure?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

const positiveInteger = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError('expected a positive integer.');
  return parsed;
};

/** The credential options, named after the module's `webhook` options; secrets may come from the environment. */
function withCredentialOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--secret <secret>', 'shared secret (webhook.secret)').env('PATHORS_WEBHOOK_SECRET'),
    )
    .addOption(
      new Option('--secret-header <name>', 'header carrying the shared secret (webhook.secretHeader)')
        .default('authorization')
        .argParser((value: string) => value.toLowerCase()),
    )
    .addOption(
      new Option('--signing-secret <whsec>', 'Standard Webhooks signing secret (webhook.signingSecret)').env(
        'PATHORS_WEBHOOK_SIGNING_SECRET',
      ),
    );
}

/** The options every sending command shares: where, and with which credentials. */
function withDeliveryOptions(command: Command): Command {
  return withCredentialOptions(
    command.requiredOption(
      '--url <url>',
      'the webhook endpoint, e.g. http://localhost:3000/pathors/webhooks',
    ),
  ).option('--insecure', 'send without any credential (an app with webhook.verify: false)');
}

const credentialsOf = (flags: CredentialFlags): WebhookCredentials => {
  const credentials = {
    secret: flags.secret,
    secretHeader: flags.secretHeader,
    signingSecret: flags.signingSecret,
  };
  checkCredentials(credentials, flags.insecure === true);
  return credentials;
};

const isSuccess = (status: number): boolean => status >= 200 && status < 300;

const summariseBody = (body: string): string => (body.length > 200 ? `${body.slice(0, 200)}…` : body);

/** The secret part of a credential header replaced, for `--dry-run` output. */
const maskHeaders = (
  headers: Record<string, string>,
  credentials: WebhookCredentials,
): Record<string, string> => {
  const masked = { ...headers };
  if (credentials.secret && masked[credentials.secretHeader] !== undefined) {
    masked[credentials.secretHeader] = masked[credentials.secretHeader].replace(credentials.secret, '***');
  }
  return masked;
};

/**
 * The `nestjs-pathors` command line: `trigger`, `simulate`, `replay` and `verify`. Resolves the process exit code
 * (see the "Exit codes" section of `--help`) instead of exiting, so it can run inside tests.
 */
export async function runPathorsCli(
  argv: readonly string[],
  out: CliOutput = new CliOutput(),
): Promise<CliExitCode> {
  let exitCode: CliExitCode = CLI_EXIT.ok;
  const program = new Command('nestjs-pathors')
    .description('Send, simulate, replay and verify Pathors webhooks against your Nest app.')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP);

  withDeliveryOptions(
    program
      .command('trigger')
      .description('send one realistic, authenticated event')
      .argument('<event>', 'event name, e.g. call.ended (see the list below)'),
  )
    .addOption(
      new Option('--dialect <dialect>', 'webhook dialect of the event').choices(['lifecycle', 'platform']),
    )
    .option(
      '--set <key=value>',
      'set a field (dotted path; JSON values: callDuration=0); repeatable',
      collect,
      [],
    )
    .option(
      '--unset <key>',
      'remove a field, e.g. callStatus for a text session.finalized; repeatable',
      collect,
      [],
    )
    .option('--dry-run', 'print the request instead of sending it (secrets masked)')
    .addHelpText('after', `\nEvents:\n${describeTriggerableEvents()}\n${EXIT_CODES_HELP}`)
    .action(async (event: string, flags: CredentialFlags & TriggerFlags) => {
      exitCode = await trigger(event, flags, out);
    });

  withDeliveryOptions(
    program
      .command('simulate')
      .description('play whole session lifecycles against the endpoint and print a summary'),
  )
    .option('--sessions <n>', 'number of sessions', positiveInteger, 10)
    .option('--concurrency <n>', 'sessions played at the same time', positiveInteger, 4)
    .addOption(
      new Option('--dialect <dialect>', 'webhook dialect')
        .choices(['lifecycle', 'platform'])
        .default('lifecycle'),
    )
    .option('--text-ratio <ratio>', 'share of text (not call) sessions, 0..1', parseRatio, 0.3)
    .option('--duplicates', 'deliver every event a second time, as an at-least-once sender may')
    .option('--reorder', 'shuffle the order of each session’s events (seeded; see --seed)')
    .option('--seed <n>', 'seed of --reorder', positiveInteger, 1)
    .addHelpText('after', EXIT_CODES_HELP)
    .action(
      async (flags: CredentialFlags & Omit<SimulateOptions, 'url' | 'credentials'> & { url: string }) => {
        exitCode = await runSimulate(
          { ...flags, url: parseWebhookUrl(flags.url), credentials: credentialsOf(flags) },
          out,
        );
      },
    );

  withDeliveryOptions(
    program
      .command('replay')
      .description('re-send recorded deliveries (a dead-letter export: one JSON object per line)')
      .argument('<file>', 'JSON Lines file, as PathorsDeadLetterService.exportJsonLines() writes it'),
  )
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (file: string, flags: CredentialFlags & { url: string }) => {
      exitCode = await replay(file, flags, out);
    });

  withCredentialOptions(
    program
      .command('verify')
      .description('say whether a captured webhook request authenticates, and if not, which step fails')
      .argument(
        '<file>',
        'captured request: JSON { "headers": {…}, "body": "<exact text>" } or a raw HTTP request',
      ),
  )
    .option(
      '--tolerance <seconds>',
      'accepted signature age (webhook.toleranceSeconds)',
      positiveInteger,
      300,
    )
    .option(
      '--now <unixSeconds>',
      'check the timestamp as of this time (for an old capture)',
      positiveInteger,
    )
    .addHelpText('after', EXIT_CODES_HELP)
    .action(async (file: string, flags: VerifyFlags) => {
      exitCode = await verify(file, flags, out);
    });

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // `--help` succeeds; a missing command (which prints the help too, as `commander.help`) is a usage error.
      const informational = ['commander.helpDisplayed', 'commander.version'];
      return informational.includes(error.code) ? CLI_EXIT.ok : CLI_EXIT.usage;
    }
    if (error instanceof PathorsCliError) {
      out.error(error.message);
      return error.exitCode;
    }
    throw error;
  }
}

function parseRatio(value: string): number {
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1)
    throw new InvalidArgumentError('expected a number from 0 to 1.');
  return parsed;
}

interface TriggerFlags {
  url: string;
  dialect?: PathorsDialect;
  set: string[];
  unset: string[];
  dryRun?: boolean;
}

async function trigger(
  event: string,
  flags: CredentialFlags & TriggerFlags,
  out: CliOutput,
): Promise<CliExitCode> {
  const url = parseWebhookUrl(flags.url);
  const credentials = credentialsOf(flags);
  const { payload, dialect } = buildTriggerPayload(event, flags.dialect);
  applyFieldEdits(payload, flags.set, flags.unset);
  const body = JSON.stringify(payload);
  const headers = deliveryHeaders(credentials, body);
  if (flags.dryRun) {
    out.line(`POST ${url.href}`);
    for (const [name, value] of Object.entries(maskHeaders(headers, credentials)))
      out.line(`${name}: ${value}`);
    out.line();
    out.line(JSON.stringify(payload, null, 2));
    return CLI_EXIT.ok;
  }
  const session = String(payload.sessionId ?? payload.id ?? '');
  out.line(`${out.paint('cyan', event)} (${dialect}) ${out.paint('dim', session)} -> POST ${url.href}`);
  const sent: SentDelivery = await postWebhook(url, body, headers);
  out.line(`${out.status(sent.status)} in ${Math.round(sent.latencyMs)} ms  ${summariseBody(sent.body)}`);
  return isSuccess(sent.status) ? CLI_EXIT.ok : CLI_EXIT.nonSuccessStatus;
}

async function replay(
  file: string,
  flags: CredentialFlags & { url: string },
  out: CliOutput,
): Promise<CliExitCode> {
  const url = parseWebhookUrl(flags.url);
  const credentials = credentialsOf(flags);
  const entries = await readReplayFile(file);
  const statuses = new Map<number, number>();
  let failed = 0;
  for (const [index, { line, record }] of entries.entries()) {
    out.progress(`replaying ${index + 1}/${entries.length}`);
    const body = JSON.stringify(record.body);
    // The original message id (signed again when a signing secret is given), so the app's idempotency key is the
    // original's and handlers that already succeeded are skipped.
    const messageId = record.headers['webhook-id'];
    const headers = {
      ...(messageId ? { 'webhook-id': messageId } : {}),
      ...deliveryHeaders(credentials, body, messageId),
      ...contentTypeOf(record.headers),
    };
    const sent = await postWebhook(url, body, headers);
    statuses.set(sent.status, (statuses.get(sent.status) ?? 0) + 1);
    if (!isSuccess(sent.status)) failed++;
    out.line(
      `line ${line}  ${record.eventName}  ${out.paint('dim', record.idempotencyKey)}  ${out.status(sent.status)}  ` +
        `${Math.round(sent.latencyMs)} ms`,
    );
  }
  const counts = [...statuses].map(([status, count]) => `${count} x ${out.status(status)}`).join(', ');
  out.line(`replayed ${entries.length} deliveries: ${counts}`);
  return failed === 0 ? CLI_EXIT.ok : CLI_EXIT.nonSuccessStatus;
}

const contentTypeOf = (headers: Readonly<Record<string, string>>): Record<string, string> =>
  headers['content-type'] ? { 'content-type': headers['content-type'] } : {};

interface VerifyFlags {
  secret?: string;
  secretHeader: string;
  signingSecret?: string;
  tolerance: number;
  now?: number;
}

async function verify(file: string, flags: VerifyFlags, out: CliOutput): Promise<CliExitCode> {
  checkCredentialValues(flags);
  const request = await readCapturedRequest(file);
  // Loaded on demand: the authenticator brings @nestjs/common, which would slow every other command's start.
  const { verifyCapturedRequest } = await import('./verify.command.js');
  const verdict = verifyCapturedRequest(
    request,
    {
      secret: flags.secret,
      secretHeader: flags.secretHeader,
      signingSecret: flags.signingSecret,
      toleranceSeconds: flags.tolerance,
    },
    flags.now !== undefined ? flags.now * 1000 : Date.now(),
  );
  for (const { mechanism, authentic, step, detail } of verdict.mechanisms) {
    const outcome = authentic
      ? out.paint('green', 'ok')
      : `${out.paint('red', step ?? 'refused')}: ${detail}`;
    out.line(`${mechanism}: ${outcome}`);
  }
  out.line(verdict.authentic ? out.paint('green', 'authentic') : out.paint('red', 'not authentic'));
  return verdict.authentic ? CLI_EXIT.ok : CLI_EXIT.notAuthentic;
}
