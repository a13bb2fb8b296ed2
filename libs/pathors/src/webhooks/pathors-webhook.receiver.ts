import {
  BadRequestException,
  HttpException,
  HttpStatus,
  Inject,
  Injectable,
  InternalServerErrorException,
  Logger,
  PayloadTooLargeException,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { logFieldsOf } from '../delivery/delivery-log-fields.js';
import { deliveryOf } from '../delivery/delivery-of.util.js';
import type { PathorsDelivery } from '../delivery/pathors-delivery.js';
import {
  PathorsDeliveryPipeline,
  type PathorsDeliveryOutcome,
} from '../delivery/pathors-delivery.pipeline.js';
import { parsePathorsEvent, type ParsedKnownEvent } from '../events/pathors-event.parser.js';
import type { ResolvedPathorsOptions, ResolvedWebhookOptions } from '../pathors-options.resolver.js';
import { PATHORS_RESOLVED_OPTIONS } from '../pathors.constants.js';
import { PathorsTelemetry, type PathorsWebhookTrace } from '../telemetry/pathors-telemetry.js';
import { PathorsWebhookAuthenticator } from './pathors-webhook.authenticator.js';
import { readStandardWebhookHeaders } from './standard-webhooks.js';

/** The adapter-neutral parts of a webhook request. Header names are lower case. */
export interface PathorsWebhookRequest {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as the adapter parsed it. */
  readonly body: unknown;
  /** The exact bytes received, when the app was created with `rawBody: true`. */
  readonly rawBody?: Buffer;
}

/**
 * A successful answer: 200 when every handler succeeded (now or on an earlier delivery), 202 when the event was
 * accepted without being fully handled yet (unknown name, no handler, past the answer budget, queued in the inbox);
 * `note` says which.
 */
export interface PathorsWebhookAnswer {
  readonly status: HttpStatus.OK | HttpStatus.ACCEPTED;
  readonly body: { readonly received: true; readonly note?: string };
  /** `body` as UTF-8 JSON, serialized once: every answer is one of a few constants. */
  readonly json: Buffer;
}

const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const MAX_LOGGED_UNKNOWN_NAMES = 256;
/** Unknown vendor values remembered as logged; the least recently seen is forgotten first. */
const MAX_LOGGED_UNKNOWN_VALUES = 256;
/** Characters of an unknown value a warning quotes. */
const MAX_LOGGED_CHARS = 100;
/** The `Retry-After` of every answer that asks the sender to send the event again later. */
const RETRY_AFTER_SECONDS = 5;

/**
 * A refusal the sender should answer by sending the same event again later (409 while another request holds its
 * claim, 503 while the store or inbox fails or the app shuts down): the controller adds `Retry-After`.
 */
export class PathorsRetryLaterException extends HttpException {
  /** Seconds the sender should wait before sending the event again (`Retry-After`). */
  readonly retryAfterSeconds = RETRY_AFTER_SECONDS;

  constructor(status: HttpStatus.CONFLICT | HttpStatus.SERVICE_UNAVAILABLE, message: string) {
    const error = status === HttpStatus.CONFLICT ? 'Conflict' : 'Service Unavailable';
    super({ statusCode: status, error, message }, status);
  }
}

function answer(status: PathorsWebhookAnswer['status'], note?: string): PathorsWebhookAnswer {
  const body = note === undefined ? { received: true as const } : { received: true as const, note };
  return { status, body, json: Buffer.from(JSON.stringify(body)) };
}
const HANDLED = answer(HttpStatus.OK);
const UNKNOWN_HANDLED = answer(HttpStatus.ACCEPTED, 'unknown event name');
const ANSWERS: Readonly<
  Record<
    Exclude<PathorsDeliveryOutcome, 'handled' | 'failed' | 'in-progress' | 'error' | 'shutting-down'>,
    PathorsWebhookAnswer
  >
> = {
  'failed-permanently': answer(HttpStatus.OK, 'a handler failed permanently; not retried'),
  'no-handler': answer(HttpStatus.ACCEPTED, 'no handler for this event'),
  duplicate: answer(HttpStatus.OK, 'duplicate: already processed'),
  background: answer(HttpStatus.ACCEPTED, 'processing continues in the background'),
  queued: answer(HttpStatus.ACCEPTED, 'queued'),
};

/**
 * The answer to a delivery's outcome. What the sender must send again is thrown: a handler's failure as 500, the
 * event being processed elsewhere as 409 and a failure of the store, the inbox or the app as 503, both with
 * `Retry-After`. None of them is a 2xx, which would end the sender's retries.
 */
function answerFor(outcome: PathorsDeliveryOutcome, unknownName: boolean): PathorsWebhookAnswer {
  switch (outcome) {
    case 'handled':
      return unknownName ? UNKNOWN_HANDLED : HANDLED;
    case 'failed':
      throw new InternalServerErrorException(
        'A handler failed; the event will be processed again on redelivery',
      );
    case 'in-progress':
      // Not a 2xx: if the claim's holder dies, only the sender's retry brings the event back.
      throw new PathorsRetryLaterException(
        HttpStatus.CONFLICT,
        'The same event is being processed; send it again later',
      );
    case 'error':
      throw new PathorsRetryLaterException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'The event could not be recorded; send it again',
      );
    case 'shutting-down':
      throw new PathorsRetryLaterException(
        HttpStatus.SERVICE_UNAVAILABLE,
        'The app is shutting down; send the event again',
      );
    default:
      return ANSWERS[outcome];
  }
}

/**
 * The webhook pipeline, independent of the HTTP adapter: transport checks (413, 415), authentication (401, before
 * anything about the payload is looked at), validation (400), then the delivery pipeline (200, 202, 409 while the
 * event is processed elsewhere, 500 when a handler failed, 503 when the store or inbox failed or while shutting down).
 */
