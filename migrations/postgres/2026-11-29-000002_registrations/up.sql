-- Attendee registrations, their tokens, the email outbox and organizers' template overrides
-- (PostgreSQL). Keep equivalent to ../../sqlite.
CREATE TABLE registrations (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    -- Personal data: NULL once erased.
    email TEXT,
    name TEXT,
    organization TEXT,
    job_title TEXT,
    country TEXT,
    phone TEXT,
    language TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    badge_code TEXT NOT NULL UNIQUE,
    consent_at TIMESTAMP,
    search_text TEXT NOT NULL,
    confirm_sent_at TIMESTAMP,
    waitlisted_at TIMESTAMP,
    confirmed_at TIMESTAMP,
    cancelled_at TIMESTAMP,
    erased_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, email)
);
CREATE INDEX registrations_event_status ON registrations (event_id, status, waitlisted_at);

-- Confirmation (single use, expiring) and manage tokens, stored as hashes.
CREATE TABLE registration_tokens (
    id BIGSERIAL PRIMARY KEY,
    registration_id BIGINT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP,
    used_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX registration_tokens_registration ON registration_tokens (registration_id);

-- Every email, written in the transaction of the change that causes it; the worker sends it.
CREATE TABLE outbox_emails (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT REFERENCES events (id) ON DELETE SET NULL,
    registration_id BIGINT REFERENCES registrations (id) ON DELETE SET NULL,
    kind TEXT NOT NULL,
    recipient TEXT,
    language TEXT NOT NULL,
    subject TEXT,
    body_text TEXT,
    body_html TEXT,
    attachments TEXT,
    message_id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP
);
CREATE INDEX outbox_emails_due ON outbox_emails (status, next_attempt_at);
CREATE INDEX outbox_emails_event ON outbox_emails (event_id, id);

CREATE TABLE email_templates (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, kind, language)
);
