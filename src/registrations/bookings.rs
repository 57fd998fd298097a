//! Seats in seminars (SPEC §4.2): a confirmed attendee books a session of the latest release;
//! a full session puts them on its waiting list; freeing a seat promotes the first waitlisted
//! booking. Every function here runs inside a write transaction that locks the event (see
//! `db::write_tx`), so a session's `capacity` bounds its booked seats exactly, across
//! instances.
//!
//! A booking keeps a copy of its session's times, so that the overlap check is one indexed
//! query on (registration, start); a release that moves a session moves its bookings' times,
//! and a release that cancels it cancels its bookings (see `notices`).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{RegistrationRow, Status};
use crate::db::schema::{bookings, registrations};
use crate::db::Conn;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::run;
use crate::schedule::releases::{self, PublishedSession, Release};

/// A booking's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BookingStatus {
    Booked,
    Waitlisted,
}

impl BookingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            BookingStatus::Booked => "booked",
            BookingStatus::Waitlisted => "waitlisted",
        }
    }

    fn parse(s: &str) -> BookingStatus {
        if s == "booked" {
            BookingStatus::Booked
        } else {
            BookingStatus::Waitlisted
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = bookings)]
pub struct BookingRow {
    pub id: i64,
    pub event_id: i64,
    pub session_id: i64,
    pub registration_id: i64,
    pub status: String,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

impl BookingRow {
    pub fn status(&self) -> BookingStatus {
        BookingStatus::parse(&self.status)
    }
}

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

fn find(c: &mut Conn, registration_id: i64, session_id: i64) -> QueryResult<Option<BookingRow>> {
    run!(c, |c| bookings::table
        .filter(bookings::registration_id.eq(registration_id))
        .filter(bookings::session_id.eq(session_id))
        .select(BookingRow::as_select())
        .first(c)
        .optional())
}

fn count(c: &mut Conn, session_id: i64, status: BookingStatus) -> QueryResult<i64> {
    run!(c, |c| bookings::table
        .filter(bookings::session_id.eq(session_id))
        .filter(bookings::status.eq(status.as_str()))
        .count()
        .get_result(c))
}

/// Books a seat for `reg` (locked event) in the latest release's session `session_id`.
/// Returns the booking and whether this call made it (false: already held, nothing changed).
/// How a refused booking of an attendee who is not confirmed starts (pages tell it apart).
pub const NOT_CONFIRMED: &str = "only confirmed attendees book seats";

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
    if let Some(held) = find(c, reg.id, session_id)? {
        return Ok((held, false));
    }
    let (start, end) = (session.starts_at.naive_utc(), session.ends_at.naive_utc());
    let clash: Option<i64> = run!(c, |c| bookings::table
        .filter(bookings::registration_id.eq(reg.id))
        .filter(bookings::starts_at.lt(end))
        .filter(bookings::ends_at.gt(start))
        .select(bookings::session_id)
        .first(c)
        .optional())?;
    if let Some(other) = clash {
        let title = release
            .as_ref()
            .and_then(|r| r.snapshot.sessions.iter().find(|s| s.id == other))
            .map(|s| s.title.clone())
            .unwrap_or_else(|| format!("session {other}"));
        return Err(AppError::Conflict(format!(
            "this session overlaps “{title}” (session {other}), which you already hold a seat in; leave it first"
        )));
    }
    let status = if count(c, session_id, BookingStatus::Booked)? < i64::from(session.capacity) {
        BookingStatus::Booked
    } else {
        BookingStatus::Waitlisted
    };
    let now = crate::db::now();
    run!(c, |c| diesel::insert_into(bookings::table)
        .values((
            bookings::event_id.eq(event.id),
            bookings::session_id.eq(session_id),
            bookings::registration_id.eq(reg.id),
            bookings::status.eq(status.as_str()),
            bookings::starts_at.eq(start),
            bookings::ends_at.eq(end),
            bookings::created_at.eq(now),
        ))
        .execute(c))?;
    let row = find(c, reg.id, session_id)?
        .ok_or_else(|| AppError::internal("a booking vanished inside its transaction"))?;
    Ok((row, true))
}

