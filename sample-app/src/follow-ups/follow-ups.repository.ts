import { Injectable } from '@nestjs/common';
import { Database } from '../database/database.js';

/** Remembers which CRM contact each follow-up was for, so outcomes can name the contact. */
@Injectable()
export class FollowUpsRepository {
  constructor(private readonly db: Database) {}

  /** A text conversation opened for the contact; its session id links it to the outcome later. */
  async recordConversation(sessionId: string, crmContactId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO follow_ups (kind, session_id, crm_contact_id) VALUES ('conversation', $1, $2)`,
      [sessionId, crmContactId],
    );
  }

  /** An outbound call queued for the contact; `maskedNumber` only, never the full number. */
  async recordCall(crmContactId: string, maskedNumber: string): Promise<void> {
    await this.db.query(`INSERT INTO follow_ups (kind, crm_contact_id, to_number) VALUES ('call', $1, $2)`, [
      crmContactId,
      maskedNumber,
    ]);
  }
}
