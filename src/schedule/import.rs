//! `POST /api/v1/events/{slug}/schedule/import` (editor): a programme exported by pretalx,
//! frab or Salon — c3voc schedule JSON (`application/json`) or frab XML (`application/xml`,
//! `text/xml`) — read into the working copy, all or nothing.
//!
//! Rooms, tracks and speakers are matched by name with what the fair already has (in any of
//! its languages) and created when missing: imported rooms get [`ROOM_CAPACITY`] seats, as the
//! formats carry none (Salon's own export does, and is read back). Every session goes through
//! the conflict rules of SPEC §5; if any conflicts, the answer is a 409 listing every conflict
//! and nothing is written. The import does not publish: a release does.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{RoomForm, SessionKind, SpeakerForm, TrackForm};
use super::sessions::{self, Draft};
use super::store;
use crate::audit;
use crate::calendar::{c3voc, frab, Imported};
use crate::db::Conn;
use crate::domain::text::Check;
use crate::domain::{Language, Role, Translatable};
use crate::error::{AppError, AppResult, FieldError};
use crate::events::{store as events, Event};
use crate::web::identity::Organizer;
use crate::web::{Reply, SlugPath, State};

/// Seats of a room the imported file creates without saying its capacity.
pub const ROOM_CAPACITY: i32 = 100;

/// The largest programme file accepted, in bytes (413 above).
pub const IMPORT_LIMIT: usize = 4 * 1024 * 1024;

/// What an import wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportOut {
    pub rooms_created: usize,
    pub tracks_created: usize,
    pub speakers_created: usize,
    pub sessions_created: usize,
}

fn checked<T>(value: Option<T>, check: Check, what: &str) -> AppResult<T> {
    let errors = check.into_errors();
    match value {
        Some(v) if errors.is_empty() => Ok(v),
        _ => Err(AppError::Validation(
            errors
                .into_iter()
                .map(|e| FieldError::new(format!("{what}.{}", e.field), e.message))
                .collect(),
        )),
    }
}

/// The names a translatable text has, in every language.
fn names(t: &Translatable, event: &Event) -> Vec<String> {
    let mut out: Vec<String> = Language::ALL
        .iter()
        .map(|l| t.get(*l, event.default_language).trim().to_lowercase())
        .collect();
    out.dedup();
    out
}

