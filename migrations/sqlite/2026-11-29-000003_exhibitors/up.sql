-- Booths, exhibitors, their tokens and staff passes, and badge check-ins (SQLite).
-- Keep equivalent to ../../postgres.
CREATE TABLE booths (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    hall TEXT NOT NULL,
    area_m2 INTEGER NOT NULL,
    kind TEXT NOT NULL,
    staff_passes INTEGER NOT NULL,
    price_amount BIGINT NOT NULL,
    price_currency TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, code)
);

CREATE TABLE exhibitors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    company_name TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT,
    website TEXT,
    country TEXT,
    sector TEXT,
    description TEXT,
    booth_kind TEXT NOT NULL,
    booth_area_m2 INTEGER NOT NULL,
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    -- A booth is assigned to at most one exhibitor.
    booth_id BIGINT UNIQUE REFERENCES booths (id),
    payment_status TEXT NOT NULL,
    rejection_reason TEXT,
    consent_at TIMESTAMP NOT NULL,
    search_text TEXT NOT NULL,
    confirm_sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (event_id, email)
);
CREATE INDEX exhibitors_event_status ON exhibitors (event_id, status);

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

-- A staff pass: an exhibitor's `exhibitor_staff` registration.
CREATE TABLE staff_passes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    exhibitor_id BIGINT NOT NULL REFERENCES exhibitors (id) ON DELETE CASCADE,
    registration_id BIGINT NOT NULL UNIQUE REFERENCES registrations (id) ON DELETE CASCADE,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX staff_passes_exhibitor ON staff_passes (exhibitor_id);

-- One row per badge per fair day: the first scan of the day.
CREATE TABLE checkins (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    registration_id BIGINT NOT NULL REFERENCES registrations (id) ON DELETE CASCADE,
    day DATE NOT NULL,
    category TEXT NOT NULL,
    scanned_at TIMESTAMP NOT NULL,
    scanned_by BIGINT REFERENCES organizers (id) ON DELETE SET NULL,
    UNIQUE (registration_id, day)
);
CREATE INDEX checkins_event_day ON checkins (event_id, day);
CREATE INDEX registrations_badge ON registrations (event_id, badge_code);
