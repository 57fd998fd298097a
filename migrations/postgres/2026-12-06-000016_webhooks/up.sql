-- Webhooks: the endpoints an admin registers per fair, the deliveries queued in the
-- transaction of each change, and every attempt to deliver them (SPEC §4.5) (postgres).
-- Keep equivalent to ../../sqlite.

-- An endpoint. event_types: a JSON array of the types it receives. secret: its signing key
-- (whsec_…); previous_secret signs too until previous_secret_until after a rotation.
-- failing_since: the start of the current spell of failures (sustained failure disables the
-- endpoint); last_failure_at: its latest failed attempt (a long quiet gap ends the spell).
CREATE TABLE webhooks (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    enabled BOOLEAN NOT NULL,
    disabled_reason TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TIMESTAMP,
    failing_since TIMESTAMP,
    last_failure_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX webhooks_event ON webhooks (event_id);

-- One message to one endpoint: pending (due at next_attempt_at), sending (claimed until
-- locked_until), delivered or failed. message_id is the webhook-id header, the same on every
-- attempt; payload the exact body signed and sent. retry_from: when its retries started (its
-- creation, or its latest replay). registration_id, exhibitor_id: whom it is about, so that an
-- erasure deletes it.
CREATE TABLE webhook_deliveries (
    id BIGSERIAL PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    message_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    locked_until TIMESTAMP,
    retry_from TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    delivered_at TIMESTAMP,
    registration_id BIGINT,
    exhibitor_id BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);
CREATE INDEX webhook_deliveries_registration ON webhook_deliveries (registration_id);
CREATE INDEX webhook_deliveries_exhibitor ON webhook_deliveries (exhibitor_id);

-- Each attempt: the answer's status (none when no answer came), the error, and the first
-- KiB of the answer's body.
CREATE TABLE webhook_attempts (
    id BIGSERIAL PRIMARY KEY,
    delivery_id BIGINT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at TIMESTAMP NOT NULL,
    status_code INTEGER,
    error TEXT,
    response TEXT NOT NULL,
    duration_ms INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, id);
