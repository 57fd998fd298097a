-- Organizers, events and the programme (SQLite). Keep equivalent to ../../postgres.
CREATE TABLE organizers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organizer_id BIGINT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_organizer ON api_tokens (organizer_id);

CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    timezone TEXT NOT NULL,
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    venue TEXT NOT NULL,
    city TEXT NOT NULL,
    languages TEXT NOT NULL,
    default_language TEXT NOT NULL,
    capacity INTEGER,
    opens_at TIME NOT NULL,
    closes_at TIME NOT NULL,
    contact_email TEXT NOT NULL,
    status TEXT NOT NULL,
    registration_opens_at TIMESTAMP,
    registration_closes_at TIMESTAMP,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE rooms (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    hall TEXT,
    capacity INTEGER NOT NULL,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX rooms_event ON rooms (event_id);

CREATE TABLE tracks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    color TEXT NOT NULL,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX tracks_event ON tracks (event_id);

CREATE TABLE speakers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT,
    organization TEXT,
    bio TEXT,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX speakers_event ON speakers (event_id);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    abstract_text TEXT,
    kind TEXT NOT NULL,
    language TEXT NOT NULL,
    track_id BIGINT REFERENCES tracks (id) ON DELETE SET NULL,
    room_id BIGINT REFERENCES rooms (id),
    starts_at TIMESTAMP,
    ends_at TIMESTAMP,
    capacity INTEGER,
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_event ON sessions (event_id);
-- The room conflict check: sessions of one room ordered by start.
CREATE INDEX sessions_room_start ON sessions (room_id, starts_at);

-- A session's speakers, with the session's times copied in so that the speaker conflict check
-- is one indexed range query on (speaker, start).
CREATE TABLE session_speakers (
    session_id BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    speaker_id BIGINT NOT NULL REFERENCES speakers (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    room_id BIGINT,
    starts_at TIMESTAMP,
    ends_at TIMESTAMP,
    PRIMARY KEY (session_id, speaker_id)
);
CREATE INDEX session_speakers_speaker_start ON session_speakers (speaker_id, starts_at);

CREATE TABLE schedule_releases (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    comment TEXT,
    published_at TIMESTAMP NOT NULL,
    published_by BIGINT REFERENCES organizers (id) ON DELETE SET NULL,
    snapshot TEXT NOT NULL,
    diff TEXT NOT NULL,
    UNIQUE (event_id, version)
);

CREATE TABLE audit_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT REFERENCES events (id) ON DELETE CASCADE,
    organizer_id BIGINT REFERENCES organizers (id) ON DELETE SET NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    details TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX audit_entries_event ON audit_entries (event_id, id);
