//! The programme as the frab XML and c3voc JSON writers read it: one release in one language,
//! its names already chosen, so the writers know nothing of Salon's tables or translations.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

pub(super) const GENERATOR: &str = "salon";
pub(super) const GENERATOR_VERSION: &str = env!("CARGO_PKG_VERSION");
pub(super) const TIMESLOT: &str = "00:05";

/// One release of an event's programme.
#[derive(Debug, Clone, PartialEq)]
pub struct Programme {
    /// The release's version.
    pub version: String,
    /// The event's slug: the conference's acronym and the start of each frab slug.
    pub slug: String,
    pub title: String,
    pub timezone: Tz,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The daily hours: a day of the export spans them (widened to hold its sessions).
    pub opens_at: NaiveTime,
    pub closes_at: NaiveTime,
    /// The host GUIDs are derived from.
    pub host: String,
    /// Without a trailing `/`.
    pub base_url: String,
    /// The event's page.
    pub url: String,
    /// In the order the files list them.
    pub rooms: Vec<Room>,
    pub tracks: Vec<Track>,
    pub sessions: Vec<Session>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Room {
    pub id: i64,
    pub name: String,
    /// Seats, where known (only the JSON has a place for them).
    pub capacity: Option<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Track {
    pub name: String,
    pub color: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub id: i64,
    pub title: String,
    pub abstract_text: Option<String>,
    /// The session kind's own word (`keynote`, `seminar`…), written as `type`.
    pub kind: String,
    /// A language code (`fr`).
    pub language: String,
    /// The track's name.
    pub track: Option<String>,
    pub room_id: i64,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// The session's page.
    pub url: String,
    pub speakers: Vec<Speaker>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Speaker {
    pub id: i64,
    pub name: String,
    pub bio: Option<String>,
}

fn local_date(tz: Tz, s: &Session) -> NaiveDate {
    s.starts_at.with_timezone(&tz).date_naive()
}

/// `date` at wall-clock `time` in `tz` (the earlier of two in a repeated hour; UTC in a gap).
fn at_local(tz: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<FixedOffset> {
    let naive = date.and_time(time);
    tz.from_local_datetime(&naive)
        .earliest()
        .unwrap_or_else(|| tz.from_utc_datetime(&naive))
        .fixed_offset()
}

/// `HH:MM` of the session's length.
pub(super) fn duration_hhmm(s: &Session) -> String {
    let minutes = (s.ends_at - s.starts_at).num_minutes().max(0);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

pub(super) struct Day<'a> {
    pub index: usize,
    pub date: NaiveDate,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub sessions: Vec<&'a Session>,
}

/// The event's days (at least one), plus any day a session falls on, each with its sessions
/// in start order. A day spans the event's daily hours, widened to hold its sessions.
pub(super) fn days(programme: &Programme) -> Vec<Day<'_>> {
    let tz = programme.timezone;
    let mut dates = BTreeSet::new();
    let mut date = programme.starts_on;
    while date <= programme.ends_on {
        dates.insert(date);
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    if dates.is_empty() {
        dates.insert(programme.starts_on);
    }
    for s in &programme.sessions {
        dates.insert(local_date(tz, s));
    }
    let mut sorted: Vec<&Session> = programme.sessions.iter().collect();
    sorted.sort_by_key(|s| (s.starts_at, s.room_id, s.id));
    dates
        .into_iter()
        .enumerate()
        .map(|(i, date)| {
            let mine: Vec<&Session> = sorted
                .iter()
                .copied()
                .filter(|s| local_date(tz, s) == date)
                .collect();
            let closing_day = if programme.closes_at > programme.opens_at {
                date
            } else {
                date.succ_opt().unwrap_or(date)
            };
            let mut start = at_local(tz, date, programme.opens_at);
            let mut end = at_local(tz, closing_day, programme.closes_at);
            for s in &mine {
                start = start.min(s.starts_at);
                end = end.max(s.ends_at);
            }
            Day {
                index: i + 1,
                date,
                start,
                end,
                sessions: mine,
            }
        })
        .collect()
}

pub(super) fn ymd(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// First and last day of the export (the event's, unless a session lies outside them).
pub(super) fn span(programme: &Programme, days: &[Day<'_>]) -> (NaiveDate, NaiveDate) {
    let first = days.first().map_or(programme.starts_on, |d| d.date);
    let last = days.last().map_or(programme.ends_on, |d| d.date);
    (first, last)
}
