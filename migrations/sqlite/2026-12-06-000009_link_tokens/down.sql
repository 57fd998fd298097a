CREATE TABLE registration_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    registration_id BIGINT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX registration_tokens_registration ON registration_tokens (registration_id);

CREATE TABLE exhibitor_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    exhibitor_id BIGINT NOT NULL REFERENCES exhibitors (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX exhibitor_tokens_exhibitor ON exhibitor_tokens (exhibitor_id);

INSERT INTO registration_tokens (registration_id, purpose, token_hash, expires_at, used_at, created_at)
    SELECT registration_id, purpose, token_hash, expires_at, used_at, created_at
    FROM link_tokens WHERE registration_id IS NOT NULL ORDER BY id;
INSERT INTO exhibitor_tokens (exhibitor_id, purpose, token_hash, expires_at, used_at, created_at)
    SELECT exhibitor_id, purpose, token_hash, expires_at, used_at, created_at
    FROM link_tokens WHERE exhibitor_id IS NOT NULL ORDER BY id;

DROP TABLE link_tokens;
