ALTER TABLE outbox_emails DROP COLUMN from_name;
ALTER TABLE outbox_emails DROP COLUMN reply_to;
