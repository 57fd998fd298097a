ALTER TABLE events DROP COLUMN payment_instructions;
