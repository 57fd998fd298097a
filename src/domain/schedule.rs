//! The schedule's time rules, without IO: when a session lies inside the fair's days and hours,
//! what overlapping means, and the shape of a conflict. The database queries that find the
//! sessions to compare live in the schedule area (`schedule/conflicts.rs`).

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Hard conflicts block a write (409); warnings come back in the 2xx body.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    RoomOverlap,
    SpeakerOverlap,
    OutsideEvent,
    EndsBeforeStart,
    /// A room that sessions are scheduled in cannot be deleted.
    RoomInUse,
    OverRoomCapacity,
    SpeakerTightChange,
}

impl ConflictKind {
    pub fn is_hard(self) -> bool {
        !matches!(
            self,
            ConflictKind::OverRoomCapacity | ConflictKind::SpeakerTightChange
        )
    }
}

/// One conflict or warning, as in SPEC §5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Conflict {
    pub kind: ConflictKind,
    /// The session being written (null for one not created yet).
    pub session_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub with_session_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub speaker_id: Option<i64>,
    pub message: String,
}

/// Two half-open intervals `[a0, a1)` and `[b0, b1)` overlap; touching ones do not.
pub fn overlaps(
    a0: NaiveDateTime,
    a1: NaiveDateTime,
    b0: NaiveDateTime,
    b1: NaiveDateTime,
) -> bool {
    a0 < b1 && b0 < a1
}

/// The fair's days and daily opening hours, in its timezone.
#[derive(Debug, Clone, Copy)]
pub struct EventWindow {
    pub timezone: Tz,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub opens_at: NaiveTime,
    pub closes_at: NaiveTime,
}

impl EventWindow {
    /// Whether a session from `start` to `end` (UTC) lies within one fair day's opening hours.
    pub fn contains(&self, start: NaiveDateTime, end: NaiveDateTime) -> bool {
        let local_start = self.timezone.from_utc_datetime(&start).naive_local();
        let local_end = self.timezone.from_utc_datetime(&end).naive_local();
        let day = local_start.date();
        day >= self.starts_on
            && day <= self.ends_on
            && local_end.date() == day
            && local_start.time() >= self.opens_at
            && local_end.time() <= self.closes_at
    }

    /// The UTC instant of a local wall-clock time on a fair day (the earlier one when a clock
    /// change makes it ambiguous, the first valid minute after a gap).
    pub fn to_utc(&self, date: NaiveDate, time: NaiveTime) -> NaiveDateTime {
        to_utc(self.timezone, date.and_time(time))
    }

    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.starts_on
            .iter_days()
            .take_while(move |d| *d <= self.ends_on)
    }
}

/// A local wall-clock time in `tz` as UTC.
pub fn to_utc(tz: Tz, local: NaiveDateTime) -> NaiveDateTime {
    let mut probe = local;
    for _ in 0..180 {
        if let Some(t) = tz.from_local_datetime(&probe).earliest() {
            return t.naive_utc();
        }
        probe += chrono::TimeDelta::minutes(1);
    }
    local
}

/// A scheduled session as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Slot {
    pub session_id: i64,
    pub room_id: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub speaker_ids: Vec<i64>,
}

