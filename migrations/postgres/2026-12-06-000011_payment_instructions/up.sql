-- The organizer's payment instructions, quoted in the email that approves an exhibitor
-- (postgres). Keep equivalent to ../../sqlite.
ALTER TABLE events ADD COLUMN payment_instructions TEXT NOT NULL DEFAULT '';
