DROP TABLE email_templates;
DROP TABLE outbox_emails;
DROP TABLE registration_tokens;
DROP TABLE registrations;