@Injectable()
export class PathorsWebhookReceiver {
  private readonly logger = new Logger(PathorsWebhookReceiver.name);
  private readonly options: ResolvedWebhookOptions;
  private readonly registration: string;
  private readonly loggedUnknownNames = new Set<string>();
  private readonly loggedUnknownValues = new LRUCache<string, true>({ max: MAX_LOGGED_UNKNOWN_VALUES });
  private rawBodyHintLogged = false;

  constructor(
    @Inject(PATHORS_RESOLVED_OPTIONS) options: ResolvedPathorsOptions,
    private readonly authenticator: PathorsWebhookAuthenticator,
    private readonly pipeline: PathorsDeliveryPipeline,
    private readonly telemetry: PathorsTelemetry,
  ) {
    this.options = options.webhook;
    this.registration = options.registration;
  }

  /** Handles one request; a refusal is thrown (or rejected) as the matching `HttpException`. */
  receive(request: PathorsWebhookRequest): Promise<PathorsWebhookAnswer> {
    return this.telemetry.receive(request.headers, (trace) => this.handle(request, trace));
  }

  private async handle(
    request: PathorsWebhookRequest,
    trace: PathorsWebhookTrace,
  ): Promise<PathorsWebhookAnswer> {
    const receivedAt = new Date();
    this.checkTransport(request);
    this.authenticate(request);
    trace.authenticated();

    const parsed = parsePathorsEvent(request.body);
    if (parsed.kind === 'invalid') {
      throw new BadRequestException({
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'Bad Request',
        message: 'Invalid Pathors event',
        issues: parsed.issues,
      });
    }

    // A signed delivery's id is the one its signature covers: a second, unsigned id header must not rename it.
    const signed = readStandardWebhookHeaders(request.headers);
    const deliveryId =
      signed.signature !== undefined
        ? signed.id
        : (this.header(request, 'webhook-id') ?? this.header(request, 'svix-id'));
    const delivery = deliveryOf(
      parsed,
      request.body as Record<string, unknown>,
      deliveryId,
      receivedAt,
      this.registration,
    );
    trace.validated(delivery);
    if (parsed.kind === 'unknown') this.logUnknownOnce(parsed.name, delivery);
    else if (parsed.unknownValues.length > 0) this.logUnknownValuesOnce(parsed, delivery);

    // Idempotency claim, per-handler completion records, ordering, answer budget or inbox: see the pipeline.
    const outcome = await this.pipeline.accept(parsed.event, delivery);
    trace.settled(outcome);
    return answerFor(outcome, parsed.kind === 'unknown');
  }

  private checkTransport(request: PathorsWebhookRequest): void {
    const declaredLength = Number(this.header(request, 'content-length') ?? 0);
    const actualLength = request.rawBody?.length ?? 0;
    if (declaredLength > this.options.maxBodyBytes || actualLength > this.options.maxBodyBytes) {
      throw new PayloadTooLargeException(`Body larger than ${this.options.maxBodyBytes} bytes`);
    }
    if (!JSON_CONTENT_TYPE.test(this.header(request, 'content-type') ?? '')) {
      throw new UnsupportedMediaTypeException('Content-Type must be application/json');
    }
  }

  private authenticate(request: PathorsWebhookRequest): void {
    const failure = this.authenticator.authenticate(request);
    if (failure === undefined) return;
    if (failure === 'raw-body-unavailable') {
      if (!this.rawBodyHintLogged) {
        this.rawBodyHintLogged = true;
        this.logger.error(
          'webhook.signingSecret needs the raw request body. Create the app with ' +
            '`NestFactory.create(AppModule, { rawBody: true })` (also with a Fastify adapter).',
        );
      }
      throw new InternalServerErrorException('Webhook signature cannot be verified: server misconfiguration');
    }
    this.logger.warn(`Refused a webhook request: ${failure}`);
    throw new UnauthorizedException('Missing or invalid webhook credentials');
  }

  private logUnknownOnce(name: string, delivery: PathorsDelivery): void {
    if (this.loggedUnknownNames.has(name) || this.loggedUnknownNames.size >= MAX_LOGGED_UNKNOWN_NAMES) return;
    this.loggedUnknownNames.add(name);
    this.logger.warn(
      `Received unknown event "${name.slice(0, 100)}": handed to catch-all handlers, answered 202`,
      logFieldsOf(delivery),
    );
  }

  /** One warning per event, field and value: names them and nothing else of the payload. */
  private logUnknownValuesOnce(
    { dialect, name, unknownValues }: ParsedKnownEvent,
    delivery: PathorsDelivery,
  ): void {
    for (const { path, value } of unknownValues) {
      const quoted = JSON.stringify(value.slice(0, MAX_LOGGED_CHARS));
      const key = `${dialect}\n${name}\n${path}\n${quoted}`;
      // get, not has: a value seen again counts as recent, so one that keeps coming is never logged twice.
      if (this.loggedUnknownValues.get(key)) continue;
      this.loggedUnknownValues.set(key, true);
      this.logger.warn(
        `Received ${name} with ${path} ${quoted}, a value this version of nestjs-pathors does not know: accepted and ` +
          'handed to handlers as a string (see delivery.unknownValues); updating the package may add it',
        logFieldsOf(delivery),
      );
    }
  }

  private header(request: PathorsWebhookRequest, name: string): string | undefined {
    const value = request.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }
}

/** Whether an error is one of the receiver's deliberate HTTP answers. */
export const isWebhookRefusal = (error: unknown): error is HttpException => error instanceof HttpException;
