-- The organizer's payment instructions, quoted in the email that approves an exhibitor
-- (sqlite). Keep equivalent to ../../postgres.
ALTER TABLE events ADD COLUMN payment_instructions TEXT NOT NULL DEFAULT '';
