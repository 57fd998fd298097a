-- The console's sign-in sessions, and the language each organizer reads the console in
-- (sqlite). Keep equivalent to ../../postgres.
ALTER TABLE organizers ADD COLUMN language TEXT;

CREATE TABLE console_sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organizer_id BIGINT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL
);
CREATE INDEX console_sessions_organizer ON console_sessions (organizer_id);
