-- Two-factor sign-in (TOTP, RFC 6238) for organizers (postgres). Keep equivalent to ../../sqlite.
-- The shared secret (base32) is set when the organizer starts turning it on and counts once
-- totp_enabled_at is set; totp_last_step is the last time step a code was accepted for, so a
-- code cannot be used twice. Recovery codes are stored as SHA-256 hashes. team_policy holds
-- the admins' choice that every organizer must use it (one row, id 1).
ALTER TABLE organizers ADD COLUMN totp_secret TEXT;
ALTER TABLE organizers ADD COLUMN totp_enabled_at TIMESTAMP;
ALTER TABLE organizers ADD COLUMN totp_last_step BIGINT;

CREATE TABLE recovery_codes (
    id BIGSERIAL PRIMARY KEY,
    organizer_id BIGINT NOT NULL REFERENCES organizers (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX recovery_codes_organizer ON recovery_codes (organizer_id);

CREATE TABLE team_policy (
    id BIGINT PRIMARY KEY NOT NULL,
    two_factor_required BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
