import { Type } from 'class-transformer';
import { Equals, IsArray, IsNumber, IsString, IsUUID, Min, ValidateNested, IsObject } from 'class-validator';
import { IsPathorsValue, type PathorsValue } from '../pathors-value.js';
import { IsPathorsTimestamp } from '../timestamp.decorator.js';
import { PATHORS_SESSION_STATES, type PathorsSessionStateValue } from './platform-enums.js';
import { PathorsPlatformEvent } from './pathors-platform.event.js';

/** `session.updated` (planned by Pathors, not delivered yet): a chat session's state or analysis changed. */
export class SessionUpdatedEvent extends PathorsPlatformEvent {
  /** Discriminator. */
  @Equals('session.updated')
  readonly eventType!: 'session.updated';
  /** The session id (UUID). */
  @IsUUID('all')
  override readonly id!: string;
  /** Which fields changed, e.g. `["state", "intelligence"]`. */
  @IsArray()
  @IsString({ each: true })
  readonly changes!: string[];
  /** Session state after the change (see {@link PATHORS_SESSION_STATES}). */
  @IsPathorsValue(PATHORS_SESSION_STATES)
  readonly state!: PathorsSessionStateValue;
}

/** Message roles of `message.added` this version knows. */
export const PATHORS_MESSAGE_ROLES = ['USER', 'ASSISTANT', 'TOOL', 'SYSTEM'] as const;
/** A message role this version knows. */
export type PathorsMessageRole = (typeof PATHORS_MESSAGE_ROLES)[number];
/** Author of a message: a {@link PathorsMessageRole} or one Pathors added since. */
export type PathorsMessageRoleValue = PathorsValue<PathorsMessageRole>;

/** `message.added` (planned): a message was appended to a session. Tool fields of `TOOL` messages are kept as they come. */
export class MessageAddedEvent extends PathorsPlatformEvent {
  /** Discriminator. */
  @Equals('message.added')
  readonly eventType!: 'message.added';
  /** Author of the message (see {@link PATHORS_MESSAGE_ROLES}). */
  @IsPathorsValue(PATHORS_MESSAGE_ROLES)
  readonly role!: PathorsMessageRoleValue;
  /** Text content (may be empty for tool calls). */
  @IsString()
  readonly content!: string;
}

/** Reporting period of `usage.updated`. */
export class PathorsUsagePeriod {
  /** Start of the period. */
  @IsPathorsTimestamp()
  readonly start!: Date;
  /** End of the period. */
  @IsPathorsTimestamp()
  readonly end!: Date;
}

/** Usage totals of `usage.updated` (field names as Pathors sends them). */
export class PathorsUsageTotals {
  /** Chat messages in the period. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  readonly chat_messages!: number;
  /** Voice seconds in the period. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  readonly voice_seconds!: number;
  /** Knowledge chunks in the period. */
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  readonly knowledge_chunks!: number;
}

/** `usage.updated` (planned): the organisation's aggregate usage changed (rolled up every 60 s). */
export class UsageUpdatedEvent extends PathorsPlatformEvent {
  /** Discriminator. */
  @Equals('usage.updated')
  readonly eventType!: 'usage.updated';
  /** The period the totals cover. */
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsUsagePeriod)
  readonly period!: PathorsUsagePeriod;
  /** The totals. */
  @IsObject()
  @ValidateNested()
  @Type(() => PathorsUsageTotals)
  readonly totals!: PathorsUsageTotals;
}

/** Subscription statuses this version knows. */
export const PATHORS_SUBSCRIPTION_STATUSES = ['active', 'past_due', 'canceled', 'paused'] as const;
/** A subscription status this version knows. */
export type PathorsSubscriptionStatus = (typeof PATHORS_SUBSCRIPTION_STATUSES)[number];
/** Status of the organisation's subscription: a {@link PathorsSubscriptionStatus} or one Pathors added since. */
export type PathorsSubscriptionStatusValue = PathorsValue<PathorsSubscriptionStatus>;

/** `subscription.updated` (planned): plan change, payment method update, cancel or resume. */
export class SubscriptionUpdatedEvent extends PathorsPlatformEvent {
  /** Discriminator. */
  @Equals('subscription.updated')
  readonly eventType!: 'subscription.updated';
  /** New status (see {@link PATHORS_SUBSCRIPTION_STATUSES}). */
  @IsPathorsValue(PATHORS_SUBSCRIPTION_STATUSES)
  readonly status!: PathorsSubscriptionStatusValue;
  /** Plan, e.g. `growth`. */
  @IsString()
  readonly plan!: string;
}

/** Knowledge store outcomes this version knows. */
export const PATHORS_KNOWLEDGE_STORE_STATUSES = ['UPSERTED', 'FAILED'] as const;
/** A knowledge store outcome this version knows. */
export type PathorsKnowledgeStoreStatus = (typeof PATHORS_KNOWLEDGE_STORE_STATUSES)[number];
/** Outcome of processing a knowledge-store document: a {@link PathorsKnowledgeStoreStatus} or one added since. */
export type PathorsKnowledgeStoreStatusValue = PathorsValue<PathorsKnowledgeStoreStatus>;

/** `knowledge_store.updated` (planned): a document finished processing (chunked, embedded, indexed) or failed. */
export class KnowledgeStoreUpdatedEvent extends PathorsPlatformEvent {
  /** Discriminator. */
  @Equals('knowledge_store.updated')
  readonly eventType!: 'knowledge_store.updated';
  /** Outcome (see {@link PATHORS_KNOWLEDGE_STORE_STATUSES}). */
  @IsPathorsValue(PATHORS_KNOWLEDGE_STORE_STATUSES)
  readonly status!: PathorsKnowledgeStoreStatusValue;
}