/// Every hard conflict among `slots` (each pair once), by comparing them pairwise per room and
/// per speaker after sorting. Used for the programme-wide report and the release check, not on
/// the write path, which asks the database indexes instead.
pub fn programme_conflicts(window: &EventWindow, slots: &[Slot]) -> Vec<Conflict> {
    let mut out = Vec::new();
    for s in slots {
        if s.ends_at <= s.starts_at {
            out.push(ends_before_start(Some(s.session_id)));
        } else if !window.contains(s.starts_at, s.ends_at) {
            out.push(outside_event(Some(s.session_id)));
        }
    }
    let valid: Vec<&Slot> = slots.iter().filter(|s| s.ends_at > s.starts_at).collect();
    // Room overlaps: sort by (room, start) and compare each with the following ones while they
    // start before it ends.
    let mut by_room = valid.clone();
    by_room.sort_by_key(|s| (s.room_id, s.starts_at, s.session_id));
    for (i, a) in by_room.iter().enumerate() {
        for b in by_room[i + 1..].iter() {
            if b.room_id != a.room_id || b.starts_at >= a.ends_at {
                break;
            }
            out.push(room_overlap(Some(a.session_id), b.session_id));
        }
    }
    let mut by_speaker: Vec<(i64, &Slot)> = valid
        .iter()
        .flat_map(|s| s.speaker_ids.iter().map(move |sp| (*sp, *s)))
        .collect();
    by_speaker.sort_by_key(|(sp, s)| (*sp, s.starts_at, s.session_id));
    for (i, (sp, a)) in by_speaker.iter().enumerate() {
        for (sp2, b) in by_speaker[i + 1..].iter() {
            if sp2 != sp || b.starts_at >= a.ends_at {
                break;
            }
            out.push(speaker_overlap(Some(a.session_id), b.session_id, *sp));
        }
    }
    out
}

pub fn room_overlap(session_id: Option<i64>, with: i64) -> Conflict {
    Conflict {
        kind: ConflictKind::RoomOverlap,
        session_id,
        with_session_id: Some(with),
        speaker_id: None,
        message: format!("the room is already used by session {with} at that time"),
    }
}

pub fn speaker_overlap(session_id: Option<i64>, with: i64, speaker_id: i64) -> Conflict {
    Conflict {
        kind: ConflictKind::SpeakerOverlap,
        session_id,
        with_session_id: Some(with),
        speaker_id: Some(speaker_id),
        message: format!("speaker {speaker_id} already speaks in session {with} at that time"),
    }
}

pub fn outside_event(session_id: Option<i64>) -> Conflict {
    Conflict {
        kind: ConflictKind::OutsideEvent,
        session_id,
        with_session_id: None,
        speaker_id: None,
        message: "the session is not within one of the fair's days and opening hours".into(),
    }
}

pub fn ends_before_start(session_id: Option<i64>) -> Conflict {
    Conflict {
        kind: ConflictKind::EndsBeforeStart,
        session_id,
        with_session_id: None,
        speaker_id: None,
        message: "ends_at must be after starts_at".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(day: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 5, day)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .expect("valid")
    }

    fn window() -> EventWindow {
        EventWindow {
            timezone: chrono_tz::UTC,
            starts_on: NaiveDate::from_ymd_opt(2026, 5, 3).expect("date"),
            ends_on: NaiveDate::from_ymd_opt(2026, 5, 4).expect("date"),
            opens_at: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
            closes_at: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
        }
    }

    #[test]
    fn touching_is_not_overlapping() {
        assert!(!overlaps(
            at(3, 9, 0),
            at(3, 10, 0),
            at(3, 10, 0),
            at(3, 11, 0)
        ));
        assert!(overlaps(
            at(3, 9, 0),
            at(3, 10, 1),
            at(3, 10, 0),
            at(3, 11, 0)
        ));
    }

    #[test]
    fn window_bounds() {
        let w = window();
        assert!(w.contains(at(3, 9, 0), at(3, 18, 0)));
        assert!(!w.contains(at(3, 8, 59), at(3, 10, 0)));
        assert!(!w.contains(at(4, 17, 0), at(4, 18, 1)));
        assert!(!w.contains(at(5, 10, 0), at(5, 11, 0)));
        assert!(!w.contains(at(3, 17, 0), at(4, 10, 0)));
    }

    #[test]
    fn window_uses_the_event_timezone() {
        let mut w = window();
        w.timezone = chrono_tz::Africa::Casablanca;
        // 09:00 local in Casablanca is 08:00 UTC (UTC+1 outside Ramadan).
        let utc = w.to_utc(w.starts_on, NaiveTime::from_hms_opt(9, 0, 0).expect("time"));
        assert!(w.contains(utc, utc + chrono::TimeDelta::hours(1)));
        assert!(!w.contains(
            utc - chrono::TimeDelta::minutes(1),
            utc + chrono::TimeDelta::hours(1)
        ));
    }
}