/// Writes `imported` into the working copy of `event` (locked by the caller).
pub fn apply(
    c: &mut Conn,
    event: &Event,
    imported: Imported,
    buffer: std::time::Duration,
) -> AppResult<ImportOut> {
    let mut out = ImportOut {
        rooms_created: 0,
        tracks_created: 0,
        speakers_created: 0,
        sessions_created: 0,
    };
    let mut room_ids: HashMap<String, i64> = HashMap::new();
    for r in store::rooms_of_event(c, event.id)? {
        for n in names(&Translatable::from_db(&r.name), event) {
            room_ids.entry(n).or_insert(r.id);
        }
    }
    for (i, r) in imported.rooms.iter().enumerate() {
        let key = r.name.trim().to_lowercase();
        if room_ids.contains_key(&key) {
            continue;
        }
        let mut check = Check::default();
        let form = RoomForm::check(
            Translatable::Same(r.name.clone()),
            None,
            Some(r.capacity.unwrap_or(ROOM_CAPACITY)),
            &mut check,
        );
        let form = checked(form, check, &format!("rooms.{i}"))?;
        room_ids.insert(key, store::insert_room(c, event.id, &form)?.id);
        out.rooms_created += 1;
    }
    let mut track_ids: HashMap<String, i64> = HashMap::new();
    for t in store::tracks_of_event(c, event.id)? {
        for n in names(&Translatable::from_db(&t.name), event) {
            track_ids.entry(n).or_insert(t.id);
        }
    }
    for (i, t) in imported.tracks.iter().enumerate() {
        let key = t.name.trim().to_lowercase();
        if track_ids.contains_key(&key) {
            continue;
        }
        let mut check = Check::default();
        let color = t.color.clone().unwrap_or_else(|| "#607d8b".into());
        let form = TrackForm::check(Translatable::Same(t.name.clone()), Some(&color), &mut check);
        let form = checked(form, check, &format!("tracks.{i}"))?;
        track_ids.insert(key, store::insert_track(c, event.id, &form)?.id);
        out.tracks_created += 1;
    }
    let mut speaker_by_name: HashMap<String, i64> = HashMap::new();
    for s in store::speakers_of_event(c, event.id)? {
        speaker_by_name
            .entry(s.name.trim().to_lowercase())
            .or_insert(s.id);
    }
    let mut speaker_ids: HashMap<String, i64> = HashMap::new();
    for (i, s) in imported.speakers.iter().enumerate() {
        let key = s.name.trim().to_lowercase();
        let id = match speaker_by_name.get(&key) {
            Some(id) => *id,
            None => {
                let mut check = Check::default();
                let form = SpeakerForm::check(
                    Some(s.name.clone()),
                    None,
                    s.organization.as_deref(),
                    s.bio.as_deref(),
                    &mut check,
                );
                let form = checked(form, check, &format!("speakers.{i}"))?;
                let id = store::insert_speaker(c, event.id, &form)?.id;
                speaker_by_name.insert(key, id);
                out.speakers_created += 1;
                id
            }
        };
        speaker_ids.insert(s.key.clone(), id);
    }
    let mut conflicts = Vec::new();
    for (i, s) in imported.sessions.into_iter().enumerate() {
        let field = |f: &str| format!("sessions.{i}.{f}");
        let room_id = *room_ids.get(&s.room.trim().to_lowercase()).ok_or_else(|| {
            AppError::Validation(vec![FieldError::new(field("room"), "unknown room")])
        })?;
        let track_id = match &s.track {
            Some(t) if !t.trim().is_empty() => {
                Some(*track_ids.get(&t.trim().to_lowercase()).ok_or_else(|| {
                    AppError::Validation(vec![FieldError::new(field("track"), "unknown track")])
                })?)
            }
            _ => None,
        };
        let speakers = s
            .speaker_keys
            .iter()
            .map(|k| {
                speaker_ids.get(k).copied().ok_or_else(|| {
                    AppError::Validation(vec![FieldError::new(field("persons"), "unknown person")])
                })
            })
            .collect::<AppResult<Vec<i64>>>()?;
        let language = s
            .language
            .as_deref()
            .and_then(|l| l.get(..2))
            .and_then(|l| l.parse().ok())
            .unwrap_or(event.default_language);
        let times = (s.starts_at.naive_utc(), s.ends_at.naive_utc());
        let kind = SessionKind::parse(&s.kind);
        let mut draft = Draft::scheduled(s.title, kind, language, room_id, times);
        draft.form.abstract_text = s.abstract_text.filter(|a| !a.trim().is_empty());
        draft.form.track_id = track_id;
        draft.form.capacity = s.capacity;
        draft.speaker_ids = speakers;
        match sessions::save(c, event, None, draft, buffer) {
            Ok(_) => out.sessions_created += 1,
            Err(AppError::ScheduleConflict {
                conflicts: found, ..
            }) => conflicts.extend(found),
            Err(AppError::Validation(errors)) => {
                return Err(AppError::Validation(
                    errors
                        .into_iter()
                        .map(|e| FieldError::new(field(&e.field), e.message))
                        .collect(),
                ))
            }
            Err(other) => return Err(other),
        }
    }
    if !conflicts.is_empty() {
        return Err(AppError::ScheduleConflict {
            detail: match conflicts.len() {
                1 => "the imported programme has a schedule conflict; nothing was imported"
                    .to_string(),
                n => format!(
                    "the imported programme has {n} schedule conflicts; nothing was imported"
                ),
            },
            conflicts,
        });
    }
    Ok(out)
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/schedule/import", tag = "schedule",
    params(("slug" = String, Path)),
    request_body(description = "a c3voc schedule JSON (`application/json`) or a frab schedule XML (`application/xml`), e.g. a pretalx, frab or Salon export", content(
        (String = "application/json"), (String = "application/xml"))),
    responses((status = 201, body = ImportOut, description = "imported into the working copy (not yet released)"),
        (status = 400, description = "not JSON or XML at all"), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "schedule conflicts, every one listed in `conflicts`; nothing imported"),
        (status = 413), (status = 415, description = "neither JSON nor XML"), (status = 422, description = "a required field is missing or malformed, named in `errors`")),
    security(("bearer" = [])))]
pub async fn import(
    state: State,
    who: Organizer,
    req: HttpRequest,
    slug: SlugPath,
    payload: web::Payload,
) -> Reply {
    who.require(Role::Editor)?;
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .map(|e| e.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let json = essence == "application/json" || essence.ends_with("+json");
    let xml = essence == "application/xml" || essence == "text/xml" || essence.ends_with("+xml");
    if !json && !xml {
        return Err(AppError::UnsupportedMediaType);
    }
    let body = crate::web::json::read_body(payload.into_inner(), IMPORT_LIMIT).await?;
    let parsed = if json {
        serde_json::from_slice::<serde::de::IgnoredAny>(&body)
            .map_err(crate::web::json::not_json)?;
        c3voc::parse(&body)
    } else {
        // Too deep is answered by `frab::parse` (422) before any parser walks it.
        let text = std::str::from_utf8(&body).ok();
        let deep = text.is_some_and(|t| frab::nesting_over(t, frab::MAX_XML_DEPTH));
        if !deep
            && text
                .and_then(|t| roxmltree::Document::parse(t).ok())
                .is_none()
        {
            return Err(AppError::BadRequest(
                "the body is not well-formed XML".into(),
            ));
        }
        frab::parse(&body)
    };
    let imported = parsed.map_err(|errors| {
        AppError::Validation(
            errors
                .into_iter()
                .map(|(field, message)| FieldError::new(field, message))
                .collect(),
        )
    })?;
    let buffer = state.settings.schedule.speaker_buffer;
    let out = state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            let out = apply(c, &event, imported, buffer)?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "import",
                "schedule",
                None,
                serde_json::json!({"rooms": out.rooms_created, "tracks": out.tracks_created, "speakers": out.speakers_created, "sessions": out.sessions_created}),
            )?;
            Ok(out)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

/// The frab / c3voc import.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_import, import);
}
