//! Seats in seminars (SPEC §4.2): a confirmed attendee books a session of the latest release;
//! a full session puts them on its waiting list; freeing a seat promotes the first waitlisted
//! booking. Every function here runs inside a write transaction that locks the event (see
//! `db::write_tx`), so a session's `capacity` bounds its booked seats exactly, across
//! instances.
//!
//! A booking keeps a copy of its session's times, so that the overlap check is one indexed
//! query on (registration, start); a release that moves a session moves its bookings' times,
//! and a release that cancels it cancels its bookings (see `notices`).

use diesel::QueryResult;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{BookingRow, BookingStatus, RegistrationRow, Status};
use super::store;
use crate::db::Conn;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::schedule::releases::{self, PublishedSession, Release};
use crate::webhooks::{self, EventType, Subject};

/// The latest release's session `session_id`, or 404.
fn released_session(release: Option<&Release>, session_id: i64) -> AppResult<&PublishedSession> {
    release
        .and_then(|r| r.snapshot.sessions.iter().find(|s| s.id == session_id))
        .ok_or_else(|| {
            AppError::not_found(format!(
                "no session {session_id} in the published programme"
            ))
        })
}

/// How a refused booking of an attendee who is not confirmed starts (pages tell it apart).
pub const NOT_CONFIRMED: &str = "only confirmed attendees book seats";

/// Books a seat for `reg` (locked event) in the latest release's session `session_id`.
/// Returns the booking and whether this call made it (false: already held, nothing changed).
pub fn book(
    c: &mut Conn,
    event: &Event,
    reg: &RegistrationRow,
    session_id: i64,
) -> AppResult<(BookingRow, bool)> {
    if reg.status() != Status::Confirmed {
        return Err(AppError::Conflict(format!(
            "{NOT_CONFIRMED}; this registration is {}",
            reg.status()
        )));
    }
    let release = releases::latest(c, event.id)?;
    let session = released_session(release.as_ref(), session_id)?;
    if let Some(held) = store::find_booking(c, reg.id, session_id)? {
        return Ok((held, false));
    }
    let (start, end) = (session.starts_at.naive_utc(), session.ends_at.naive_utc());
    if let Some(other) = store::find_overlapping_booking(c, reg.id, start, end)? {
        let title = release
            .as_ref()
            .and_then(|r| r.snapshot.sessions.iter().find(|s| s.id == other))
            .map(|s| s.title.clone())
            .unwrap_or_else(|| format!("session {other}"));
        return Err(AppError::Conflict(format!(
            "this session overlaps “{title}” (session {other}), which you already hold a seat in; leave it first"
        )));
    }
    let booked = store::count_bookings(c, session_id, BookingStatus::Booked)?;
    let status = if booked < i64::from(session.capacity) {
        BookingStatus::Booked
    } else {
        BookingStatus::Waitlisted
    };
    store::insert_booking(c, event.id, reg.id, session, status)?;
    let row = store::find_booking(c, reg.id, session_id)?
        .ok_or_else(|| AppError::internal("a booking vanished inside its transaction"))?;
    announce(c, &row, EventType::BookingCreated)?;
    Ok((row, true))
}

/// Frees `reg`'s seat (or waiting-list place) in `session_id` and promotes the first waitlisted
/// booking into a freed seat; 404 if they hold none.
pub fn leave(c: &mut Conn, event: &Event, reg: &RegistrationRow, session_id: i64) -> AppResult<()> {
    let held = store::find_booking(c, reg.id, session_id)?
        .ok_or_else(|| AppError::not_found(format!("you hold no seat in session {session_id}")))?;
    store::delete_booking(c, held.id)?;
    announce(c, &held, EventType::BookingCancelled)?;
    if held.status() == BookingStatus::Booked {
        let release = releases::latest(c, event.id)?;
        if let Ok(session) = released_session(release.as_ref(), session_id) {
            promote(c, session_id, session.capacity)?;
        }
    }
    Ok(())
}

/// Moves waitlisted bookings of a session into its free seats, first come first served.
pub fn promote(c: &mut Conn, session_id: i64, capacity: i32) -> QueryResult<usize> {
    let free = i64::from(capacity) - store::count_bookings(c, session_id, BookingStatus::Booked)?;
    if free <= 0 {
        return Ok(0);
    }
    store::promote_bookings(c, session_id, free)
}

/// Frees every seat of a registration that stops being confirmed (cancelled, erased), and
/// promotes the waiting lists behind them.
pub fn release_all(c: &mut Conn, event_id: i64, registration_id: i64) -> AppResult<()> {
    let held = store::bookings_of(c, registration_id)?;
    if held.is_empty() {
        return Ok(());
    }
    store::delete_bookings_of(c, registration_id)?;
    for b in &held {
        announce(c, b, EventType::BookingCancelled)?;
    }
    let freed: Vec<i64> = held
        .iter()
        .filter(|b| b.status() == BookingStatus::Booked)
        .map(|b| b.session_id)
        .collect();
    if freed.is_empty() {
        return Ok(());
    }
    if let Some(release) = releases::latest(c, event_id)? {
        for s in release
            .snapshot
            .sessions
            .iter()
            .filter(|s| freed.contains(&s.id))
        {
            promote(c, s.id, s.capacity)?;
        }
    }
    Ok(())
}

/// Queues the webhook deliveries of `kind` about booking `b`: the booking as its attendee
/// sees it ([`BookingOut`], in the fair's language), with its id and its registration's.
fn announce(c: &mut Conn, b: &BookingRow, kind: EventType) -> AppResult<()> {
    webhooks::emit(
        c,
        b.event_id,
        kind,
        Subject::registration(b.registration_id),
        |c| {
            let event = crate::events::store::find(c, b.event_id)?;
            let release = releases::latest(c, b.event_id)?;
            let out = BookingOut::of(&event, release.as_ref(), b, event.default_language);
            let mut data = serde_json::to_value(out).map_err(anyhow::Error::from)?;
            data["id"] = b.id.into();
            data["registration_id"] = b.registration_id.into();
            Ok(data)
        },
    )
}

/// A booking as its attendee sees it, with the released session's title, room and times.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BookingOut {
    pub session_id: i64,
    pub status: BookingStatus,
    pub title: String,
    pub room: Option<String>,
    pub starts_at: chrono::DateTime<chrono::FixedOffset>,
    pub ends_at: chrono::DateTime<chrono::FixedOffset>,
}

impl BookingOut {
    /// `release`: the latest one, for titles and rooms (a booked session is in it).
    pub fn of(
        event: &Event,
        release: Option<&Release>,
        b: &BookingRow,
        lang: crate::domain::Language,
    ) -> BookingOut {
        let session =
            release.and_then(|r| r.snapshot.sessions.iter().find(|s| s.id == b.session_id));
        let room = session.and_then(|s| {
            release?
                .snapshot
                .rooms
                .iter()
                .find(|r| r.id == s.room_id)
                .map(|r| r.name.get(lang, event.default_language).to_string())
        });
        BookingOut {
            session_id: b.session_id,
            status: b.status(),
            title: session
                .map(|s| s.title.clone())
                .unwrap_or_else(|| format!("session {}", b.session_id)),
            room,
            starts_at: event.local(b.starts_at),
            ends_at: event.local(b.ends_at),
        }
    }
}
