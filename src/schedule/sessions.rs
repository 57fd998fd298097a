//! Sessions: `/api/v1/events/{slug}/sessions[/{id}]`. Editors read and write the working copy;
//! every write runs the conflict checks of SPEC §5 in its own write transaction, after locking
//! the event row, so two concurrent writes into the same room and hour cannot both pass. The
//! public reads the latest release instead (see `releases`).

use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cache::{Body, Reader, PUBLIC_CACHE};
use super::conflicts::{self, Candidate};
use super::model::{SessionFilters, SessionForm, SessionKind, SessionRow};
use super::releases;
use super::store::{self, find_session, speaker_ids_of};
use crate::db::{Conn, Db, PageRequest};
use crate::domain::dates::ProgrammeTime;
use crate::domain::schedule::Conflict;
use crate::domain::text::Check;
use crate::domain::{search_text, Language, Role};
use crate::error::{AppError, AppResult, FieldError};
use crate::events::service::{self, Change, Record};
use crate::events::{store as events, Event};
use crate::web::identity::{OnItem, OptionalOrganizer, Organizer};
use crate::web::json::{double_option, Json};
use crate::web::list::{ListParams, Page};
use crate::web::{ItemPath, Reply, SlugPath, State};

/// A session of the working copy, as editors see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionOut {
    pub id: i64,
    pub title: String,
    #[serde(rename = "abstract")]
    pub abstract_text: Option<String>,
    pub kind: SessionKind,
    /// The language the session is held in (and its title and abstract written in).
    pub language: Language,
    pub track_id: Option<i64>,
    pub speaker_ids: Vec<i64>,
    pub room_id: Option<i64>,
    /// In the event's timezone.
    pub starts_at: Option<DateTime<FixedOffset>>,
    pub ends_at: Option<DateTime<FixedOffset>>,
    /// Seats; null means the room's capacity.
    pub capacity: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SessionOut {
    pub fn of(event: &Event, row: SessionRow, speaker_ids: Vec<i64>) -> Self {
        let r = row.form;
        SessionOut {
            id: row.id,
            title: r.title,
            abstract_text: r.abstract_text,
            kind: SessionKind::parse(&r.kind),
            language: r.language.parse().unwrap_or(event.default_language),
            track_id: r.track_id,
            speaker_ids,
            room_id: r.room_id,
            starts_at: r.starts_at.map(|t| event.local(t)),
            ends_at: r.ends_at.map(|t| event.local(t)),
            capacity: r.capacity,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        }
    }
}

/// The answer to a session write: the session and the warnings it raised.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionWritten {
    #[serde(flatten)]
    pub session: SessionOut,
    pub warnings: Vec<Conflict>,
}

/// A new session, as sent (checked by the parse step of [`save_with`]).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    #[schema(required = true, nullable = false)]
    pub title: Option<String>,
    #[serde(default, rename = "abstract")]
    pub abstract_text: Option<String>,
    #[schema(required = true, nullable = false)]
    pub kind: Option<SessionKind>,
    /// The language the session is held in.
    #[schema(required = true, nullable = false)]
    pub language: Option<Language>,
    #[serde(default)]
    pub track_id: Option<i64>,
    #[serde(default)]
    pub speaker_ids: Vec<i64>,
    /// Room, start and end are given together (scheduled) or not at all (unscheduled).
    #[serde(default)]
    pub room_id: Option<i64>,
    /// RFC 3339 with an offset, or the fair's local time without one (`2027-02-22T09:00`).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2027-02-22T09:00")]
    pub starts_at: Option<ProgrammeTime>,
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2027-02-22T10:00")]
    pub ends_at: Option<ProgrammeTime>,
    #[serde(default)]
    #[schema(minimum = 1)]
    pub capacity: Option<i32>,
}

