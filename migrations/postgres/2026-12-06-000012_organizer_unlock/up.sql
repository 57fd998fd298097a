-- When `salon admin unlock` (or reset-password) last lifted an organizer's sign-in lock: a
-- running server forgets the failed sign-ins counted before it (postgres). Keep equivalent to
-- ../../sqlite.
ALTER TABLE organizers ADD COLUMN unlocked_at TIMESTAMP;
