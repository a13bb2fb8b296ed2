import { Injectable } from '@nestjs/common';
import type { SessionFinalizedEvent } from 'nestjs-pathors';
import { Database, type Row } from '../database/database.js';
import type { WriteResult } from '../outcomes/outcomes.repository.js';

/** A conversation with the support agent: opened by a chat request or an incoming call, closed when it finalized. */
export interface SupportTicket {
  sessionId: string;
  channel: 'call' | 'text';
  crmContactId: string | null;
  issue: string | null;
  /** `open` until the support agent's `session.finalized` arrived. */
  status: 'open' | 'closed';
  /** How the agent resolved it, from its extracted `resolution` variable (e.g. `resolved`, `escalated`). */
  resolution: string | null;
  messagesCount: number | null;
  callDurationSeconds: number | null;
  openedAt: string;
  closedAt: string | null;
}

const iso = (value: unknown): string =>
  (value instanceof Date ? value : new Date(String(value))).toISOString();

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);

const toTicket = (row: Row): SupportTicket => ({
  sessionId: String(row.session_id),
  channel: row.channel === 'call' ? 'call' : 'text',
  crmContactId: text(row.crm_contact_id),
  issue: text(row.issue),
  status: row.closed_at === null || row.closed_at === undefined ? 'open' : 'closed',
  resolution: text(row.resolution),
  messagesCount: row.messages_count === null ? null : Number(row.messages_count),
  callDurationSeconds: row.call_duration_seconds === null ? null : Number(row.call_duration_seconds),
  openedAt: iso(row.opened_at),
  closedAt: row.closed_at === null || row.closed_at === undefined ? null : iso(row.closed_at),
});

/** Stores and reads support tickets. Closing one is idempotent: a ticket is closed once, by its first event. */
@Injectable()
export class SupportTicketsRepository {
  constructor(private readonly db: Database) {}

  /** A support chat the app opened for a customer; its session id links it to the agent's events later. */
  async open(sessionId: string, crmContactId: string, issue: string): Promise<void> {
    await this.db.query(
      `INSERT INTO support_tickets (session_id, channel, crm_contact_id, issue) VALUES ($1, 'text', $2, $3)
       ON CONFLICT (session_id) DO NOTHING`,
      [sessionId, crmContactId, issue],
    );
  }

  /**
   * Closes the ticket of a finalized support session, creating it for a conversation the app did not open (an
   * incoming call). The customer and issue the app recorded win over what the agent extracted. `duplicate` when the
   * ticket was already closed: nothing is written.
   */
  async close(event: SessionFinalizedEvent): Promise<WriteResult> {
    const extracted = event.extractedVariables;
    const rows = await this.db.query(
      `INSERT INTO support_tickets
         (session_id, channel, crm_contact_id, issue, resolution, messages_count, call_duration_seconds, closed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (session_id) DO UPDATE SET
         crm_contact_id = COALESCE(support_tickets.crm_contact_id, EXCLUDED.crm_contact_id),
         issue = COALESCE(support_tickets.issue, EXCLUDED.issue),
         resolution = EXCLUDED.resolution,
         messages_count = EXCLUDED.messages_count,
         call_duration_seconds = EXCLUDED.call_duration_seconds,
         closed_at = EXCLUDED.closed_at
       WHERE support_tickets.closed_at IS NULL
       RETURNING session_id`,
      [
        event.sessionId,
        event.isCall() ? 'call' : 'text',
        text(extracted.crmContactId),
        text(extracted.issue),
        text(extracted.resolution),
        event.messagesCount,
        event.isCall() ? event.callDuration : null,
        event.timestamp,
      ],
    );
    return rows.length > 0 ? 'recorded' : 'duplicate';
  }

  /** The most recently opened tickets, newest first. */
  async recent(limit: number): Promise<SupportTicket[]> {
    const rows = await this.db.query(
      `SELECT * FROM support_tickets ORDER BY opened_at DESC, session_id LIMIT $1`,
      [limit],
    );
    return rows.map(toTicket);
  }

  /** One ticket, or `undefined` when the support agent never had that session. */
  async find(sessionId: string): Promise<SupportTicket | undefined> {
    const [row] = await this.db.query(`SELECT * FROM support_tickets WHERE session_id = $1`, [sessionId]);
    return row ? toTicket(row) : undefined;
  }
}
