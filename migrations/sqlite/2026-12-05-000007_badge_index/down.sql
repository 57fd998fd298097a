CREATE INDEX registrations_badge ON registrations (event_id, badge_code);
