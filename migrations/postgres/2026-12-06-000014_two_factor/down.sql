DROP TABLE team_policy;
DROP TABLE recovery_codes;
ALTER TABLE organizers DROP COLUMN totp_last_step;
ALTER TABLE organizers DROP COLUMN totp_enabled_at;
ALTER TABLE organizers DROP COLUMN totp_secret;
