/**
 * The sample app's tables. Every outcome table has a natural unique key, so a webhook delivered twice is stored once:
 * the repositories insert with `ON CONFLICT DO NOTHING` (a support ticket: update only while it is open) and report
 * the duplicate instead of writing it again.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS follow_ups (
  id              BIGSERIAL PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('conversation', 'call')),
  session_id      TEXT UNIQUE,
  crm_contact_id  TEXT NOT NULL,
  to_number       TEXT,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS session_outcomes (
  session_id             TEXT PRIMARY KEY,
  channel                TEXT NOT NULL CHECK (channel IN ('call', 'text')),
  call_status            TEXT,
  call_duration_seconds  DOUBLE PRECISION,
  messages_count         INTEGER NOT NULL,
  final_node_id          TEXT NOT NULL,
  extracted_variables    JSONB NOT NULL,
  crm_contact_id         TEXT,
  finalized_at           TIMESTAMPTZ NOT NULL,
  recorded_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS call_results (
  session_id             TEXT PRIMARY KEY,
  call_status            TEXT NOT NULL,
  call_duration_seconds  DOUBLE PRECISION NOT NULL,
  ended_at               TIMESTAMPTZ NOT NULL,
  recorded_at            TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE IF NOT EXISTS recordings (
  session_id     TEXT NOT NULL,
  succeeded      BOOLEAN NOT NULL,
  recording_url  TEXT,
  ready_at       TIMESTAMPTZ NOT NULL,
  recorded_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, succeeded)
);

CREATE TABLE IF NOT EXISTS support_tickets (
  session_id             TEXT PRIMARY KEY,
  channel                TEXT NOT NULL CHECK (channel IN ('call', 'text')),
  crm_contact_id         TEXT,
  issue                  TEXT,
  resolution             TEXT,
  messages_count         INTEGER,
  call_duration_seconds  DOUBLE PRECISION,
  opened_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
  closed_at              TIMESTAMPTZ
);
`;
