DROP TABLE console_sessions;
ALTER TABLE organizers DROP COLUMN language;
