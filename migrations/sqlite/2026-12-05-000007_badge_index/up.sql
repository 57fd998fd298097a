-- Badge codes are unique across the whole database (registrations.badge_code UNIQUE), so that
-- index already finds a badge in an event. This second one only cost every registration one
-- more random index page to write. Keep equivalent to the other backend.
DROP INDEX registrations_badge;
