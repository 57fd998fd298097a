//! The log's entry, as its table holds it and as the API shows it.

use chrono::NaiveDateTime;
use diesel::{Queryable, Selectable};
use serde::{Serialize, Serializer};
use utoipa::ToSchema;

use crate::db::schema::audit_entries;

// An entry as stored is what the API shows: its times are UTC, its details JSON text.
#[derive(Debug, Serialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = audit_entries)]
pub struct AuditEntry {
    pub id: i64,
    pub event_id: Option<i64>,
    /// Null for changes made from the command line, by the demo loader, or by an exhibitor or
    /// attendee on their own page (`details.by` / `details.via` say which).
    pub organizer_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    #[schema(value_type = Object)]
    #[serde(serialize_with = "stored_json")]
    pub details: String,
    #[serde(serialize_with = "utc")]
    pub created_at: NaiveDateTime,
}

/// `details` as stored, JSON text, shown as the JSON it holds.
fn stored_json<S: Serializer>(text: &str, s: S) -> Result<S::Ok, S::Error> {
    serde_json::from_str::<serde_json::Value>(text)
        .unwrap_or(serde_json::Value::Null)
        .serialize(s)
}

/// A stored time, which is UTC, shown as RFC 3339 with its offset.
fn utc<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    t.and_utc().serialize(s)
}
