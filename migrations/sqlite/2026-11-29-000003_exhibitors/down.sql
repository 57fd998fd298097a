DROP INDEX registrations_badge;
DROP TABLE checkins;
DROP TABLE staff_passes;
DROP TABLE exhibitor_tokens;
DROP TABLE exhibitors;
DROP TABLE booths;
