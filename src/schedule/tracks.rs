//! Tracks: `/api/v1/events/{slug}/tracks[/{id}]`. Deleting a track leaves its sessions without one.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit;
use crate::db::schema::tracks;
use crate::db::Conn;
use crate::domain::{search_text, Role, Translatable};
use crate::error::{AppError, AppResult};
use crate::events::queries as events;
use crate::run;
use crate::web::identity::{OptionalOrganizer, Organizer};
use crate::web::json::Json;
use crate::web::list::{ListParams, Page};
use crate::web::AppState;

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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTrack {
    pub name: Translatable,
    #[schema(example = "#1f77b4")]
    pub color: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackPatch {
    pub name: Option<Translatable>,
    pub color: Option<String>,
}

fn check_color(color: &str) -> AppResult<String> {
    let ok = color.len() == 7
        && color.starts_with('#')
        && color[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(color.to_ascii_lowercase())
    } else {
        Err(AppError::validation(
            "color",
            "must be a colour like #1f77b4",
        ))
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

pub fn insert(c: &mut Conn, event_id: i64, body: &NewTrack) -> AppResult<TrackRow> {
    let color = check_color(&body.color)?;
    let values = (
        tracks::event_id.eq(event_id),
        tracks::name.eq(body.name.to_db()),
        tracks::color.eq(color),
        tracks::search_text.eq(search_text(body.name.texts())),
        tracks::created_at.eq(crate::db::now()),
    );
    let id = run!(c, |c| diesel::insert_into(tracks::table)
        .values(values.clone())
        .returning(tracks::id)
        .get_result::<i64>(c))?;
    find(c, event_id, id)
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/tracks", tag = "tracks",
    params(("slug" = String, Path)), request_body = NewTrack,
    responses((status = 201, body = TrackOut), (status = 401), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    who: Organizer,
    slug: web::Path<String>,
    Json(body): Json<NewTrack>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let track = state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            let track = insert(c, event.id, &body)?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "create",
                "track",
                Some(track.id),
                serde_json::json!({}),
            )?;
            Ok(track)
        })
        .await?;
    Ok(HttpResponse::Created().json(TrackOut::from(track)))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/tracks", tag = "tracks",
    params(("slug" = String, Path), ListParams),
    responses((status = 200, body = Page<TrackOut>), (status = 404)))]
pub async fn list(
    state: web::Data<AppState>,
    who: OptionalOrganizer,
    slug: web::Path<String>,
    params: crate::web::query::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let req = params.validate(&["created_at"])?;
    let drafts = who.can_view();
    let page = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, drafts)?;
            let desc = req.sort.as_ref().is_some_and(|(_, d)| *d);
            let (rows, total) = run!(c, |c| {
                let filtered = || {
                    let mut q = tracks::table
                        .filter(tracks::event_id.eq(event.id))
                        .into_boxed();
                    if let Some(like) = &req.like {
                        q = q.filter(tracks::search_text.like(like.clone()).escape('\\'));
                    }
                    q
                };
                let q = if desc {
                    filtered().order(tracks::id.desc())
                } else {
                    filtered().order(tracks::id.asc())
                };
                let rows = q
                    .select(TrackRow::as_select())
                    .limit(req.per_page)
                    .offset(req.offset())
                    .load(c)?;
                let total: i64 = filtered().count().get_result(c)?;
                QueryResult::Ok((rows, total))
            })?;
            Ok(Page::new(
                rows.into_iter().map(TrackOut::from).collect(),
                total,
                &req,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/tracks/{id}", tag = "tracks",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = TrackOut), (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    who: OptionalOrganizer,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let drafts = who.can_view();
    let track = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, drafts)?;
            find(c, event.id, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(TrackOut::from(track)))
}

#[utoipa::path(patch, path = "/api/v1/events/{slug}/tracks/{id}", tag = "tracks",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = TrackPatch,
    responses((status = 200, body = TrackOut), (status = 401), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
    Json(patch): Json<TrackPatch>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    let track = state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            let current = find(c, event.id, id)?;
            let name = patch
                .name
                .unwrap_or_else(|| Translatable::from_db(&current.name));
            let color = check_color(patch.color.as_deref().unwrap_or(&current.color))?;
            let changes = (
                tracks::name.eq(name.to_db()),
                tracks::color.eq(color),
                tracks::search_text.eq(search_text(name.texts())),
            );
            run!(c, |c| diesel::update(tracks::table.find(id))
                .set(changes.clone())
                .execute(c))?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "update",
                "track",
                Some(id),
                serde_json::json!({}),
            )?;
            find(c, event.id, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(TrackOut::from(track)))
}

#[utoipa::path(delete, path = "/api/v1/events/{slug}/tracks/{id}", tag = "tracks",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            find(c, event.id, id)?;
            run!(c, |c| diesel::update(crate::db::schema::sessions::table)
                .filter(crate::db::schema::sessions::track_id.eq(id))
                .set(crate::db::schema::sessions::track_id.eq(None::<i64>))
                .execute(c))?;
            run!(c, |c| diesel::delete(tracks::table.find(id)).execute(c))?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "delete",
                "track",
                Some(id),
                serde_json::json!({}),
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
