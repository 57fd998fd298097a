//! The programme's stored rows and the forms its writes store (queried in `store`), and the
//! session types its modules share: kinds, the list filters.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::{rooms, schedule_releases, sessions, speakers, tracks};
use crate::domain::text::Check;
use crate::domain::{search_text, Translatable};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SessionKind {
    Keynote,
    Seminar,
    Panel,
    Workshop,
    Break,
}

impl SessionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Keynote => "keynote",
            SessionKind::Seminar => "seminar",
            SessionKind::Panel => "panel",
            SessionKind::Workshop => "workshop",
            SessionKind::Break => "break",
        }
    }

    pub fn parse(s: &str) -> SessionKind {
        match s {
            "keynote" => SessionKind::Keynote,
            "panel" => SessionKind::Panel,
            "workshop" => SessionKind::Workshop,
            "break" => SessionKind::Break,
            _ => SessionKind::Seminar,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: i64,
    pub event_id: i64,
    #[diesel(embed)]
    pub form: SessionForm,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A session's columns as a write sets them (insert and update; `None` writes null) and as its
/// row holds them. The store stamps the times.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(
    table_name = sessions,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub struct SessionForm {
    pub title: String,
    pub abstract_text: Option<String>,
    pub kind: String,
    pub language: String,
    pub track_id: Option<i64>,
    pub room_id: Option<i64>,
    pub starts_at: Option<NaiveDateTime>,
    pub ends_at: Option<NaiveDateTime>,
    pub capacity: Option<i32>,
    pub search_text: String,
}

/// Filters of the session lists (besides paging, `q` and `sort`).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SessionFilters {
    pub room_id: Option<i64>,
    pub track_id: Option<i64>,
    /// true: only scheduled sessions; false: only unscheduled ones (working copy).
    pub scheduled: Option<bool>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = rooms)]
pub struct RoomRow {
    pub id: i64,
    pub event_id: i64,
    pub name: String,
    pub hall: Option<String>,
    pub capacity: i32,
    pub search_text: String,
    pub created_at: NaiveDateTime,
}

/// A room's columns as written (insert and update; checked by `RoomForm::check`).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = rooms, treat_none_as_null = true)]
pub struct RoomForm {
    pub name: String,
    pub hall: Option<String>,
    pub capacity: i32,
    pub search_text: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tracks)]
pub struct TrackRow {
    pub id: i64,
    pub event_id: i64,
    pub name: String,
    pub color: String,
    pub search_text: String,
    pub created_at: NaiveDateTime,
}

/// A track's columns as written (insert and update; checked by `TrackForm::check`).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = tracks)]
pub struct TrackForm {
    pub name: String,
    pub color: String,
    pub search_text: String,
}

/// The columns a room's or a track's translatable name fills: the name as stored, and the
/// row's search text (the name in every language, then `more`: a room's hall). The name is
/// checked into `check` (errors at `name`).
pub fn name_columns(
    name: &Translatable,
    more: Option<&Translatable>,
    check: &mut Check,
) -> (String, String) {
    name.check("name", 200, check.errors());
    let mut parts = name.texts();
    parts.extend(more.map(Translatable::texts).unwrap_or_default());
    (name.to_db(), search_text(parts))
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = speakers)]
pub struct SpeakerRow {
    pub id: i64,
    pub event_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub organization: Option<String>,
    pub bio: Option<String>,
    pub search_text: String,
    pub created_at: NaiveDateTime,
}

/// A speaker's columns as written (insert and update; checked by `SpeakerForm::check`).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = speakers, treat_none_as_null = true)]
pub struct SpeakerForm {
    pub name: String,
    pub email: Option<String>,
    pub organization: Option<String>,
    pub bio: Option<String>,
    pub search_text: String,
}

/// A stored release; `snapshot` and `diff` are JSON (read by `releases::Release`).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = schedule_releases)]
pub struct ReleaseRow {
    pub id: i64,
    pub event_id: i64,
    pub version: String,
    pub comment: Option<String>,
    pub published_at: NaiveDateTime,
    pub published_by: Option<i64>,
    pub snapshot: String,
    pub diff: String,
}

/// A release's columns as published.
#[derive(Debug, Insertable)]
#[diesel(table_name = schedule_releases)]
pub struct ReleaseForm<'a> {
    pub event_id: i64,
    pub version: &'a str,
    pub comment: Option<&'a str>,
    pub published_at: NaiveDateTime,
    pub published_by: Option<i64>,
    pub snapshot: &'a str,
    pub diff: &'a str,
}
