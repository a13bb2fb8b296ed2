import { Injectable } from '@nestjs/common';
import type { CallEndedEvent, RecordingReadyEvent, SessionFinalizedEvent } from 'nestjs-pathors';
import { Database } from '../database/database.js';

/** What a write did: `recorded`, or `duplicate` when the unique key already held this outcome (nothing written). */
export type WriteResult = 'recorded' | 'duplicate';

/** The outcome of one conversation, from its `session.finalized` event. */
export interface SessionOutcome {
  sessionId: string;
  channel: 'call' | 'text';
  callStatus: string | null;
  callDurationSeconds: number | null;
  messagesCount: number;
  finalNodeId: string;
  extractedVariables: Record<string, unknown>;
  crmContactId: string | null;
  finalizedAt: string;
}

/** How a call ended, from its `call.ended` event. */
export interface CallResult {
  callStatus: string;
  callDurationSeconds: number;
  endedAt: string;
}

/** A call's recording, from `recording.ready` (on success and on failure). */
export interface Recording {
  succeeded: boolean;
  recordingUrl: string | null;
  readyAt: string;
}

/** Everything the app knows about one session. */
export interface SessionRecord {
  sessionId: string;
  outcome: SessionOutcome | null;
  call: CallResult | null;
  recordings: Recording[];
}

const iso = (value: unknown): string =>
  (value instanceof Date ? value : new Date(String(value))).toISOString();

const toOutcome = (row: Record<string, unknown>): SessionOutcome => ({
  sessionId: String(row.session_id),
  channel: row.channel === 'call' ? 'call' : 'text',
  callStatus: (row.call_status as string | null) ?? null,
  callDurationSeconds: (row.call_duration_seconds as number | null) ?? null,
  messagesCount: Number(row.messages_count),
  finalNodeId: String(row.final_node_id),
  extractedVariables: row.extracted_variables as Record<string, unknown>,
  crmContactId: (row.crm_contact_id as string | null) ?? null,
  finalizedAt: iso(row.finalized_at),
});

/** Stores and reads conversation outcomes. Every write is idempotent on the event's natural key. */
@Injectable()
export class OutcomesRepository {
  constructor(private readonly db: Database) {}

  /**
   * Records a finalized session. The CRM contact comes from the follow-up that started the session, or from the
   * variables the agent extracted (calls carry it there, since an outbound call has no session id up front).
   */
  async recordFinalized(event: SessionFinalizedEvent): Promise<WriteResult> {
    const extractedContact = event.extractedVariables.crmContactId;
    const rows = await this.db.query(
      `INSERT INTO session_outcomes
         (session_id, channel, call_status, call_duration_seconds, messages_count, final_node_id,
          extracted_variables, crm_contact_id, finalized_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7,
               COALESCE((SELECT crm_contact_id FROM follow_ups WHERE session_id = $1), $8), $9)
       ON CONFLICT (session_id) DO NOTHING
       RETURNING session_id`,
      [
        event.sessionId,
        event.isCall() ? 'call' : 'text',
        event.isCall() ? event.callStatus : null,
        event.isCall() ? event.callDuration : null,
        event.messagesCount,
        event.currentNodeId,
        JSON.stringify(event.extractedVariables),
        typeof extractedContact === 'string' ? extractedContact : null,
        event.timestamp,
      ],
    );
    return rows.length > 0 ? 'recorded' : 'duplicate';
  }

  /** Records how a call ended. */
  async recordCallEnded(event: CallEndedEvent): Promise<WriteResult> {
    const rows = await this.db.query(
      `INSERT INTO call_results (session_id, call_status, call_duration_seconds, ended_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (session_id) DO NOTHING
       RETURNING session_id`,
      [event.sessionId, event.callStatus, event.callDuration, event.timestamp],
    );
    return rows.length > 0 ? 'recorded' : 'duplicate';
  }

  /** Records a call's recording, successful or not (one row per outcome). */
  async recordRecording(event: RecordingReadyEvent): Promise<WriteResult> {
    const rows = await this.db.query(
      `INSERT INTO recordings (session_id, succeeded, recording_url, ready_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (session_id, succeeded) DO NOTHING
       RETURNING session_id`,
      [event.sessionId, event.hasRecording(), event.recordingUrl ?? null, event.timestamp],
    );
    return rows.length > 0 ? 'recorded' : 'duplicate';
  }

  /** The most recently finalized sessions, newest first. */
  async recentOutcomes(limit: number): Promise<SessionOutcome[]> {
    const rows = await this.db.query(`SELECT * FROM session_outcomes ORDER BY finalized_at DESC LIMIT $1`, [
      limit,
    ]);
    return rows.map(toOutcome);
  }

  /** Everything stored about one session, or `undefined` when no event of it was recorded. */
  async findSession(sessionId: string): Promise<SessionRecord | undefined> {
    const [outcomes, calls, recordings] = await Promise.all([
      this.db.query(`SELECT * FROM session_outcomes WHERE session_id = $1`, [sessionId]),
      this.db.query(`SELECT * FROM call_results WHERE session_id = $1`, [sessionId]),
      this.db.query(`SELECT * FROM recordings WHERE session_id = $1 ORDER BY ready_at`, [sessionId]),
    ]);
    if (outcomes.length + calls.length + recordings.length === 0) return undefined;
    const [call] = calls;
    return {
      sessionId,
      outcome: outcomes[0] ? toOutcome(outcomes[0]) : null,
      call: call
        ? {
            callStatus: String(call.call_status),
            callDurationSeconds: Number(call.call_duration_seconds),
            endedAt: iso(call.ended_at),
          }
        : null,
      recordings: recordings.map((row) => ({
        succeeded: row.succeeded === true,
        recordingUrl: (row.recording_url as string | null) ?? null,
        readyAt: iso(row.ready_at),
      })),
    };
  }
}
