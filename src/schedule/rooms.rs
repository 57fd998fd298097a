//! Rooms: `/api/v1/events/{slug}/rooms[/{id}]`. A room that sessions of the working copy are
//! scheduled in cannot be deleted (409 with a `room_in_use` conflict per session).

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit;
use crate::db::schema::{rooms, sessions};
use crate::db::Conn;
use crate::domain::schedule::{Conflict, ConflictKind};
use crate::domain::{search_text, Role, Translatable};
use crate::error::{AppError, AppResult, FieldError};
use crate::events::queries as events;
use crate::run;
use crate::web::identity::{OptionalOrganizer, Organizer};
use crate::web::json::{double_option, Json};
use crate::web::list::{ListParams, Page};
use crate::web::AppState;

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

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RoomOut {
    pub id: i64,
    pub name: Translatable,
    pub hall: Option<Translatable>,
    pub capacity: i32,
    pub created_at: DateTime<Utc>,
}

impl From<RoomRow> for RoomOut {
    fn from(r: RoomRow) -> Self {
        RoomOut {
            id: r.id,
            name: Translatable::from_db(&r.name),
            hall: r.hall.as_deref().map(Translatable::from_db),
            capacity: r.capacity,
            created_at: r.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoom {
    pub name: Translatable,
    #[serde(default)]
    pub hall: Option<Translatable>,
    /// Seats, 1 or more.
    pub capacity: i32,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomPatch {
    pub name: Option<Translatable>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Translatable>)]
    pub hall: Option<Option<Translatable>>,
    pub capacity: Option<i32>,
}

fn check_capacity(capacity: i32) -> AppResult<()> {
    if !(1..=1_000_000).contains(&capacity) {
        return Err(AppError::Validation(vec![FieldError::new(
            "capacity",
            "must be between 1 and 1000000",
        )]));
    }
    Ok(())
}

fn room_search(name: &Translatable, hall: Option<&Translatable>) -> String {
    let mut parts = name.texts();
    if let Some(h) = hall {
        parts.extend(h.texts());
    }
    search_text(parts)
}

pub fn find(c: &mut Conn, event_id: i64, room_id: i64) -> AppResult<RoomRow> {
    run!(c, |c| rooms::table
        .filter(rooms::event_id.eq(event_id))
        .filter(rooms::id.eq(room_id))
        .select(RoomRow::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| AppError::not_found(format!("no room {room_id} in this event")))
}

pub fn all_for_event(c: &mut Conn, event_id: i64) -> QueryResult<Vec<RoomRow>> {
    run!(c, |c| rooms::table
        .filter(rooms::event_id.eq(event_id))
        .order(rooms::id.asc())
        .select(RoomRow::as_select())
        .load(c))
}

pub fn insert(c: &mut Conn, event_id: i64, body: &NewRoom) -> AppResult<RoomRow> {
    check_capacity(body.capacity)?;
    let now = crate::db::now();
    let values = (
        rooms::event_id.eq(event_id),
        rooms::name.eq(body.name.to_db()),
        rooms::hall.eq(body.hall.as_ref().map(Translatable::to_db)),
        rooms::capacity.eq(body.capacity),
        rooms::search_text.eq(room_search(&body.name, body.hall.as_ref())),
        rooms::created_at.eq(now),
    );
    let id = run!(c, |c| diesel::insert_into(rooms::table)
        .values(values.clone())
        .returning(rooms::id)
        .get_result::<i64>(c))?;
    find(c, event_id, id)
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/rooms", tag = "rooms",
    params(("slug" = String, Path)), request_body = NewRoom,
    responses((status = 201, body = RoomOut), (status = 401), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    who: Organizer,
    slug: web::Path<String>,
    Json(body): Json<NewRoom>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let room = state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            let room = insert(c, event.id, &body)?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "create",
                "room",
                Some(room.id),
                serde_json::json!({}),
            )?;
            Ok(room)
        })
        .await?;
    Ok(HttpResponse::Created().json(RoomOut::from(room)))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/rooms", tag = "rooms",
    params(("slug" = String, Path), ListParams),
    responses((status = 200, body = Page<RoomOut>), (status = 404)))]
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
                    let mut q = rooms::table
                        .filter(rooms::event_id.eq(event.id))
                        .into_boxed();
                    if let Some(like) = &req.like {
                        q = q.filter(rooms::search_text.like(like.clone()).escape('\\'));
                    }
                    q
                };
                let q = if desc {
                    filtered().order(rooms::id.desc())
                } else {
                    filtered().order(rooms::id.asc())
                };
                let rows = q
                    .select(RoomRow::as_select())
                    .limit(req.per_page)
                    .offset(req.offset())
                    .load(c)?;
                let total: i64 = filtered().count().get_result(c)?;
                QueryResult::Ok((rows, total))
            })?;
            Ok(Page::new(
                rows.into_iter().map(RoomOut::from).collect(),
                total,
                &req,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/rooms/{id}", tag = "rooms",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = RoomOut), (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    who: OptionalOrganizer,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let drafts = who.can_view();
    let room = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, drafts)?;
            find(c, event.id, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(RoomOut::from(room)))
}

#[utoipa::path(patch, path = "/api/v1/events/{slug}/rooms/{id}", tag = "rooms",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = RoomPatch,
    responses((status = 200, body = RoomOut), (status = 401), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
    Json(patch): Json<RoomPatch>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    let room = state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            let current = find(c, event.id, id)?;
            let name = patch
                .name
                .unwrap_or_else(|| Translatable::from_db(&current.name));
            let hall = match patch.hall {
                Some(h) => h,
                None => current.hall.as_deref().map(Translatable::from_db),
            };
            let capacity = patch.capacity.unwrap_or(current.capacity);
            check_capacity(capacity)?;
            let changes = (
                rooms::name.eq(name.to_db()),
                rooms::hall.eq(hall.as_ref().map(Translatable::to_db)),
                rooms::capacity.eq(capacity),
                rooms::search_text.eq(room_search(&name, hall.as_ref())),
            );
            run!(c, |c| diesel::update(rooms::table.find(id))
                .set(changes.clone())
                .execute(c))?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "update",
                "room",
                Some(id),
                serde_json::json!({}),
            )?;
            find(c, event.id, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(RoomOut::from(room)))
}

#[utoipa::path(delete, path = "/api/v1/events/{slug}/rooms/{id}", tag = "rooms",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "sessions are scheduled in the room (`conflicts` of kind room_in_use)")),
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
            let used: Vec<i64> = run!(c, |c| sessions::table
                .filter(sessions::room_id.eq(id))
                .order(sessions::id.asc())
                .select(sessions::id)
                .load(c))?;
            if !used.is_empty() {
                let conflicts = used
                    .iter()
                    .map(|sid| Conflict {
                        kind: ConflictKind::RoomInUse,
                        session_id: Some(*sid),
                        with_session_id: None,
                        speaker_id: None,
                        message: format!(
                            "session {sid} is scheduled in this room; move or unschedule it first"
                        ),
                    })
                    .collect::<Vec<_>>();
                return Err(AppError::ScheduleConflict {
                    detail: format!("{} sessions are scheduled in this room", conflicts.len()),
                    conflicts,
                });
            }
            run!(c, |c| diesel::delete(rooms::table.find(id)).execute(c))?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "delete",
                "room",
                Some(id),
                serde_json::json!({}),
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
