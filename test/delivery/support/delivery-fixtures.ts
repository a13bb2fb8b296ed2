import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { Redis } from 'ioredis';
import {
  CallEndedEvent,
  OnPathorsEvent,
  PATHORS_HANDLER_FAILED,
  PathorsDelivery,
  PathorsHandlerFailure,
  SessionEndedEvent,
  SessionFinalizedEvent,
  PlatformSessionEndedEvent,
} from 'nestjs-pathors';
import { sharedSecretHeaders } from 'nestjs-pathors/testing';
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import request from 'supertest';

/** The webhook secret of every delivery suite. */
export const SECRET = 'delivery-suite-secret';
/** The default webhook route. */
export const PATH = '/pathors/webhooks';

/** Posts one payload to the webhook with valid credentials. */
export const post = (server: Server, payload: object, headers: Record<string, string> = {}) =>
  request(server).post(PATH).set(sharedSecretHeaders(SECRET)).set(headers).send(payload);

/** What an app's alerting sees: every handler failure the module reports. */
@Injectable()
export class FailureAlerts {
  readonly failures: PathorsHandlerFailure[] = [];

  @OnEvent(PATHORS_HANDLER_FAILED)
  onFailure(failure: PathorsHandlerFailure) {
    this.failures.push(failure);
  }
}

/** A Redis client on the CI's Redis (127.0.0.1:6379). */
export const connectRedis = (): Redis =>
  new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null });

/** A key prefix no other test run shares. */
export const uniquePrefix = (suite: string): string => `pathors-test:${suite}:${randomUUID()}:`;

/** Deletes every key under `prefix` (cleanup after a run). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A promise the test opens when it wants: holds a handler mid-run. */
export class Gate {
  private release!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.release = resolve));
  open(): void {
    this.release();
  }
}

/** Resolves once `predicate` holds, checking on every macrotask (for effects of fire-and-forget work). */
export async function eventually(
  predicate: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 10_000,
) {
  const deadline = Date.now() + limitMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Three independent consumers of `call.ended` (the CRM, the notifier, billing), counting runs per session.
 * `failOnce` names handlers that throw on the first run of each session.
 */
@Injectable()
export class CallEndedConsumers {
  readonly runs = {
    crm: new Map<string, number>(),
    notify: new Map<string, number>(),
    bill: new Map<string, number>(),
  };
  readonly failOnce = new Set<keyof CallEndedConsumers['runs']>();
  /** `handler:sessionId` pairs that fail on every run until removed. */
  readonly failing = new Set<string>();
  private readonly failed = new Set<string>();

  private count(handler: keyof CallEndedConsumers['runs'], sessionId: string): void {
    const runs = this.runs[handler];
    runs.set(sessionId, (runs.get(sessionId) ?? 0) + 1);
    const pair = `${handler}:${sessionId}`;
    if (this.failing.has(pair) || (this.failOnce.has(handler) && !this.failed.has(pair))) {
      this.failed.add(pair);
      throw new Error(`${handler} failed on purpose`);
    }
  }

  @OnPathorsEvent('call.ended')
  async saveToCrm(event: CallEndedEvent) {
    await new Promise((resolve) => setTimeout(resolve, 15));
    this.count('crm', event.sessionId);
  }

  @OnPathorsEvent('call.ended')
  notify(event: CallEndedEvent) {
    this.count('notify', event.sessionId);
  }

  @OnPathorsEvent('call.ended')
  async bill(event: CallEndedEvent) {
    await new Promise((resolve) => setImmediate(resolve));
    this.count('bill', event.sessionId);
  }

  /** Runs of each handler for one session, as `[crm, notify, bill]`. */
  runsOf(sessionId: string): number[] {
    return [this.runs.crm, this.runs.notify, this.runs.bill].map((runs) => runs.get(sessionId) ?? 0);
  }

  /** Total runs of one handler. */
  total(handler: keyof CallEndedConsumers['runs']): number {
    return [...this.runs[handler].values()].reduce((sum, runs) => sum + runs, 0);
  }
}

/** Records the order in which one session's lifecycle events reach handlers; {@link hold} stops one mid-run. */
@Injectable()
export class SessionLifecycleConsumer {
  readonly seen: Array<{ event: string; sessionId: string }> = [];
  private readonly gates = new Map<string, Gate>();
  /** `event:sessionId` of every handler run that started. */
  private readonly runsStarted = new Set<string>();

  /** Holds the handler runs of `event` for `sessionId` mid-run until the gate returned is opened. */
  hold(event: string, sessionId: string): Gate {
    const gate = new Gate();
    this.gates.set(`${event}:${sessionId}`, gate);
    return gate;
  }

  /** Resolves once a handler run of `event` for `sessionId` has started. */
  started(event: string, sessionId: string): Promise<void> {
    return eventually(() => this.runsStarted.has(`${event}:${sessionId}`), `${event} handler running`);
  }

  private async record(event: string, sessionId: string): Promise<void> {
    this.runsStarted.add(`${event}:${sessionId}`);
    await this.gates.get(`${event}:${sessionId}`)?.opened;
    this.seen.push({ event, sessionId });
  }

  /** The events of one session, in the order handlers finished them. */
  of(sessionId: string): string[] {
    return this.seen.filter((entry) => entry.sessionId === sessionId).map((entry) => entry.event);
  }

  @OnPathorsEvent('session.ended')
  onEnded(event: SessionEndedEvent | PlatformSessionEndedEvent, delivery: PathorsDelivery) {
    return this.record('session.ended', delivery.sessionId ?? '');
  }

  @OnPathorsEvent('call.ended')
  onCallEnded(event: CallEndedEvent) {
    return this.record('call.ended', event.sessionId);
  }

  @OnPathorsEvent('session.finalized')
  onFinalized(event: SessionFinalizedEvent) {
    return this.record('session.finalized', event.sessionId);
  }
}
