-- Attendees' and exhibitors' link tokens in one table: the same rules, one set of queries
-- (auth::owner_tokens). Each token has exactly one owner, and goes with it.
CREATE TABLE link_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_id BIGINT REFERENCES registrations (id) ON DELETE CASCADE,
    exhibitor_id BIGINT REFERENCES exhibitors (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    CHECK ((registration_id IS NULL) <> (exhibitor_id IS NULL))
);
CREATE INDEX link_tokens_registration ON link_tokens (registration_id)
    WHERE registration_id IS NOT NULL;
CREATE INDEX link_tokens_exhibitor ON link_tokens (exhibitor_id)
    WHERE exhibitor_id IS NOT NULL;

INSERT INTO link_tokens (registration_id, purpose, token_hash, expires_at, used_at, created_at)
    SELECT registration_id, purpose, token_hash, expires_at, used_at, created_at
    FROM registration_tokens ORDER BY id;
INSERT INTO link_tokens (exhibitor_id, purpose, token_hash, expires_at, used_at, created_at)
    SELECT exhibitor_id, purpose, token_hash, expires_at, used_at, created_at
    FROM exhibitor_tokens ORDER BY id;

DROP TABLE registration_tokens;
DROP TABLE exhibitor_tokens;
