/** The instrumentation scope of every span and metric of the module. */
export const INSTRUMENTATION_SCOPE = 'nestjs-pathors';

/** Span names. A handler's span is `pathors.handler <ClassName.methodName>`. */
export const SPAN = {
  receive: 'pathors.webhook.receive',
  claim: 'pathors.claim',
  complete: 'pathors.complete',
  release: 'pathors.release',
  enqueue: 'pathors.inbox.enqueue',
  process: 'pathors.inbox.process',
  handlerPrefix: 'pathors.handler ',
} as const;

/** The store and inbox steps of a delivery that get a span of their own. */
export type PathorsStepSpan = (typeof SPAN)['claim' | 'complete' | 'release' | 'enqueue'];

/** Events on the delivery span. */
export const SPAN_EVENT = {
  authenticated: 'pathors.authenticated',
  validated: 'pathors.validated',
} as const;

/** Attribute names, on spans and metrics alike. */
export const ATTRIBUTE = {
  registration: 'pathors.registration',
  eventName: 'pathors.event.name',
  dialect: 'pathors.dialect',
  deliveryId: 'pathors.delivery.id',
  idempotencyKey: 'pathors.idempotency_key',
  sessionId: 'pathors.session.id',
  outcome: 'pathors.outcome',
  handlerId: 'pathors.handler.id',
  handlerResult: 'pathors.handler.result',
  statusCode: 'http.response.status_code',
} as const;

/** Metric instrument names. */
export const METRIC = {
  deliveries: 'pathors.webhook.deliveries',
  rejections: 'pathors.webhook.rejections',
  answerDuration: 'pathors.webhook.answer.duration',
  handlerDuration: 'pathors.handler.duration',
  inboxDepth: 'pathors.inbox.depth',
  inboxDeadLetters: 'pathors.inbox.dead_letters',
} as const;

/** `pathors.event.name` on metrics for a name this version does not list: unknown names must not grow the series. */
export const OTHER_EVENT_NAME = '_OTHER';

/** Bucket boundaries of the duration histograms, in seconds (those of OpenTelemetry's HTTP server durations). */
export const DURATION_BUCKETS_S = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
] as const;
