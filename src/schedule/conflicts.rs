//! The conflict checks of SPEC §5 against the database, run inside the write transaction of the
//! change they guard. Each check is a range query on an index — `sessions (room_id, starts_at)`
//! for rooms, `session_speakers (speaker_id, starts_at)` for speakers — never a scan of the
//! programme. The programme-wide report (`GET …/schedule/conflicts`) and the release check use
//! [`crate::domain::schedule::programme_conflicts`] over the whole working copy instead.

use std::time::Duration;

use actix_web::HttpResponse;
use chrono::{NaiveDateTime, TimeDelta};
use diesel::QueryResult;
use serde::Serialize;
use utoipa::ToSchema;

use super::store;
use crate::db::Conn;
use crate::domain::schedule::{self, overlaps, Conflict, ConflictKind, Slot};
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::events::{store as events, Edit, Event};
use crate::web::identity::Organizer;
use crate::web::{Reply, SlugPath, State};

/// A session as it would be after the write.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// `None` while creating.
    pub session_id: Option<i64>,
    pub room_id: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub speaker_ids: Vec<i64>,
    pub capacity: Option<i32>,
}

/// What a write would cause: hard conflicts (409) and warnings (in the 2xx body).
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct Findings {
    pub conflicts: Vec<Conflict>,
    pub warnings: Vec<Conflict>,
}

/// Checks `cand` against the working copy of `event`.
pub fn check(
    c: &mut Conn,
    event: &Event,
    cand: &Candidate,
    buffer: Duration,
) -> AppResult<Findings> {
    let mut found = Findings::default();
    let me = cand.session_id;
    if cand.ends_at <= cand.starts_at {
        found.conflicts.push(schedule::ends_before_start(me));
        return Ok(found);
    }
    if !event.window().contains(cand.starts_at, cand.ends_at) {
        found.conflicts.push(schedule::outside_event(me));
    }
    let not_me = me.unwrap_or(-1);
    let (start, end) = (cand.starts_at, cand.ends_at);
    let room_hits = store::sessions_overlapping(c, cand.room_id, (start, end), not_me)?;
    found.conflicts.extend(
        room_hits
            .into_iter()
            .map(|other| schedule::room_overlap(me, other)),
    );

    if !cand.speaker_ids.is_empty() {
        let buffer = TimeDelta::from_std(buffer).unwrap_or(TimeDelta::zero());
        let (near_start, near_end) = (start - buffer, end + buffer);
        let near = store::speaker_slots_near(c, &cand.speaker_ids, (near_start, near_end), not_me)?;
        for (other, speaker, room, s, e) in near {
            let (Some(s), Some(e)) = (s, e) else { continue };
            if overlaps(start, end, s, e) {
                found
                    .conflicts
                    .push(schedule::speaker_overlap(me, other, speaker));
            } else if room != Some(cand.room_id) {
                found
                    .warnings
                    .push(tight_change(me, other, speaker, buffer));
            }
        }
    }

    if let Some(capacity) = cand.capacity {
        let room_capacity = store::room_capacity(c, cand.room_id)?;
        if capacity > room_capacity {
            found
                .warnings
                .push(over_capacity(me, capacity, room_capacity));
        }
    }
    Ok(found)
}

fn tight_change(me: Option<i64>, other: i64, speaker: i64, buffer: TimeDelta) -> Conflict {
    Conflict {
        kind: ConflictKind::SpeakerTightChange,
        session_id: me,
        with_session_id: Some(other),
        speaker_id: Some(speaker),
        message: format!(
            "speaker {speaker} changes rooms from or to session {other} with less than {} minutes between",
            buffer.num_minutes()
        ),
    }
}

fn over_capacity(me: Option<i64>, capacity: i32, room_capacity: i32) -> Conflict {
    Conflict {
        kind: ConflictKind::OverRoomCapacity,
        session_id: me,
        with_session_id: None,
        speaker_id: None,
        message: format!("capacity {capacity} is above the room's {room_capacity} seats"),
    }
}

/// A scheduled session of the working copy, with what the warnings need.
#[derive(Debug, Clone)]
pub struct WorkingSlot {
    pub slot: Slot,
    pub capacity: Option<i32>,
    pub room_capacity: i32,
}

