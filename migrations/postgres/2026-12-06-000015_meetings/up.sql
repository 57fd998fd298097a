-- Meetings between attendees and exhibitors at the exhibitors' booths (SPEC §4.4) (postgres).
-- Keep equivalent to ../../sqlite.
-- meeting_settings: one row per fair once an organizer saves them; blocks are JSON
-- ([{"day": "YYYY-MM-DD", "starts": "HH:MM", "ends": "HH:MM"}], the fair's local times).
CREATE TABLE meeting_settings (
    event_id BIGINT PRIMARY KEY NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    blocks TEXT NOT NULL,
    slot_minutes INTEGER NOT NULL,
    requests_open BOOLEAN NOT NULL,
    request_ttl_minutes INTEGER NOT NULL,
    max_pending INTEGER NOT NULL,
    reminder_hour INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- How many meetings an exhibitor holds at once at its booth.
ALTER TABLE exhibitors ADD COLUMN meeting_tables INTEGER NOT NULL DEFAULT 1;

-- A meeting: pending (holding its table until answered or expires_at), accepted, declined,
-- cancelled or expired. Times in UTC. host_registration_id: the exhibitor's staff member who
-- receives the attendee, if named.
CREATE TABLE meetings (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    exhibitor_id BIGINT NOT NULL REFERENCES exhibitors (id) ON DELETE CASCADE,
    registration_id BIGINT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL,
    message TEXT NOT NULL,
    host_registration_id BIGINT REFERENCES registrations (id) ON DELETE SET NULL,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    cancelled_by TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX meetings_exhibitor_slot ON meetings (exhibitor_id, starts_at);
CREATE INDEX meetings_registration_slot ON meetings (registration_id, starts_at);
CREATE INDEX meetings_event_slot ON meetings (event_id, starts_at);

-- Slots an exhibitor marked unavailable (their start, UTC).
CREATE TABLE meeting_unavailable (
    exhibitor_id BIGINT NOT NULL REFERENCES exhibitors (id) ON DELETE CASCADE,
    starts_at TIMESTAMP NOT NULL,
    PRIMARY KEY (exhibitor_id, starts_at)
);

-- The day-before reminders sent: one per person (an attendee, or an exhibitor) and fair day.
-- The unique index decides which instance sends it.
CREATE TABLE meeting_reminders (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    registration_id BIGINT REFERENCES registrations (id) ON DELETE CASCADE,
    exhibitor_id BIGINT REFERENCES exhibitors (id) ON DELETE CASCADE,
    sent_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX meeting_reminders_attendee ON meeting_reminders (day, registration_id);
CREATE UNIQUE INDEX meeting_reminders_exhibitor ON meeting_reminders (day, exhibitor_id);