/// Every member optional; `null` clears the nullable ones (all three of room, start and end
/// together unschedule the session).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionPatch {
    pub title: Option<String>,
    #[serde(default, rename = "abstract", deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub abstract_text: Option<Option<String>>,
    pub kind: Option<SessionKind>,
    pub language: Option<Language>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub track_id: Option<Option<i64>>,
    pub speaker_ids: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>)]
    pub room_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub starts_at: Option<Option<ProgrammeTime>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub ends_at: Option<Option<ProgrammeTime>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    #[schema(minimum = 1)]
    pub capacity: Option<Option<i32>>,
}

/// A session as a write wants it, before the checks that need the database: its columns as
/// they will be written (times in UTC; the search text is made when it is saved) and its
/// speakers.
#[derive(Debug, Clone)]
pub struct Draft {
    pub form: SessionForm,
    pub speaker_ids: Vec<i64>,
}

/// A programme time in UTC, a local one read in the fair's time zone; one that does not exist
/// there (the clocks skip it) is noted in `check` at `field`.
fn utc(
    t: Option<ProgrammeTime>,
    field: &str,
    event: &Event,
    check: &mut Check,
) -> Option<NaiveDateTime> {
    match t.map(|t| t.utc(event.timezone)) {
        Some(Ok(t)) => Some(t),
        Some(Err(message)) => {
            check.push(FieldError::new(field, message));
            None
        }
        None => None,
    }
}

impl Draft {
    /// A new session's draft; a missing required member is noted in `check` (and the draft
    /// holds a stand-in the parse step will not report again).
    pub fn from_new(b: NewSession, event: &Event, check: &mut Check) -> Draft {
        let title = check.required("title", b.title).unwrap_or_default();
        let kind = check.required("kind", b.kind);
        let language = check.required("language", b.language);
        let form = SessionForm {
            title,
            abstract_text: b.abstract_text,
            kind: kind.unwrap_or(SessionKind::Seminar).as_str().to_string(),
            language: language
                .unwrap_or(event.default_language)
                .code()
                .to_string(),
            track_id: b.track_id,
            room_id: b.room_id,
            starts_at: utc(b.starts_at, "starts_at", event, check),
            ends_at: utc(b.ends_at, "ends_at", event, check),
            capacity: b.capacity,
            search_text: String::new(),
        };
        Draft {
            form,
            speaker_ids: b.speaker_ids,
        }
    }
}

impl Draft {
    /// A session scheduled in `room_id` over `times` (UTC), as an import or the demo writes it;
    /// its abstract, track, speakers and capacity are set on the draft after.
    pub fn scheduled(
        title: String,
        kind: SessionKind,
        language: Language,
        room_id: i64,
        times: (NaiveDateTime, NaiveDateTime),
    ) -> Draft {
        let form = SessionForm {
            title,
            abstract_text: None,
            kind: kind.as_str().to_string(),
            language: language.code().to_string(),
            track_id: None,
            room_id: Some(room_id),
            starts_at: Some(times.0),
            ends_at: Some(times.1),
            capacity: None,
            search_text: String::new(),
        };
        Draft {
            form,
            speaker_ids: vec![],
        }
    }

    fn of(r: &SessionForm, speaker_ids: Vec<i64>) -> Draft {
        Draft {
            form: r.clone(),
            speaker_ids,
        }
    }

    fn apply(mut self, p: SessionPatch, event: &Event, check: &mut Check) -> Draft {
        fn set<T>(slot: &mut T, value: Option<T>) {
            if let Some(v) = value {
                *slot = v;
            }
        }
        let form = &mut self.form;
        set(&mut form.title, p.title);
        set(&mut form.abstract_text, p.abstract_text);
        set(&mut form.kind, p.kind.map(|k| k.as_str().to_string()));
        set(&mut form.language, p.language.map(|l| l.code().to_string()));
        set(&mut form.track_id, p.track_id);
        set(&mut self.speaker_ids, p.speaker_ids);
        set(&mut form.room_id, p.room_id);
        set(&mut form.capacity, p.capacity);
        if let Some(v) = p.starts_at {
            form.starts_at = utc(v, "starts_at", event, check);
        }
        if let Some(v) = p.ends_at {
            form.ends_at = utc(v, "ends_at", event, check);
        }
        self
    }