/// Every scheduled session of the event's working copy.
pub fn working_slots(c: &mut Conn, event_id: i64) -> QueryResult<Vec<WorkingSlot>> {
    let rows = store::sessions_with_rooms(c, event_id)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let links = store::speaker_ids_of(c, &ids)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, room, s, e, cap, room_cap)| {
            Some(WorkingSlot {
                slot: Slot {
                    session_id: id,
                    room_id: room?,
                    starts_at: s?,
                    ends_at: e?,
                    speaker_ids: links.get(&id).cloned().unwrap_or_default(),
                },
                capacity: cap,
                room_capacity: room_cap,
            })
        })
        .collect())
}

/// Hard conflicts and warnings of the whole working copy.
pub fn programme(c: &mut Conn, event: &Event, buffer: Duration) -> QueryResult<Findings> {
    let working = working_slots(c, event.id)?;
    let slots: Vec<Slot> = working.iter().map(|w| w.slot.clone()).collect();
    let conflicts = schedule::programme_conflicts(&event.window(), &slots);
    let mut warnings = Vec::new();
    for w in &working {
        if let Some(cap) = w.capacity {
            if cap > w.room_capacity {
                warnings.push(over_capacity(Some(w.slot.session_id), cap, w.room_capacity));
            }
        }
    }
    let buffer = TimeDelta::from_std(buffer).unwrap_or(TimeDelta::zero());
    let mut by_speaker: Vec<(i64, &Slot)> = slots
        .iter()
        .flat_map(|s| s.speaker_ids.iter().map(move |sp| (*sp, s)))
        .collect();
    by_speaker.sort_by_key(|(sp, s)| (*sp, s.starts_at));
    for pair in by_speaker.windows(2) {
        let ((sp_a, a), (sp_b, b)) = (pair[0], pair[1]);
        if sp_a == sp_b
            && a.room_id != b.room_id
            && !overlaps(a.starts_at, a.ends_at, b.starts_at, b.ends_at)
            && b.starts_at - a.ends_at < buffer
        {
            warnings.push(tight_change(Some(b.session_id), a.session_id, sp_a, buffer));
        }
    }
    Ok(Findings {
        conflicts,
        warnings,
    })
}

/// Scheduled sessions that the event's current days and hours leave outside (after a change of
/// the event, checked in the same transaction).
pub fn outside_window(c: &mut Conn, event: &Event) -> QueryResult<Vec<Conflict>> {
    let window = event.window();
    Ok(working_slots(c, event.id)?
        .into_iter()
        .filter(|w| !window.contains(w.slot.starts_at, w.slot.ends_at))
        .map(|w| schedule::outside_event(Some(w.slot.session_id)))
        .collect())
}

/// The programme's answer to a change of the event's days or hours: 409 listing every
/// scheduled session that would fall outside them (SPEC §5).
pub struct KeepSessionsInside;

impl crate::events::EventChange for KeepSessionsInside {
    fn changed(&self, c: &mut Conn, _: &crate::config::Settings, edit: Edit) -> AppResult<()> {
        let outside = outside_window(c, edit.after)?;
        if outside.is_empty() {
            return Ok(());
        }
        Err(AppError::ScheduleConflict {
            detail: format!(
                "{} scheduled sessions would fall outside the event's days or hours",
                outside.len()
            ),
            conflicts: outside,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/schedule/conflicts", tag = "schedule",
    params(("slug" = String, Path)),
    responses((status = 200, body = Findings, description = "hard conflicts (there should be none) and warnings of the working copy"),
        (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn report(state: State, who: Organizer, slug: SlugPath) -> Reply {
    who.require(Role::Viewer)?;
    let buffer = state.settings.schedule.speaker_buffer;
    let findings = state
        .db
        .run(move |c| {
            c.read_tx(|c| {
                let event = events::find_by_slug(c, &slug)?
                    .ok_or_else(|| AppError::not_found(format!("no event `{slug}`")))?;
                Ok(programme(c, &event, buffer)?)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(findings))
}

/// The conflict report.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_report, report);
}
