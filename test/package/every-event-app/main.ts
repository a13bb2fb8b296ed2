/**
 * A NestJS 12 app with an `@OnPathorsEvent()` handler for every documented event, using only the built package. The
 * setups test (`event-setups.pack-spec.ts`) compiles it, runs it bundled by esbuild and under
 * `node --disallow-code-generation-from-strings`, posts every event and reads `GET /received`: what each handler got.
 *
 * Lifecycle events authenticate with the shared secret, platform events with a Standard Webhooks signature (hence
 * `rawBody: true`), as Pathors sends them.
 */
import 'reflect-metadata';
import { Controller, Get, Inject, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventEmitterModule } from '@nestjs/event-emitter';
import {
  CallEndedEvent,
  KnowledgeStoreUpdatedEvent,
  MessageAddedEvent,
  OnPathorsEvent,
  PathorsDelivery,
  PathorsModule,
  PlatformSessionEndedEvent,
  RecordingReadyEvent,
  SessionCreatedEvent,
  SessionEndedEvent,
  SessionFinalizedEvent,
  SessionStartedEvent,
  SessionUpdatedEvent,
  SubscriptionUpdatedEvent,
  UsageUpdatedEvent,
} from 'nestjs-pathors';

/** A received value as JSON: a Date as `{ $date }`, an instance of a class as `{ $class, ...its fields }`. */
export type DescribedValue =
  | null
  | boolean
  | number
  | string
  | { readonly $date: string }
  | readonly DescribedValue[]
  | { readonly [key: string]: DescribedValue };

/** What one handler call received, as `GET /received` reports it. */
export interface ReceivedEvent {
  /** The handler's event name, e.g. `usage.updated`. */
  readonly handler: string;
  readonly dialect: PathorsDelivery['dialect'];
  /** Whether the event is an instance of the class the package documents for this name and dialect. */
  readonly isDocumentedClass: boolean;
  readonly event: DescribedValue;
}

/** How the app reports itself: whether this process may compile code from strings (`eval`, `new Function`). */
export interface AppFacts {
  readonly codeGenerationFromStrings: 'allowed' | 'blocked';
}

function describeValue(value: unknown): DescribedValue {
  if (value instanceof Date) return { $date: value.toISOString() };
  if (Array.isArray(value)) return value.map(describeValue);
  if (typeof value === 'object' && value !== null) {
    const fields = Object.fromEntries(
      Object.entries(value).map(([key, field]) => [key, describeValue(field)]),
    );
    const prototype = Object.getPrototypeOf(value) as object | null;
    return prototype === Object.prototype || prototype === null
      ? fields
      : { $class: (value as object).constructor.name, ...fields };
  }
  return value as DescribedValue;
}

function codeGenerationFromStrings(): AppFacts['codeGenerationFromStrings'] {
  try {
    new Function('return 1')();
    return 'allowed';
  } catch {
    return 'blocked';
  }
}

/** Every handler call, in order. */
@Injectable()
class ReceivedEvents {
  readonly all: ReceivedEvent[] = [];

  record(
    handler: string,
    delivery: PathorsDelivery,
    event: object,
    documentedClass: abstract new () => object,
  ): void {
    this.all.push({
      handler,
      dialect: delivery.dialect,
      isDocumentedClass: event instanceof documentedClass,
      event: describeValue(event),
    });
  }
}

/** One handler per documented event name; `session.ended` receives both dialects. */
@Injectable()
class EveryEventHandler {
  constructor(@Inject(ReceivedEvents) private readonly received: ReceivedEvents) {}

  @OnPathorsEvent('session.ended')
  onSessionEnded(event: SessionEndedEvent | PlatformSessionEndedEvent, delivery: PathorsDelivery): void {
    const documented = delivery.dialect === 'lifecycle' ? SessionEndedEvent : PlatformSessionEndedEvent;
    this.received.record('session.ended', delivery, event, documented);
  }

  @OnPathorsEvent('call.ended')
  onCallEnded(event: CallEndedEvent, delivery: PathorsDelivery): void {
    this.received.record('call.ended', delivery, event, CallEndedEvent);
  }

  @OnPathorsEvent('session.finalized')
  onSessionFinalized(event: SessionFinalizedEvent, delivery: PathorsDelivery): void {
    this.received.record('session.finalized', delivery, event, SessionFinalizedEvent);
  }

  @OnPathorsEvent('recording.ready')
  onRecordingReady(event: RecordingReadyEvent, delivery: PathorsDelivery): void {
    this.received.record('recording.ready', delivery, event, RecordingReadyEvent);
  }

  @OnPathorsEvent('session.started')
  onSessionStarted(event: SessionStartedEvent, delivery: PathorsDelivery): void {
    this.received.record('session.started', delivery, event, SessionStartedEvent);
  }

  @OnPathorsEvent('session.created')
  onSessionCreated(event: SessionCreatedEvent, delivery: PathorsDelivery): void {
    this.received.record('session.created', delivery, event, SessionCreatedEvent);
  }

  @OnPathorsEvent('session.updated')
  onSessionUpdated(event: SessionUpdatedEvent, delivery: PathorsDelivery): void {
    this.received.record('session.updated', delivery, event, SessionUpdatedEvent);
  }

  @OnPathorsEvent('message.added')
  onMessageAdded(event: MessageAddedEvent, delivery: PathorsDelivery): void {
    this.received.record('message.added', delivery, event, MessageAddedEvent);
  }

  @OnPathorsEvent('usage.updated')
  onUsageUpdated(event: UsageUpdatedEvent, delivery: PathorsDelivery): void {
    this.received.record('usage.updated', delivery, event, UsageUpdatedEvent);
  }

  @OnPathorsEvent('subscription.updated')
  onSubscriptionUpdated(event: SubscriptionUpdatedEvent, delivery: PathorsDelivery): void {
    this.received.record('subscription.updated', delivery, event, SubscriptionUpdatedEvent);
  }

  @OnPathorsEvent('knowledge_store.updated')
  onKnowledgeStoreUpdated(event: KnowledgeStoreUpdatedEvent, delivery: PathorsDelivery): void {
    this.received.record('knowledge_store.updated', delivery, event, KnowledgeStoreUpdatedEvent);
  }
}

/** `GET /received`: what the handlers got; `GET /received/facts`: how this process runs. */
@Controller('received')
class ReceivedController {
  constructor(@Inject(ReceivedEvents) private readonly received: ReceivedEvents) {}

  @Get()
  list(): readonly ReceivedEvent[] {
    return this.received.all;
  }

  @Get('facts')
  facts(): AppFacts {
    return { codeGenerationFromStrings: codeGenerationFromStrings() };
  }
}

@Module({
  imports: [
    EventEmitterModule.forRoot(),
    PathorsModule.forRoot({
      webhook: {
        secret: process.env.PATHORS_WEBHOOK_SECRET,
        signingSecret: process.env.PATHORS_WEBHOOK_SIGNING_SECRET,
      },
    }),
  ],
  controllers: [ReceivedController],
  providers: [ReceivedEvents, EveryEventHandler],
})
class AppModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.create(AppModule, { rawBody: true, logger: ['error', 'warn'] });
  await app.listen(0, '127.0.0.1');
  console.log(`LISTENING ${await app.getUrl()}`);
}

bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