    /// Field checks, including that referenced rooms, tracks and speakers belong to the event;
    /// `check` holds what was found before (and is reported with the rest).
    fn validate(&mut self, c: &mut Conn, event: &Event, check: Check) -> AppResult<()> {
        let skip_title = check.has("title");
        let mut errors = check.into_errors();
        if !skip_title {
            self.form.title =
                crate::domain::text::short_text("title", &self.form.title, 300, &mut errors);
        }
        self.form.abstract_text = self
            .form
            .abstract_text
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string);
        if self
            .form
            .abstract_text
            .as_ref()
            .is_some_and(|a| a.chars().count() > 10_000)
        {
            errors.push(FieldError::new(
                "abstract",
                "must be at most 10000 characters",
            ));
        }
        if let Some(cap) = self.form.capacity {
            if cap < 1 {
                errors.push(FieldError::new(
                    "capacity",
                    "must be 1 or more, or null for the room's",
                ));
            }
        }
        let scheduled = [
            self.form.room_id.is_some(),
            self.form.starts_at.is_some(),
            self.form.ends_at.is_some(),
        ];
        if scheduled.iter().any(|s| *s) && !scheduled.iter().all(|s| *s) {
            for (name, set) in ["room_id", "starts_at", "ends_at"].iter().zip(scheduled) {
                if !set && !errors.iter().any(|e| e.field == *name) {
                    errors.push(FieldError::new(*name, "is required to schedule the session (room_id, starts_at and ends_at go together)"));
                }
            }
        }
        if let Some(room) = self.form.room_id {
            if store::find_room(c, event.id, room).is_err() {
                errors.push(FieldError::new(
                    "room_id",
                    format!("no room {room} in this event"),
                ));
            }
        }
        if let Some(track) = self.form.track_id {
            if store::find_track(c, event.id, track).is_err() {
                errors.push(FieldError::new(
                    "track_id",
                    format!("no track {track} in this event"),
                ));
            }
        }
        let known: Vec<i64> = store::speakers_among(c, event.id, &self.speaker_ids)?
            .into_iter()
            .map(|s| s.id)
            .collect();
        for (i, id) in self.speaker_ids.iter().enumerate() {
            if !known.contains(id) {
                errors.push(FieldError::new(
                    format!("speaker_ids.{i}"),
                    format!("no speaker {id} in this event"),
                ));
            } else if self.speaker_ids[..i].contains(id) {
                errors.push(FieldError::new(
                    format!("speaker_ids.{i}"),
                    "is listed twice",
                ));
            }
        }
        if self.speaker_ids.len() > 50 {
            errors.push(FieldError::new("speaker_ids", "at most 50 speakers"));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(errors))
        }
    }

    fn search(&self) -> String {
        let mut parts = vec![self.form.title.as_str()];
        parts.extend(self.form.abstract_text.as_deref());
        search_text(parts)
    }
}

/// Validates, checks for conflicts and writes a session (new when `id` is `None`). Must run in
/// a write transaction that has locked the event (`events::lock`). Returns the session and its
/// warnings; hard conflicts are a 409 and write nothing.
pub fn save(
    c: &mut Conn,
    event: &Event,
    id: Option<i64>,
    draft: Draft,
    buffer: Duration,
) -> AppResult<(SessionOut, Vec<Conflict>)> {
    save_with(c, event, id, draft, buffer, Check::default())
}