/// Frees `reg`'s seat (or waiting-list place) in `session_id` and promotes the first waitlisted
/// booking into a freed seat; 404 if they hold none.
pub fn leave(c: &mut Conn, event: &Event, reg: &RegistrationRow, session_id: i64) -> AppResult<()> {
    let held = find(c, reg.id, session_id)?
        .ok_or_else(|| AppError::not_found(format!("you hold no seat in session {session_id}")))?;
    run!(c, |c| diesel::delete(bookings::table.find(held.id))
        .execute(c))?;
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
    let free = i64::from(capacity) - count(c, session_id, BookingStatus::Booked)?;
    if free <= 0 {
        return Ok(0);
    }
    let next: Vec<i64> = run!(c, |c| bookings::table
        .filter(bookings::session_id.eq(session_id))
        .filter(bookings::status.eq(BookingStatus::Waitlisted.as_str()))
        .order(bookings::id.asc())
        .limit(free)
        .select(bookings::id)
        .load(c))?;
    run!(c, |c| diesel::update(
        bookings::table.filter(bookings::id.eq_any(&next))
    )
    .set(bookings::status.eq(BookingStatus::Booked.as_str()))
    .execute(c))
}

/// Frees every seat of a registration that stops being confirmed (cancelled, erased), and
/// promotes the waiting lists behind them.
pub fn release_all(c: &mut Conn, event_id: i64, registration_id: i64) -> AppResult<()> {
    let held: Vec<BookingRow> = run!(c, |c| bookings::table
        .filter(bookings::registration_id.eq(registration_id))
        .select(BookingRow::as_select())
        .load(c))?;
    if held.is_empty() {
        return Ok(());
    }
    run!(c, |c| diesel::delete(
        bookings::table.filter(bookings::registration_id.eq(registration_id))
    )
    .execute(c))?;
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

/// A registration's bookings, by start.
pub fn of_registration(c: &mut Conn, registration_id: i64) -> QueryResult<Vec<BookingRow>> {
    run!(c, |c| bookings::table
        .filter(bookings::registration_id.eq(registration_id))
        .order((bookings::starts_at.asc(), bookings::id.asc()))
        .select(BookingRow::as_select())
        .load(c))
}

/// Booked and waitlisted counts of each session of the event that has any.
pub fn counts(c: &mut Conn, event_id: i64) -> QueryResult<BTreeMap<i64, (i64, i64)>> {
    let rows: Vec<(i64, String, i64)> = run!(c, |c| bookings::table
        .filter(bookings::event_id.eq(event_id))
        .group_by((bookings::session_id, bookings::status))
        .select((
            bookings::session_id,
            bookings::status,
            diesel::dsl::count_star(),
        ))
        .load(c))?;
    let mut out: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (session, status, n) in rows {
        let entry = out.entry(session).or_default();
        match BookingStatus::parse(&status) {
            BookingStatus::Booked => entry.0 = n,
            BookingStatus::Waitlisted => entry.1 = n,
        }
    }
    Ok(out)
}

/// The attendees holding a seat or a waiting-list place in a session: booked first, each list
/// in booking order.
pub fn holders(
    c: &mut Conn,
    event_id: i64,
    session_id: i64,
) -> QueryResult<Vec<(BookingRow, RegistrationRow)>> {
    let mut rows: Vec<(BookingRow, RegistrationRow)> = run!(c, |c| bookings::table
        .inner_join(registrations::table)
        .filter(bookings::event_id.eq(event_id))
        .filter(bookings::session_id.eq(session_id))
        .order(bookings::id.asc())
        .select((BookingRow::as_select(), RegistrationRow::as_select()))
        .load(c))?;
    rows.sort_by_key(|(b, _)| (b.status() != BookingStatus::Booked, b.id));
    Ok(rows)
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
