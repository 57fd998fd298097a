//! Tracks: `/api/v1/events/{slug}/tracks[/{id}]`, an event [`Child`]. Deleting a track leaves
//! its sessions without one.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::Settings;
use crate::db::schema::{sessions, tracks};
use crate::db::{Conn, PageRequest};
use crate::domain::text::{Check, Rule};
use crate::domain::{search_text, Translatable};
use crate::error::{AppError, AppResult};
use crate::events::children::{Child, NoFilters};
use crate::events::Event;
use crate::web::list::Page;
use crate::{paged, run};

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
    #[schema(required = true)]
    pub name: Option<Translatable>,
    #[schema(required = true, example = "#1f77b4")]
    pub color: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackPatch {
    pub name: Option<Translatable>,
    #[schema(example = "#1f77b4")]
    pub color: Option<String>,
}

/// A track's columns as written (insert and update).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = tracks)]
pub struct TrackForm {
    pub name: String,
    pub color: String,
    pub search_text: String,
}

impl TrackForm {
    /// Checks a track as it would be; every error goes to `check`.
    pub fn check(name: Translatable, color: Option<&str>, check: &mut Check) -> Option<TrackForm> {
        name.check("name", 200, check.errors());
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
            search_text: search_text(name.texts()),
            name: name.to_db(),
            color,
        })
    }
}

pub fn find(c: &mut Conn, event_id: i64, id: i64) -> AppResult<TrackRow> {
    run!(c, |c| tracks::table
        .filter(tracks::event_id.eq(event_id))
        .filter(tracks::id.eq(id))
        .select(TrackRow::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| AppError::not_found(format!("no track {id} in this event")))
}

pub fn all_for_event(c: &mut Conn, event_id: i64) -> QueryResult<Vec<TrackRow>> {
    run!(c, |c| tracks::table
        .filter(tracks::event_id.eq(event_id))
        .order(tracks::id.asc())
        .select(TrackRow::as_select())
        .load(c))
}

/// Stores a checked track.
pub fn insert(c: &mut Conn, event_id: i64, form: &TrackForm) -> AppResult<TrackRow> {
    let id = run!(c, |c| diesel::insert_into(tracks::table)
        .values((
            form.clone(),
            tracks::event_id.eq(event_id),
            tracks::created_at.eq(crate::db::now())
        ))
        .returning(tracks::id)
        .get_result::<i64>(c))?;
    find(c, event_id, id)
}

/// Tracks as an event's [`Child`]. Deleting a track leaves its sessions without one.
pub struct Tracks;

impl Child for Tracks {
    const NOUN: &'static str = "track";
    const SORTS: &'static [&'static str] = &["created_at"];
    type Row = TrackRow;
    type Out = TrackOut;
    type New = NewTrack;
    type Patch = TrackPatch;
    type Filters = NoFilters;

    fn id(row: &TrackRow) -> i64 {
        row.id
    }

    fn page(
        c: &mut Conn,
        event: &Event,
        req: &PageRequest,
        _: &NoFilters,
        _: bool,
    ) -> AppResult<Page<TrackOut>> {
        let desc = req.sort.as_ref().is_some_and(|(_, d)| *d);
        let (rows, total) = paged!(
            c,
            req,
            TrackRow,
            || {
                let mut q = tracks::table
                    .filter(tracks::event_id.eq(event.id))
                    .into_boxed();
                if let Some(like) = &req.like {
                    q = q.filter(tracks::search_text.like(like.clone()).escape('\\'));
                }
                q
            },
            |q| if desc {
                q.order(tracks::id.desc())
            } else {
                q.order(tracks::id.asc())
            }
        )?;
        Ok(Page::new(
            rows.into_iter().map(TrackOut::from).collect(),
            total,
            req,
        ))
    }

    fn find(c: &mut Conn, event: &Event, id: i64, _: bool) -> AppResult<TrackRow> {
        find(c, event.id, id)
    }

    fn out(_: &mut Conn, row: TrackRow, _: bool) -> AppResult<TrackOut> {
        Ok(TrackOut::from(row))
    }

    fn create(
        c: &mut Conn,
        _: &Settings,
        event: &Event,
        body: NewTrack,
        mut check: Check,
    ) -> AppResult<TrackRow> {
        let name = check.required("name", body.name);
        let color = check.required("color", body.color);
        let form = name.and_then(|name| TrackForm::check(name, color.as_deref(), &mut check));
        check.done().map_err(AppError::Validation)?;
        let form = form.ok_or_else(|| AppError::internal("track checked without a form"))?;
        insert(c, event.id, &form)
    }

    fn update(
        c: &mut Conn,
        _: &Settings,
        event: &Event,
        current: TrackRow,
        patch: TrackPatch,
        mut check: Check,
    ) -> AppResult<TrackRow> {
        let name = patch
            .name
            .unwrap_or_else(|| Translatable::from_db(&current.name));
        let color = patch.color.unwrap_or(current.color);
        let form = TrackForm::check(name, Some(&color), &mut check);
        check.done().map_err(AppError::Validation)?;
        let form = form.ok_or_else(|| AppError::internal("track checked without a form"))?;
        run!(c, |c| diesel::update(tracks::table.find(current.id))
            .set(form.clone())
            .execute(c))?;
        find(c, event.id, current.id)
    }

    fn delete(c: &mut Conn, _: &Event, track: TrackRow) -> AppResult<()> {
        run!(c, |c| diesel::update(sessions::table)
            .filter(sessions::track_id.eq(track.id))
            .set(sessions::track_id.eq(None::<i64>))
            .execute(c))?;
        run!(c, |c| diesel::delete(tracks::table.find(track.id))
            .execute(c))?;
        Ok(())
    }
}

crate::child_routes!(
    Tracks,
    tag = "tracks",
    list = "/api/v1/events/{slug}/tracks",
    item = "/api/v1/events/{slug}/tracks/{id}",
    new = NewTrack,
    patch = TrackPatch,
    out = TrackOut,
    filters = NoFilters,
    write_errors = [],
    delete_errors = []
);
