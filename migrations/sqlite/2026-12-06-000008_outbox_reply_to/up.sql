-- Whom an email answers to (the fair's contact address) and the name it comes from (the
-- fair's name, in the recipient's language): replies reach the organizers, and the inbox
-- shows the fair. Kept with the row, like its other headers. Keep equivalent to the other
-- backend.
ALTER TABLE outbox_emails ADD COLUMN reply_to TEXT;
ALTER TABLE outbox_emails ADD COLUMN from_name TEXT;
