//! Rooms: `/api/v1/events/{slug}/rooms[/{id}]`, an event [`Child`]. A room that sessions of
//! the working copy are scheduled in cannot be deleted (409 with a `room_in_use` conflict per
//! session).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{name_columns, RoomForm, RoomRow};
use super::store;
use crate::db::{Conn, PageRequest};
use crate::domain::schedule::{Conflict, ConflictKind};
use crate::domain::text::Check;
use crate::domain::Translatable;
use crate::error::{AppError, AppResult};
use crate::events::children::{Child, NoFilters};
use crate::events::Event;
use crate::web::json::double_option;

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

/// A new room, as sent (checked by [`Rooms::create`], every error at once).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRoom {
    #[schema(required = true, nullable = false)]
    pub name: Option<Translatable>,
    pub hall: Option<Translatable>,
    /// Seats, 1 to 1 000 000.
    #[schema(required = true, nullable = false)]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub capacity: Option<i32>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoomPatch {
    pub name: Option<Translatable>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<Translatable>)]
    pub hall: Option<Option<Translatable>>,
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub capacity: Option<i32>,
}

impl RoomForm {
    /// Checks a room as it would be; every error goes to `check`.
    pub fn check(
        name: Translatable,
        hall: Option<Translatable>,
        capacity: Option<i32>,
        check: &mut Check,
    ) -> Option<RoomForm> {
        let (name, search_text) = name_columns(&name, hall.as_ref(), check);
        if let Some(h) = &hall {
            h.check("hall", 200, check.errors());
        }
        let capacity = check.range("capacity", capacity.map(i64::from), 1, 1_000_000)? as i32;
        Some(RoomForm {
            name,
            hall: hall.as_ref().map(Translatable::to_db),
            capacity,
            search_text,
        })
    }
}

/// Rooms as an event's [`Child`].
pub struct Rooms;

impl Child for Rooms {
    const NOUN: &'static str = "room";
    const SORTS: &'static [&'static str] = &["created_at"];
    const TAG: &'static str = "rooms";
    const LIST_PATH: &'static str = "/api/v1/events/{slug}/rooms";
    const DELETE_ERRORS: &'static [(&'static str, &'static str)] = &[(
        "409",
        "sessions are scheduled in the room (`conflicts` of kind room_in_use)",
    )];
    type Row = RoomRow;
    type Out = RoomOut;
    type New = NewRoom;
    type Patch = RoomPatch;
    type Form = RoomForm;
    type Filters = NoFilters;

    fn id(room: &RoomRow) -> i64 {
        room.id
    }

    fn rows(c: &mut Conn, event: &Event, req: &PageRequest) -> AppResult<(Vec<RoomRow>, i64)> {
        Ok(store::rooms_page(c, event.id, req)?)
    }

    fn find(c: &mut Conn, event: &Event, id: i64, _: bool) -> AppResult<RoomRow> {
        store::find_room(c, event.id, id)
    }

    fn out(_: &mut Conn, room: RoomRow, _: bool) -> AppResult<RoomOut> {
        Ok(RoomOut::from(room))
    }

    fn new_form(body: NewRoom, check: &mut Check) -> Option<RoomForm> {
        let name = check.required("name", body.name);
        let capacity = check.required("capacity", body.capacity);
        name.and_then(|name| RoomForm::check(name, body.hall, capacity, check))
    }

    fn patch_form(room: &RoomRow, patch: RoomPatch, check: &mut Check) -> Option<RoomForm> {
        let name = patch
            .name
            .unwrap_or_else(|| Translatable::from_db(&room.name));
        let hall = patch
            .hall
            .unwrap_or_else(|| room.hall.as_deref().map(Translatable::from_db));
        let capacity = patch.capacity.or(Some(room.capacity));
        RoomForm::check(name, hall, capacity, check)
    }

    fn insert(c: &mut Conn, event: &Event, form: &RoomForm) -> AppResult<RoomRow> {
        store::insert_room(c, event.id, form)
    }

    fn update(c: &mut Conn, event: &Event, id: i64, form: &RoomForm) -> AppResult<RoomRow> {
        store::overwrite_room(c, event.id, id, form)
    }

    /// Refused (409, a `room_in_use` conflict per session) while sessions are scheduled in it.
    fn delete(c: &mut Conn, id: i64) -> AppResult<()> {
        let used = store::sessions_in_room(c, id)?;
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
        Ok(store::delete_room(c, id)?)
    }
}

/// The rooms API.
pub fn routes(r: &mut crate::web::routes::Routes) {
    crate::events::children::routes::<Rooms>(r);
}
