//! The queries of the meetings area's tables: `meeting_settings`, `meetings`,
//! `meeting_unavailable` and `meeting_reminders`.
//!
//! A meeting *holds* a table (and its attendee's time) while it is accepted, or pending before
//! its `expires_at` ([`holding`]).

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::model::{Block, MeetingRow, MeetingSettings, MeetingStatus};
use crate::db::schema::{meeting_reminders, meeting_settings, meeting_unavailable, meetings};
use crate::db::Conn;
use crate::run;

/// Whether a meeting holds its table and its attendee's time at `now`: accepted, or pending
/// and not expired.
#[diesel::dsl::auto_type]
fn holding(now: NaiveDateTime) -> _ {
    let accepted: &'static str = MeetingStatus::Accepted.as_str();
    let pending: &'static str = MeetingStatus::Pending.as_str();
    meetings::status.eq(accepted).or(meetings::status
        .eq(pending)
        .and(meetings::expires_at.gt(now)))
}

/// A fair's settings, the defaults until saved.
pub fn settings(c: &mut Conn, event_id: i64) -> QueryResult<MeetingSettings> {
    type Stored = (String, i32, bool, i32, i32, i32);
    let row: Option<Stored> = run!(c, |c| meeting_settings::table
        .find(event_id)
        .select((
            meeting_settings::blocks,
            meeting_settings::slot_minutes,
            meeting_settings::requests_open,
            meeting_settings::request_ttl_minutes,
            meeting_settings::max_pending,
            meeting_settings::reminder_hour,
        ))
        .first(c)
        .optional())?;
    Ok(match row {
        None => MeetingSettings::default(),
        Some((blocks, slot_minutes, requests_open, ttl, max_pending, reminder_hour)) => {
            MeetingSettings {
                blocks: serde_json::from_str::<Vec<Block>>(&blocks).unwrap_or_default(),
                slot_minutes,
                requests_open,
                request_ttl: TimeDelta::minutes(i64::from(ttl)),
                max_pending,
                reminder_hour,
            }
        }
    })
}

/// Stores a fair's settings in place of the earlier ones.
pub fn save_settings(
    c: &mut Conn,
    event_id: i64,
    s: &MeetingSettings,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let blocks = serde_json::to_string(&s.blocks).unwrap_or_else(|_| "[]".into());
    let ttl = i32::try_from(s.request_ttl.num_minutes()).unwrap_or(i32::MAX);
    let values = (
        meeting_settings::blocks.eq(&blocks),
        meeting_settings::slot_minutes.eq(s.slot_minutes),
        meeting_settings::requests_open.eq(s.requests_open),
        meeting_settings::request_ttl_minutes.eq(ttl),
        meeting_settings::max_pending.eq(s.max_pending),
        meeting_settings::reminder_hour.eq(s.reminder_hour),
        meeting_settings::updated_at.eq(now),
    );
    let n = run!(c, |c| diesel::update(
        meeting_settings::table.find(event_id)
    )
    .set(values)
    .execute(c))?;
    if n == 0 {
        run!(c, |c| diesel::insert_into(meeting_settings::table)
            .values((meeting_settings::event_id.eq(event_id), values))
            .execute(c))?;
    }
    Ok(())
}

/// A new pending request.
pub struct NewMeeting<'a> {
    pub event_id: i64,
    pub exhibitor_id: i64,
    pub registration_id: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub message: &'a str,
    pub expires_at: NaiveDateTime,
}

/// Stores a pending request; its id.
pub fn insert(c: &mut Conn, m: &NewMeeting, now: NaiveDateTime) -> QueryResult<i64> {
    run!(c, |c| diesel::insert_into(meetings::table)
        .values((
            meetings::event_id.eq(m.event_id),
            meetings::exhibitor_id.eq(m.exhibitor_id),
            meetings::registration_id.eq(m.registration_id),
            meetings::starts_at.eq(m.starts_at),
            meetings::ends_at.eq(m.ends_at),
            meetings::status.eq(MeetingStatus::Pending.as_str()),
            meetings::message.eq(m.message),
            meetings::expires_at.eq(m.expires_at),
            meetings::created_at.eq(now),
            meetings::updated_at.eq(now),
        ))
        .returning(meetings::id)
        .get_result(c))
}

