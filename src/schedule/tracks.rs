//! Tracks: `/api/v1/events/{slug}/tracks[/{id}]`, an event [`Child`]. Deleting a track leaves
//! its sessions without one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{name_columns, TrackForm, TrackRow};
use super::store;
use crate::db::{Conn, PageRequest};
use crate::domain::text::{Check, Rule};
use crate::domain::Translatable;
use crate::error::AppResult;
use crate::events::children::{Child, NoFilters};
use crate::events::Event;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrackOut {
    pub id: i64,
    pub name: Translatable,
    /// `#rrggbb`
    pub color: String,
    pub created_at: DateTime<Utc>,
}

impl From<TrackRow> for TrackOut {
    fn from(r: TrackRow) -> Self {
        TrackOut {
            id: r.id,
            name: Translatable::from_db(&r.name),
            color: r.color,
            created_at: r.created_at.and_utc(),
        }
    }
}

/// A new track, as sent (checked by [`Tracks::create`]).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTrack {
    #[schema(required = true, nullable = false)]
    pub name: Option<Translatable>,
    #[schema(required = true, nullable = false, example = "#1f77b4")]
    #[schema(pattern = r"^#[0-9A-Fa-f]{6}$")]
    pub color: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackPatch {
    pub name: Option<Translatable>,
    #[schema(example = "#1f77b4")]
    #[schema(pattern = r"^#[0-9A-Fa-f]{6}$")]
    pub color: Option<String>,
}

impl TrackForm {
    /// Checks a track as it would be; every error goes to `check`.
    pub fn check(name: Translatable, color: Option<&str>, check: &mut Check) -> Option<TrackForm> {
        let (name, search_text) = name_columns(&name, None, check);
        let color = check.parse("color", Rule::Invalid, color, |color| {
            let ok = color.len() == 7
                && color.starts_with('#')
                && color[1..].chars().all(|c| c.is_ascii_hexdigit());
            if ok {
                Ok(color.to_ascii_lowercase())
            } else {
                Err("must be a colour like #1f77b4".to_string())
            }
        })?;
        Some(TrackForm {
            name,
            color,
            search_text,
        })
    }
}

/// Tracks as an event's [`Child`]. Deleting a track leaves its sessions without one.
pub struct Tracks;

impl Child for Tracks {
    const NOUN: &'static str = "track";
    const SORTS: &'static [&'static str] = &["created_at"];
    const TAG: &'static str = "tracks";
    const LIST_PATH: &'static str = "/api/v1/events/{slug}/tracks";
    type Row = TrackRow;
    type Out = TrackOut;
    type New = NewTrack;
    type Patch = TrackPatch;
    type Form = TrackForm;
    type Filters = NoFilters;

    fn id(track: &TrackRow) -> i64 {
        track.id
    }

    fn rows(c: &mut Conn, event: &Event, req: &PageRequest) -> AppResult<(Vec<TrackRow>, i64)> {
        Ok(store::tracks_page(c, event.id, req)?)
    }

    fn find(c: &mut Conn, event: &Event, id: i64, _: bool) -> AppResult<TrackRow> {
        store::find_track(c, event.id, id)
    }

    fn out(_: &mut Conn, track: TrackRow, _: bool) -> AppResult<TrackOut> {
        Ok(TrackOut::from(track))
    }

    fn new_form(body: NewTrack, check: &mut Check) -> Option<TrackForm> {
        let name = check.required("name", body.name);
        let color = check.required("color", body.color);
        name.and_then(|name| TrackForm::check(name, color.as_deref(), check))
    }

    fn patch_form(track: &TrackRow, patch: TrackPatch, check: &mut Check) -> Option<TrackForm> {
        let name = patch
            .name
            .unwrap_or_else(|| Translatable::from_db(&track.name));
        let color = patch.color.unwrap_or_else(|| track.color.clone());
        TrackForm::check(name, Some(&color), check)
    }

    fn insert(c: &mut Conn, event: &Event, form: &TrackForm) -> AppResult<TrackRow> {
        store::insert_track(c, event.id, form)
    }

    fn update(c: &mut Conn, event: &Event, id: i64, form: &TrackForm) -> AppResult<TrackRow> {
        store::overwrite_track(c, event.id, id, form)
    }

    fn delete(c: &mut Conn, id: i64) -> AppResult<()> {
        Ok(store::delete_track(c, id)?)
    }
}

/// The tracks API.
pub fn routes(r: &mut crate::web::routes::Routes) {
    crate::events::children::routes::<Tracks>(r);
}
