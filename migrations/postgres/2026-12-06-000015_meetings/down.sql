DROP TABLE meeting_reminders;
DROP TABLE meeting_unavailable;
DROP TABLE meetings;
ALTER TABLE exhibitors DROP COLUMN meeting_tables;
DROP TABLE meeting_settings;
