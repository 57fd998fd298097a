-- The console's team: an organizer deactivated by an admin, and the invitations that let a new
-- organizer choose a password (sqlite). Keep equivalent to ../../postgres.
ALTER TABLE organizers ADD COLUMN deactivated_at TIMESTAMP;

CREATE TABLE organizer_invites (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organizer_id BIGINT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX organizer_invites_organizer ON organizer_invites (organizer_id);