/// [`save`], reporting the errors already in `check` with the parse step's own.
pub fn save_with(
    c: &mut Conn,
    event: &Event,
    id: Option<i64>,
    mut draft: Draft,
    buffer: Duration,
    check: Check,
) -> AppResult<(SessionOut, Vec<Conflict>)> {
    draft.validate(c, event, check)?;
    let mut warnings = Vec::new();
    if let (Some(room_id), Some(starts_at), Some(ends_at)) =
        (draft.form.room_id, draft.form.starts_at, draft.form.ends_at)
    {
        let candidate = Candidate {
            session_id: id,
            room_id,
            starts_at,
            ends_at,
            speaker_ids: draft.speaker_ids.clone(),
            capacity: draft.form.capacity,
        };
        let found = conflicts::check(c, event, &candidate, buffer)?;
        if !found.conflicts.is_empty() {
            return Err(AppError::ScheduleConflict {
                detail: match found.conflicts.len() {
                    1 => "the session would create a schedule conflict".to_string(),
                    n => format!("the session would create {n} schedule conflicts"),
                },
                conflicts: found.conflicts,
            });
        }
        warnings = found.warnings;
    }
    let search = draft.search();
    let form = SessionForm {
        search_text: search,
        ..draft.form
    };
    let id = store::save_session(c, event.id, id, &form, &draft.speaker_ids)?;
    let row = find_session(c, event.id, id)?;
    let warnings = warnings
        .into_iter()
        .map(|mut w| {
            w.session_id = Some(id);
            w
        })
        .collect();
    Ok((SessionOut::of(event, row, draft.speaker_ids), warnings))
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/sessions", tag = "sessions",
    params(("slug" = String, Path)), request_body = NewSession,
    responses((status = 201, body = SessionWritten), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "hard schedule conflicts, listed in `conflicts`"), (status = 422)),
    security(("bearer" = [])))]
pub async fn create(state: State, who: Organizer, slug: SlugPath, body: Json<NewSession>) -> Reply {
    let (body, check) = body.into_parts().await?;
    let buffer = state.settings.schedule.speaker_buffer;
    let written = add(
        &state.db,
        &who,
        slug.into_inner(),
        body,
        check,
        buffer,
        false,
    )
    .await?;
    Ok(HttpResponse::Created().json(written))
}

#[utoipa::path(patch, path = "/api/v1/events/{slug}/sessions/{id}", tag = "sessions",
    params(("slug" = String, Path), ("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag of the session this change is based on")), request_body = SessionPatch,
    responses((status = 200, body = SessionWritten), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "hard schedule conflicts, listed in `conflicts`"),
        (status = 412, description = "`If-Match` names a version the session no longer has"), (status = 422)),
    security(("bearer" = [])))]
pub async fn update(on: OnItem, req: HttpRequest, body: Json<SessionPatch>) -> Reply {
    let (patch, check) = body.into_parts().await?;
    let buffer = on.state.settings.schedule.speaker_buffer;
    let expected = crate::web::if_match(&req);
    let (db, who) = (&on.state.db, &on.who);
    let written = change(db, who, on.slug, on.id, patch, check, buffer, expected).await?;
    Ok(HttpResponse::Ok().json(written))
}

#[utoipa::path(delete, path = "/api/v1/events/{slug}/sessions/{id}", tag = "sessions",
    params(("slug" = String, Path), ("id" = i64, Path), ("If-Match" = Option<String>, Header, description = "the ETag of the session this deletion is based on")),
    responses((status = 204, description = "deleted from the working copy; the next release lists it as cancelled"),
        (status = 401), (status = 403), (status = 404), (status = 412, description = "`If-Match` names a version the session no longer has")),
    security(("bearer" = [])))]