pub fn find(c: &mut Conn, id: i64) -> QueryResult<Option<MeetingRow>> {
    run!(c, |c| meetings::table
        .find(id)
        .select(MeetingRow::as_select())
        .first(c)
        .optional())
}

/// How many meetings of the exhibitor hold a table in the slot starting at `starts_at`.
pub fn tables_taken(
    c: &mut Conn,
    exhibitor_id: i64,
    starts_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    run!(c, |c| meetings::table
        .filter(meetings::exhibitor_id.eq(exhibitor_id))
        .filter(meetings::starts_at.eq(starts_at))
        .filter(holding(now))
        .count()
        .get_result(c))
}

/// The attendee's meeting holding its time between `start` and `end`, if any.
pub fn attendee_overlap(
    c: &mut Conn,
    registration_id: i64,
    start: NaiveDateTime,
    end: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<Option<MeetingRow>> {
    run!(c, |c| meetings::table
        .filter(meetings::registration_id.eq(registration_id))
        .filter(meetings::starts_at.lt(end))
        .filter(meetings::ends_at.gt(start))
        .filter(holding(now))
        .select(MeetingRow::as_select())
        .first(c)
        .optional())
}

/// The attendee's pending (unexpired) requests: all of them, or to one exhibitor.
pub fn pending_of(
    c: &mut Conn,
    registration_id: i64,
    exhibitor_id: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    run!(c, |c| {
        let mut q = meetings::table
            .filter(meetings::registration_id.eq(registration_id))
            .filter(meetings::status.eq(MeetingStatus::Pending.as_str()))
            .filter(meetings::expires_at.gt(now))
            .into_boxed();
        if let Some(id) = exhibitor_id {
            q = q.filter(meetings::exhibitor_id.eq(id));
        }
        q.count().get_result(c)
    })
}

/// The holding meetings of an exhibitor from `from` on, with their starts (for the free
/// slots).
pub fn taken_by_slot(
    c: &mut Conn,
    exhibitor_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<NaiveDateTime>> {
    run!(c, |c| meetings::table
        .filter(meetings::exhibitor_id.eq(exhibitor_id))
        .filter(meetings::starts_at.gt(now))
        .filter(holding(now))
        .select(meetings::starts_at)
        .load(c))
}

/// Which meetings a list reads.
pub enum Of {
    Attendee(i64),
    Exhibitor(i64),
    Event(i64),
}

/// Meetings by start.
pub fn list(c: &mut Conn, of: Of) -> QueryResult<Vec<MeetingRow>> {
    run!(c, |c| {
        let q = meetings::table
            .select(MeetingRow::as_select())
            .order((meetings::starts_at.asc(), meetings::id.asc()))
            .into_boxed();
        match of {
            Of::Attendee(id) => q.filter(meetings::registration_id.eq(id)),
            Of::Exhibitor(id) => q.filter(meetings::exhibitor_id.eq(id)),
            Of::Event(id) => q.filter(meetings::event_id.eq(id)),
        }
        .load(c)
    })
}

/// Writes a meeting's new status (and who cancelled it, and its host).
pub fn set_status(
    c: &mut Conn,
    id: i64,
    status: MeetingStatus,
    cancelled_by: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    run!(c, |c| diesel::update(meetings::table.find(id))
        .set((
            meetings::status.eq(status.as_str()),
            meetings::cancelled_by.eq(cancelled_by),
            meetings::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// Accepts a meeting, with its host.
pub fn accept(c: &mut Conn, id: i64, host: Option<i64>, now: NaiveDateTime) -> QueryResult<()> {
    run!(c, |c| diesel::update(meetings::table.find(id))
        .set((
            meetings::status.eq(MeetingStatus::Accepted.as_str()),
            meetings::host_registration_id.eq(host),
            meetings::accepted_at.eq(now),
            meetings::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// The slots an exhibitor marked unavailable.
pub fn unavailable(c: &mut Conn, exhibitor_id: i64) -> QueryResult<Vec<NaiveDateTime>> {
    run!(c, |c| meeting_unavailable::table
        .filter(meeting_unavailable::exhibitor_id.eq(exhibitor_id))
        .select(meeting_unavailable::starts_at)
        .order(meeting_unavailable::starts_at.asc())
        .load(c))
}

/// Replaces the slots an exhibitor marked unavailable.
pub fn set_unavailable(
    c: &mut Conn,
    exhibitor_id: i64,
    starts: &[NaiveDateTime],
) -> QueryResult<()> {
    run!(c, |c| diesel::delete(
        meeting_unavailable::table.filter(meeting_unavailable::exhibitor_id.eq(exhibitor_id))
    )
    .execute(c))?;
    let rows: Vec<_> = starts
        .iter()
        .map(|s| {
            (
                meeting_unavailable::exhibitor_id.eq(exhibitor_id),
                meeting_unavailable::starts_at.eq(*s),
            )
        })
        .collect();
    if !rows.is_empty() {
        run!(c, |c| diesel::insert_into(meeting_unavailable::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(())
}

/// Pending requests past their lifetime at `now`, by event: (id, event id).
pub fn due_to_expire(c: &mut Conn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<(i64, i64)>> {
    run!(c, |c| meetings::table
        .filter(meetings::status.eq(MeetingStatus::Pending.as_str()))
        .filter(meetings::expires_at.le(now))
        .order((meetings::event_id.asc(), meetings::id.asc()))
        .select((meetings::id, meetings::event_id))
        .limit(limit)
        .load(c))
}

/// Writes a pending request expired; false when it is no longer pending (another instance
/// expired it, or it was answered).
pub fn expire(c: &mut Conn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    let n =
        run!(c, |c| diesel::update(meetings::table.find(id).filter(
            meetings::status.eq(MeetingStatus::Pending.as_str())
        ))
        .set((
            meetings::status.eq(MeetingStatus::Expired.as_str()),
            meetings::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(n == 1)
}

/// The fairs whose organizers saved meeting settings.
pub fn events_with_settings(c: &mut Conn) -> QueryResult<Vec<i64>> {
    run!(c, |c| meeting_settings::table
        .select(meeting_settings::event_id)
        .load(c))
}

/// Records the reminder of one person — (attendee, exhibitor), one of them — for `day`; false
/// when it was recorded already (by this instance or another).
pub fn claim_reminder(
    c: &mut Conn,
    event_id: i64,
    day: chrono::NaiveDate,
    who: (Option<i64>, Option<i64>),
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = run!(c, |c| diesel::insert_into(meeting_reminders::table)
        .values((
            meeting_reminders::event_id.eq(event_id),
            meeting_reminders::day.eq(day),
            meeting_reminders::registration_id.eq(who.0),
            meeting_reminders::exhibitor_id.eq(who.1),
            meeting_reminders::sent_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(n == 1)
}

/// The meetings still to come that hold a table (accepted, or pending before `expires_at`),
/// with their event: (id, event id, registration id, exhibitor id).
pub fn open_ahead(c: &mut Conn, now: NaiveDateTime) -> QueryResult<Vec<(i64, i64, i64, i64)>> {
    run!(c, |c| meetings::table
        .filter(meetings::ends_at.gt(now))
        .filter(holding(now))
        .order((meetings::event_id.asc(), meetings::id.asc()))
        .select((
            meetings::id,
            meetings::event_id,
            meetings::registration_id,
            meetings::exhibitor_id,
        ))
        .load(c))
}
