ALTER TABLE exhibitors DROP COLUMN erased_at;