pub async fn delete(on: OnItem, req: HttpRequest) -> Reply {
    let expected = crate::web::if_match(&req);
    remove(&on.state.db, &on.who, on.slug, on.id, expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A session's version, as its `ETag` and a console form carry it: any write makes another.
pub fn version(row: &SessionRow) -> String {
    row.updated_at.and_utc().timestamp_micros().to_string()
}

/// 412 unless the session is still at `expected` (none: any version).
fn check_version(row: &SessionRow, expected: Option<&str>) -> AppResult<()> {
    match expected {
        Some(v) if v != version(row) => Err(AppError::PreconditionFailed(format!(
            "session {} was changed at {} UTC since this version",
            row.id,
            row.updated_at.format("%Y-%m-%d %H:%M:%S")
        ))),
        _ => Ok(()),
    }
}

/// An editor adds a session to the working copy of the fair `slug`; its warnings come back
/// with it, hard conflicts are a 409 that writes nothing. With `whole_hall`, the same session
/// (a break, say) is added to every room of its room's hall too, all or none of them; the
/// first one comes back.
pub async fn add(
    db: &Db,
    who: &Organizer,
    slug: String,
    body: NewSession,
    mut check: Check,
    buffer: Duration,
    whole_hall: bool,
) -> AppResult<SessionWritten> {
    who.require(Role::Editor)?;
    service::change(
        db,
        who,
        slug,
        Change::new("create", "session"),
        move |c, event| {
            let siblings = match (whole_hall, body.room_id) {
                (true, Some(room)) => {
                    let hall = store::find_room(c, event.id, room)?.hall;
                    store::rooms_of_event(c, event.id)?
                        .into_iter()
                        .filter(|r| r.id != room && hall.is_some() && r.hall == hall)
                        .map(|r| r.id)
                        .collect()
                }
                _ => Vec::new(),
            };
            let draft = Draft::from_new(body.clone(), event, &mut check);
            let (session, warnings) = save_with(c, event, None, draft, buffer, check)?;
            let mut ids = vec![session.id];
            for room in siblings {
                let copy = NewSession {
                    room_id: Some(room),
                    ..body.clone()
                };
                let mut check = Check::default();
                let draft = Draft::from_new(copy, event, &mut check);
                ids.push(save_with(c, event, None, draft, buffer, check)?.0.id);
            }
            let record = Record {
                id: Some(session.id),
                details: serde_json::json!({ "sessions": ids }),
            };
            Ok((SessionWritten { session, warnings }, record))
        },
    )
    .await
}

/// An editor's change to session `id` of the fair `slug` (at version `expected`, when given):
/// `f` gets the locked fair and the session as it is; audited as `action`.
async fn edit<T, F>(
    db: &Db,
    who: &Organizer,
    (slug, id): (String, i64),
    expected: Option<String>,
    action: &'static str,
    f: F,
) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Conn, &Event, SessionRow) -> AppResult<T> + Send + 'static,
{
    who.require(Role::Editor)?;
    service::change(
        db,
        who,
        slug,
        Change::new(action, "session"),
        move |c, event| {
            let row = find_session(c, event.id, id)?;
            check_version(&row, expected.as_deref())?;
            Ok((f(c, event, row)?, Record::of(id)))
        },
    )
    .await
}

/// An editor changes session `id` of the fair `slug` (at version `expected`, when given), as
/// [`add`] checks a new one.
#[allow(clippy::too_many_arguments)]
pub async fn change(
    db: &Db,
    who: &Organizer,
    slug: String,
    id: i64,
    patch: SessionPatch,
    mut check: Check,
    buffer: Duration,
    expected: Option<String>,
) -> AppResult<SessionWritten> {
    edit(
        db,
        who,
        (slug, id),
        expected,
        "update",
        move |c, event, row| {
            let speakers = speaker_ids_of(c, &[id])?.remove(&id).unwrap_or_default();
            let draft = Draft::of(&row.form, speakers).apply(patch, event, &mut check);
            let (session, warnings) = save_with(c, event, Some(id), draft, buffer, check)?;
            Ok(SessionWritten { session, warnings })
        },
    )
    .await
}

/// An editor deletes session `id` from the working copy (the next release lists it as
/// cancelled).
pub async fn remove(
    db: &Db,
    who: &Organizer,
    slug: String,
    id: i64,
    expected: Option<String>,
) -> AppResult<()> {
    edit(db, who, (slug, id), expected, "delete", move |c, _, _| {
        Ok(store::delete_session(c, id)?)
    })
    .await
}

/// The sort keys of the session lists.
pub const SORTS: &[&str] = &["starts_at", "title", "created_at"];

fn working_copy_page(
    c: &mut Conn,
    event: &Event,
    req: &PageRequest,
    f: &SessionFilters,
) -> AppResult<Page<SessionOut>> {
    let (rows, total) = store::sessions_page(c, event.id, req, f)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut speakers = speaker_ids_of(c, &ids)?;
    let items = rows
        .into_iter()
        .map(|r| {
            let sp = speakers.remove(&r.id).unwrap_or_default();
            SessionOut::of(event, r, sp)
        })
        .collect();
    Ok(Page::new(items, total, req))
}

/// What `GET …/sessions` answers: organizers get the working copy, the public the latest
/// release (the JSON is the page itself: one schema or the other).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum SessionPage {
    WorkingCopy(Page<SessionOut>),
    Released(Page<super::releases::PublishedSession>),
}

