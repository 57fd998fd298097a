DROP TABLE organizer_invites;
ALTER TABLE organizers DROP COLUMN deactivated_at;
