//! The programme's session types shared by its modules: kinds, the stored row, the list
//! filters.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::sessions;

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
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
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