/// What `GET …/sessions/{id}` answers: the working copy's session or the released one.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum SessionView {
    WorkingCopy(SessionOut),
    Released(super::releases::PublishedSession),
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/sessions", tag = "sessions",
    params(("slug" = String, Path), ListParams, SessionFilters),
    responses((status = 200, body = SessionPage, description = "organizers (viewer and up): the working copy; the public: the sessions of the latest release (`PublishedSession`). sort: starts_at, title, created_at"),
        (status = 404)))]
pub async fn list(reader: Reader, who: OptionalOrganizer, slug: SlugPath) -> Reply {
    let Reader {
        state,
        cache,
        req: http,
    } = reader;
    if !who.can_view() {
        // The public reads the latest release from memory; each distinct query is written
        // once, and a query answered before is answered again without being read again.
        let entry = cache.get(&state.db, &slug).await?;
        let key = format!("sessions?{}", http.query_string());
        if let Some(body) = entry.cached(&key) {
            return Ok(body.respond(&http, "application/json", PUBLIC_CACHE));
        }
        let params: ListParams = crate::web::query::parse(http.query_string())?;
        let filters: SessionFilters = crate::web::query::parse(http.query_string())?;
        let searching = params.q.is_some();
        let req = params.validate(SORTS)?;
        let write = || -> AppResult<Vec<u8>> {
            let sessions = entry
                .release
                .as_ref()
                .map(|r| r.snapshot.sessions.clone())
                .unwrap_or_default();
            let page = SessionPage::Released(releases::public_page(sessions, &req, &filters));
            Ok(serde_json::to_vec(&page).map_err(anyhow::Error::from)?)
        };
        // Searches are as many as their words: answered, not kept.
        let body = if searching {
            Body::new(write()?)
        } else {
            entry.body(&key, write)?
        };
        return Ok(body.respond(&http, "application/json", PUBLIC_CACHE));
    }
    let params: ListParams = crate::web::query::parse(http.query_string())?;
    let filters: SessionFilters = crate::web::query::parse(http.query_string())?;
    let req = params.validate(SORTS)?;
    let page = state
        .db
        .run(move |c| {
            c.read_tx(|c| {
                let event = events::visible(c, &slug, true)?;
                working_copy_page(c, &event, &req, &filters)
            })
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
        .json(SessionPage::WorkingCopy(page)))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/sessions/{id}", tag = "sessions",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = SessionView, description = "organizers: the working copy; the public: the latest release's `PublishedSession`"), (status = 404)))]
pub async fn get(state: State, who: OptionalOrganizer, path: ItemPath) -> Reply {
    let (slug, id) = path.into_inner();
    let organizer = who.can_view();
    let (body, etag) = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, organizer)?;
            if organizer {
                let row = find_session(c, event.id, id)?;
                let etag = crate::web::etag(&version(&row));
                let sp = speaker_ids_of(c, &[id])?.remove(&id).unwrap_or_default();
                let out = SessionView::WorkingCopy(SessionOut::of(&event, row, sp));
                return Ok((out, Some(etag)));
            }
            let published = releases::latest(c, event.id)?
                .and_then(|r| r.snapshot.sessions.into_iter().find(|s| s.id == id))
                .ok_or_else(|| {
                    AppError::not_found(format!("no session {id} in the published programme"))
                })?;
            Ok((SessionView::Released(published), None))
        })
        .await?;
    let mut res = HttpResponse::Ok();
    if let Some(etag) = etag {
        res.insert_header((actix_web::http::header::ETAG, etag));
    }
    Ok(res.json(body))
}

/// The sessions API.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.list(__path_list, list, SORTS);
    r.add(__path_create, create);
    r.add(__path_get, get);
    r.add(__path_update, update);
    r.add(__path_delete, delete);
}
