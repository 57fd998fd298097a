ALTER TABLE organizers DROP COLUMN unlocked_at;
