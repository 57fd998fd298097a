//! The email area's types as stored: template parts, outbox rows as the sender and the
//! organizers' list read them, the forms a write stores, and what the list shows.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::{email_templates, outbox_emails};

/// Subject, text and HTML of one kind in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parts {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// A claimed row, ready to send.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox_emails)]
pub struct Claimed {
    pub id: i64,
    pub kind: String,
    pub recipient: Option<String>,
    pub language: String,
    pub subject: Option<String>,
    pub body_text: Option<String>,
    pub body_html: Option<String>,
    pub attachments: Option<String>,
    pub message_id: String,
    pub attempts: i32,
    pub reply_to: Option<String>,
    pub from_name: Option<String>,
}

/// An outbox row's metadata as read for the organizers' list (never a body); shown as
/// [`EmailOut`].
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = outbox_emails)]
pub struct EmailRow {
    id: i64,
    kind: String,
    recipient: Option<String>,
    language: String,
    message_id: String,
    status: String,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    last_error: Option<String>,
    created_at: NaiveDateTime,
    sent_at: Option<NaiveDateTime>,
}

/// An outbox row's metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmailOut {
    pub id: i64,
    pub kind: String,
    /// Null once the recipient's registration is erased.
    pub recipient: Option<String>,
    pub language: String,
    pub message_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl From<EmailRow> for EmailOut {
    fn from(r: EmailRow) -> Self {
        EmailOut {
            id: r.id,
            kind: r.kind,
            recipient: r.recipient,
            language: r.language,
            message_id: r.message_id,
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at.and_utc(),
            last_error: r.last_error,
            created_at: r.created_at.and_utc(),
            sent_at: r.sent_at.map(|t| t.and_utc()),
        }
    }
}

/// An outbox row to insert. Every `None` is stored as NULL.
#[derive(Debug, Insertable)]
#[diesel(table_name = outbox_emails, treat_none_as_default_value = false)]
pub struct NewOutboxEmail<'a> {
    pub event_id: Option<i64>,
    pub registration_id: Option<i64>,
    pub kind: &'a str,
    pub recipient: Option<&'a str>,
    pub language: &'a str,
    pub subject: Option<&'a str>,
    pub body_text: Option<&'a str>,
    pub body_html: Option<&'a str>,
    pub attachments: Option<&'a str>,
    pub message_id: &'a str,
    pub status: &'a str,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub last_error: Option<&'a str>,
    pub reply_to: Option<&'a str>,
    pub from_name: Option<&'a str>,
}

/// The texts of a template override as saved (its event, kind and language are its key).
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = email_templates)]
pub struct TemplateForm<'a> {
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub updated_at: NaiveDateTime,
}
