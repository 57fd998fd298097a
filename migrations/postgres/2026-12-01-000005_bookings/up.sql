-- Attendees' seats in released sessions, their agenda feeds, and the schedule-change notices a
-- release leaves for the mail job (postgres). Keep equivalent to ../../sqlite.

-- A booking names a session of the latest release (not a foreign key: the working copy may
-- delete a session that the release still shows). Its times are copied from the release so
-- that the overlap check is one indexed query; a release that moves the session moves them.
CREATE TABLE bookings (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL,
    registration_id BIGINT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (registration_id, session_id)
);
-- Seats taken and the waiting list's order, per session.
CREATE INDEX bookings_session_status ON bookings (session_id, status, id);
CREATE INDEX bookings_registration_start ON bookings (registration_id, starts_at);

-- Agenda feeds: one per manage token of a registration. The feed token (slf_) is derived from
-- the manage token (an HMAC keyed by it), so the attendee page and GET /me, which hold the
-- manage token, can show it again; only its hash is stored, and a database dump yields none.
CREATE TABLE agenda_feeds (
    token_hash TEXT PRIMARY KEY NOT NULL,
    registration_id BIGINT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX agenda_feeds_registration ON agenda_feeds (registration_id);

-- Written in a release's transaction: one row per (attendee, changed session) the release
-- touched. The notices job turns each attendee's rows into one schedule_changed email and
-- deletes them in the same transaction, so a crash loses or repeats none.
CREATE TABLE schedule_notices (
    id BIGSERIAL PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    release_id BIGINT NOT NULL REFERENCES schedule_releases (id) ON DELETE CASCADE,
    registration_id BIGINT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL,
    change TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX schedule_notices_release_registration ON schedule_notices (release_id, registration_id);
