-- Exhibitors can be erased (sqlite; keep equivalent to ../../postgres): contact name, email and phone
-- are blanked (the email becomes a tombstone that keeps the per-event uniqueness, not an
-- address) and erased_at is set; the company's public profile stays.
ALTER TABLE exhibitors ADD COLUMN erased_at TIMESTAMP;
