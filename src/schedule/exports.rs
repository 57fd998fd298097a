//! The public exports of a release (SPEC §4.2) — iCalendar, frab schedule XML, c3voc schedule
//! JSON — and the import of the latter two into an [`Imported`] programme. Pure functions: no
//! database, no HTTP.
//!
//! Why it is shaped this way:
//! - GUIDs are derived, not stored: SHA-256 of `salon:{host}:session:{id}` shaped as a UUID
//!   (version and variant bits of a v5), so every release — and every instance serving the
//!   same host — gives a session the same GUID. Rooms and speakers get theirs the same way.
//! - The calendar UID is `session-{id}@{host}`, as the per-session `.ics` of the pages, the
//!   personal agenda feed and the iTIP change emails use: one session, one calendar entry.
//!   Times are written in UTC, so no VTIMEZONE is needed.
//! - The XML follows c3voc's validator (voc/schedule `validator/xsd/schedule.xml.xsd`) and what
//!   pretalx writes; the JSON follows voc/schedule `validator/json/schema.json` and pretalx's
//!   exporter. Days run from the event's first to its last day (plus any day that holds a
//!   session); a session belongs to its local date in the event's timezone.
//! - `type` carries the session kind's own word (`keynote`, `seminar`…), so an export imported
//!   back gives the same kinds. Halls, speakers' organizations and sessions' own capacities
//!   have no place in these formats; room capacities and biographies only in the JSON.
//! - Imports report every bad field at once, as `(dotted path, message)`; rooms, tracks and
//!   speakers keep the order they first appear in.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::model::SessionKind;
use super::releases::{PublishedSession, Release, Snapshot};
use crate::domain::{ics, Language};
use crate::events::Event;

const GENERATOR: &str = "salon";
const GENERATOR_VERSION: &str = env!("CARGO_PKG_VERSION");
const PRODID: &str = "-//Salon//Salon//EN";
const C3VOC_SCHEMA: &str = "https://c3voc.de/schedule/schema.json";
const TIMESLOT: &str = "00:05";

// ---------------------------------------------------------------------------------------------
// Identifiers

/// A UUID-shaped digest of `seed` (version 5 and RFC 4122 variant bits set).
fn uuid_of(seed: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, &byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// The session's GUID in the XML and JSON exports: the same in every release.
pub fn guid(host: &str, session_id: i64) -> String {
    uuid_of(&format!("salon:{host}:session:{session_id}"))
}

fn room_guid(host: &str, room_id: i64) -> String {
    uuid_of(&format!("salon:{host}:room:{room_id}"))
}

fn person_guid(host: &str, speaker_id: i64) -> String {
    uuid_of(&format!("salon:{host}:speaker:{speaker_id}"))
}

/// The session's calendar UID, shared by every calendar Salon writes.
pub fn uid(host: &str, session_id: i64) -> String {
    format!("session-{session_id}@{host}")
}

fn session_url(base_url: &str, slug: &str, session_id: i64) -> String {
    format!(
        "{}/events/{slug}/sessions/{session_id}",
        base_url.trim_end_matches('/')
    )
}

/// A frab slug, `{event}-{id}-{title}` in `a-z0-9-`, which c3voc's tools use for file names.
fn frab_slug(event_slug: &str, session_id: i64, title: &str) -> String {
    let mut prefix: String = event_slug
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        .collect();
    while prefix.len() < 4 {
        prefix.push('0');
    }
    let mut words = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            if words.len() >= 60 {
                break;
            }
            words.push(c.to_ascii_lowercase());
        } else if !words.is_empty() && !words.ends_with('-') {
            words.push('-');
        }
    }
    let words = words.trim_end_matches('-');
    let words = if words.is_empty() {
        "session".to_string()
    } else if words.len() < 4 {
        format!("{words}-session")
    } else {
        words.to_string()
    };
    format!("{prefix}-{session_id}-{words}")
}

// ---------------------------------------------------------------------------------------------
// Names, days and times shared by the exports

fn track_name(
    snapshot: &Snapshot,
    track_id: Option<i64>,
    lang: Language,
    fallback: Language,
) -> Option<String> {
    let id = track_id?;
    snapshot
        .tracks
        .iter()
        .find(|t| t.id == id)
        .map(|t| t.name.get(lang, fallback).to_string())
}

/// Every room of the release in its order, then any room a session names that is not listed.
fn room_list(snapshot: &Snapshot, lang: Language, fallback: Language) -> Vec<(i64, String)> {
    let mut out: Vec<(i64, String)> = snapshot
        .rooms
        .iter()
        .map(|r| (r.id, r.name.get(lang, fallback).to_string()))
        .collect();
    for s in &snapshot.sessions {
        if !out.iter().any(|(id, _)| *id == s.room_id) {
            out.push((s.room_id, format!("Room {}", s.room_id)));
        }
    }
    out
}

fn local_date(tz: Tz, s: &PublishedSession) -> NaiveDate {
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
fn duration_hhmm(s: &PublishedSession) -> String {
    let minutes = (s.ends_at - s.starts_at).num_minutes().max(0);
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

struct Day<'a> {
    index: usize,
    date: NaiveDate,
    start: DateTime<FixedOffset>,
    end: DateTime<FixedOffset>,
    sessions: Vec<&'a PublishedSession>,
}

/// The event's days (at least one), plus any day a session falls on, each with its sessions
/// in start order. A day spans the event's daily hours, widened to hold its sessions.
fn days<'a>(event: &Event, sessions: &'a [PublishedSession]) -> Vec<Day<'a>> {
    let tz = event.timezone;
    let mut dates = BTreeSet::new();
    let mut date = event.starts_on;
    while date <= event.ends_on {
        dates.insert(date);
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    if dates.is_empty() {
        dates.insert(event.starts_on);
    }
    for s in sessions {
        dates.insert(local_date(tz, s));
    }
    let mut sorted: Vec<&PublishedSession> = sessions.iter().collect();
    sorted.sort_by_key(|s| (s.starts_at, s.room_id, s.id));
    dates
        .into_iter()
        .enumerate()
        .map(|(i, date)| {
            let mine: Vec<&PublishedSession> = sorted
                .iter()
                .copied()
                .filter(|s| local_date(tz, s) == date)
                .collect();
            let closing_day = if event.closes_at > event.opens_at {
                date
            } else {
                date.succ_opt().unwrap_or(date)
            };
            let mut start = at_local(tz, date, event.opens_at);
            let mut end = at_local(tz, closing_day, event.closes_at);
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

fn ymd(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// First and last day of the export (the event's, unless a session lies outside them).
fn span(event: &Event, days: &[Day<'_>]) -> (NaiveDate, NaiveDate) {
    let first = days.first().map_or(event.starts_on, |d| d.date);
    let last = days.last().map_or(event.ends_on, |d| d.date);
    (first, last)
}

// ---------------------------------------------------------------------------------------------
// iCalendar

fn speakers_label(lang: Language) -> &'static str {
    match lang {
        Language::Ar => "المتحدثون",
        Language::Fr => "Intervenants",
        Language::En => "Speakers",
    }
}

fn location(event: &Event, snapshot: &Snapshot, s: &PublishedSession, lang: Language) -> String {
    let fallback = event.default_language;
    let mut parts: Vec<String> = Vec::new();
    if let Some(room) = snapshot.rooms.iter().find(|r| r.id == s.room_id) {
        parts.push(room.name.get(lang, fallback).to_string());
        if let Some(hall) = &room.hall {
            parts.push(hall.get(lang, fallback).to_string());
        }
    }
    parts.push(event.venue.clone());
    parts.push(event.city.clone());
    parts.retain(|p| !p.trim().is_empty());
    parts.join(", ")
}

fn calendar_description(s: &PublishedSession, lang: Language) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(text) = s
        .abstract_text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        parts.push(text.to_string());
    }
    if !s.speakers.is_empty() {
        let names: Vec<String> = s
            .speakers
            .iter()
            .map(|sp| {
                match sp
                    .organization
                    .as_deref()
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                {
                    Some(org) => format!("{} ({org})", sp.name),
                    None => sp.name.clone(),
                }
            })
            .collect();
        parts.push(format!("{}: {}", speakers_label(lang), names.join(", ")));
    }
    parts.join("\n\n")
}

/// The properties of one session's VEVENT, without `BEGIN:VEVENT`/`END:VEVENT` (which
/// [`calendar_of`] adds), so a caller can append its own (an iTIP `ORGANIZER`, `ATTENDEE`).
/// Values are escaped, lines not yet folded; `snapshot` is the release the session comes from
/// (its rooms and tracks name the location and category).
#[allow(clippy::too_many_arguments)]
pub fn vevent_lines(
    event: &Event,
    snapshot: &Snapshot,
    session: &PublishedSession,
    sequence: u32,
    dtstamp: NaiveDateTime,
    host: &str,
    base_url: &str,
    lang: Language,
) -> Vec<String> {
    let mut lines = vec![
        format!("UID:{}", uid(host, session.id)),
        format!("SEQUENCE:{sequence}"),
        format!("DTSTAMP:{}", ics::utc(dtstamp)),
        format!("DTSTART:{}", ics::utc(session.starts_at.naive_utc())),
        format!("DTEND:{}", ics::utc(session.ends_at.naive_utc())),
        format!("SUMMARY:{}", ics::escape(&session.title)),
        format!(
            "LOCATION:{}",
            ics::escape(&location(event, snapshot, session, lang))
        ),
    ];
    let text = calendar_description(session, lang);
    if !text.is_empty() {
        lines.push(format!("DESCRIPTION:{}", ics::escape(&text)));
    }
    lines.push(format!(
        "URL:{}",
        session_url(base_url, &event.slug, session.id)
    ));
    if let Some(track) = track_name(snapshot, session.track_id, lang, event.default_language) {
        lines.push(format!("CATEGORIES:{}", ics::escape(&track)));
    }
    lines.push("STATUS:CONFIRMED".to_string());
    lines
}

/// [`vevent_lines`] of a cancelled session, for an iTIP `METHOD:CANCEL` calendar: the same
/// UID, the caller's (raised) `sequence`, `STATUS:CANCELLED`.
#[allow(clippy::too_many_arguments)]
pub fn cancel_vevent_lines(
    event: &Event,
    snapshot: &Snapshot,
    session: &PublishedSession,
    sequence: u32,
    dtstamp: NaiveDateTime,
    host: &str,
    base_url: &str,
    lang: Language,
) -> Vec<String> {
    vevent_lines(
        event, snapshot, session, sequence, dtstamp, host, base_url, lang,
    )
    .into_iter()
    .map(|line| {
        if line == "STATUS:CONFIRMED" {
            "STATUS:CANCELLED".to_string()
        } else {
            line
        }
    })
    .collect()
}

/// A whole calendar file (CRLF, folded at 75 octets) of `method` (`PUBLISH`, `REQUEST`,
/// `CANCEL`) named `name`, with one VEVENT per entry of `vevents` (property lines as
/// [`vevent_lines`] gives them).
pub fn calendar_of(method: &str, name: &str, vevents: Vec<Vec<String>>) -> String {
    let mut lines = vec![
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        format!("PRODID:{PRODID}"),
        "CALSCALE:GREGORIAN".to_string(),
        format!("METHOD:{method}"),
        format!("X-WR-CALNAME:{}", ics::escape(name)),
    ];
    for vevent in vevents {
        lines.push("BEGIN:VEVENT".to_string());
        lines.extend(vevent);
        lines.push("END:VEVENT".to_string());
    }
    lines.push("END:VCALENDAR".to_string());
    ics::lines(&lines)
}

/// `/events/{slug}/schedule.ics`: every session of the release, stamped with its publication
/// time; `sequences` as [`super::releases::sequences`] gives them (absent: 0).
pub fn calendar(
    event: &Event,
    release: &Release,
    sequences: &BTreeMap<i64, u32>,
    host: &str,
    base_url: &str,
    lang: Language,
) -> String {
    let mut sessions: Vec<&PublishedSession> = release.snapshot.sessions.iter().collect();
    sessions.sort_by_key(|s| (s.starts_at, s.id));
    let vevents = sessions
        .into_iter()
        .map(|s| {
            vevent_lines(
                event,
                &release.snapshot,
                s,
                sequences.get(&s.id).copied().unwrap_or(0),
                release.published_at,
                host,
                base_url,
                lang,
            )
        })
        .collect();
    calendar_of(
        "PUBLISH",
        event.name.get(lang, event.default_language),
        vevents,
    )
}

// ---------------------------------------------------------------------------------------------
// frab schedule XML

/// Escapes XML text (`attribute`: also tabs and newlines, which attribute values would
/// otherwise turn into spaces); drops characters XML 1.0 cannot hold.
fn xml_escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if c >= '\u{20}' && c != '\u{fffe}' && c != '\u{ffff}' => out.push(c),
            _ => {}
        }
    }
    out
}

/// A small indenting XML writer.
#[derive(Default)]
struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    fn start_tag(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push('<');
        self.out.push_str(tag);
        for (name, value) in attrs {
            self.out.push(' ');
            self.out.push_str(name);
            self.out.push_str("=\"");
            self.out.push_str(&xml_escape(value, true));
            self.out.push('"');
        }
    }

    fn open(&mut self, tag: &str, attrs: &[(&str, &str)]) {
        self.start_tag(tag, attrs);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    fn close(&mut self, tag: &str) {
        self.depth = self.depth.saturating_sub(1);
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push_str(">\n");
    }

    fn leaf(&mut self, tag: &str, attrs: &[(&str, &str)], text: &str) {
        self.start_tag(tag, attrs);
        if text.is_empty() {
            self.out.push_str("/>\n");
        } else {
            self.out.push('>');
            self.out.push_str(&xml_escape(text, false));
            self.out.push_str("</");
            self.out.push_str(tag);
            self.out.push_str(">\n");
        }
    }
}

/// `/events/{slug}/schedule.xml`: frab schedule XML as c3voc's tools and pretalx read it.
/// Every room appears in every day (the XSD allows empty rooms), so an import finds them all.
pub fn frab_xml(
    event: &Event,
    release: &Release,
    host: &str,
    base_url: &str,
    lang: Language,
) -> String {
    let base = base_url.trim_end_matches('/');
    let fallback = event.default_language;
    let snapshot = &release.snapshot;
    let rooms = room_list(snapshot, lang, fallback);
    let days = days(event, &snapshot.sessions);
    let (first, last) = span(event, &days);
    let mut x = Xml::default();
    x.out
        .push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    x.open("schedule", &[]);
    x.leaf(
        "generator",
        &[("name", GENERATOR), ("version", GENERATOR_VERSION)],
        "",
    );
    x.leaf("version", &[], &release.version);
    x.open("conference", &[]);
    x.leaf("acronym", &[], &event.slug);
    x.leaf("title", &[], event.name.get(lang, fallback));
    x.leaf("start", &[], &ymd(first));
    x.leaf("end", &[], &ymd(last));
    x.leaf("days", &[], &days.len().to_string());
    x.leaf("timeslot_duration", &[], TIMESLOT);
    x.leaf("base_url", &[], base);
    x.leaf("time_zone_name", &[], event.timezone.name());
    x.close("conference");
    for day in &days {
        let index = day.index.to_string();
        let date = ymd(day.date);
        let start = day.start.to_rfc3339();
        let end = day.end.to_rfc3339();
        x.open(
            "day",
            &[
                ("index", index.as_str()),
                ("date", date.as_str()),
                ("start", start.as_str()),
                ("end", end.as_str()),
            ],
        );
        for (room_id, room_name) in &rooms {
            // No `guid` on rooms: the published XSD (voc/schedule validator) does not allow
            // it; the JSON export carries room GUIDs.
            x.open("room", &[("name", room_name.as_str())]);
            for s in day.sessions.iter().filter(|s| s.room_id == *room_id) {
                xml_event(&mut x, event, snapshot, s, room_name, host, base, lang);
            }
            x.close("room");
        }
        x.close("day");
    }
    x.close("schedule");
    x.out
}

#[allow(clippy::too_many_arguments)]
fn xml_event(
    x: &mut Xml,
    event: &Event,
    snapshot: &Snapshot,
    s: &PublishedSession,
    room_name: &str,
    host: &str,
    base: &str,
    lang: Language,
) {
    let local = s.starts_at.with_timezone(&event.timezone);
    let event_guid = guid(host, s.id);
    let id = s.id.to_string();
    let track = track_name(snapshot, s.track_id, lang, event.default_language);
    x.open(
        "event",
        &[("guid", event_guid.as_str()), ("id", id.as_str())],
    );
    x.leaf("room", &[], room_name);
    x.leaf("title", &[], &s.title);
    x.leaf("subtitle", &[], "");
    x.leaf("type", &[], s.kind.as_str());
    x.leaf("date", &[], &local.fixed_offset().to_rfc3339());
    x.leaf("start", &[], &local.format("%H:%M").to_string());
    x.leaf("duration", &[], &duration_hhmm(s));
    x.leaf("abstract", &[], s.abstract_text.as_deref().unwrap_or(""));
    x.leaf("slug", &[], &frab_slug(&event.slug, s.id, &s.title));
    x.leaf("track", &[], track.as_deref().unwrap_or(""));
    x.leaf("language", &[], s.language.code());
    x.leaf("description", &[], "");
    x.open("recording", &[]);
    x.leaf("license", &[], "");
    x.leaf("optout", &[], "false");
    x.close("recording");
    if s.speakers.is_empty() {
        x.leaf("persons", &[], "");
    } else {
        x.open("persons", &[]);
        for sp in &s.speakers {
            let person_id = sp.id.to_string();
            x.leaf("person", &[("id", person_id.as_str())], &sp.name);
        }
        x.close("persons");
    }
    x.leaf("links", &[], "");
    x.leaf("attachments", &[], "");
    x.leaf("url", &[], &session_url(base, &event.slug, s.id));
    x.close("event");
}

// ---------------------------------------------------------------------------------------------
// c3voc schedule JSON

/// `/events/{slug}/schedule.json`: c3voc schedule JSON, as pretalx writes it.
pub fn c3voc_json(
    event: &Event,
    release: &Release,
    host: &str,
    base_url: &str,
    lang: Language,
) -> Value {
    let base = base_url.trim_end_matches('/');
    let fallback = event.default_language;
    let snapshot = &release.snapshot;
    let rooms = room_list(snapshot, lang, fallback);
    let days = days(event, &snapshot.sessions);
    let (first, last) = span(event, &days);
    let capacity: BTreeMap<i64, i32> = snapshot.rooms.iter().map(|r| (r.id, r.capacity)).collect();
    let rooms_json: Vec<Value> = rooms
        .iter()
        .map(|(id, name)| {
            let mut room = Map::new();
            room.insert("name".into(), json!(name));
            room.insert("guid".into(), json!(room_guid(host, *id)));
            if let Some(seats) = capacity.get(id) {
                room.insert("capacity".into(), json!(seats));
            }
            Value::Object(room)
        })
        .collect();
    let tracks_json: Vec<Value> = snapshot
        .tracks
        .iter()
        .map(|t| json!({"name": t.name.get(lang, fallback), "color": t.color}))
        .collect();
    let days_json: Vec<Value> = days
        .iter()
        .map(|day| {
            let mut by_room = Map::new();
            for (room_id, room_name) in &rooms {
                let events: Vec<Value> = day
                    .sessions
                    .iter()
                    .filter(|s| s.room_id == *room_id)
                    .map(|s| json_event(event, snapshot, s, room_name, host, base, lang))
                    .collect();
                if events.is_empty() {
                    continue;
                }
                // Two rooms may share a name in one language: keep both rooms' events.
                let slot = by_room
                    .entry(room_name.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = slot {
                    list.extend(events);
                }
            }
            json!({
                "index": day.index,
                "date": ymd(day.date),
                "day_start": day.start.to_rfc3339(),
                "day_end": day.end.to_rfc3339(),
                "rooms": by_room,
            })
        })
        .collect();
    json!({
        "$schema": C3VOC_SCHEMA,
        "generator": {"name": GENERATOR, "version": GENERATOR_VERSION, "url": base},
        "schedule": {
            "version": release.version,
            "base_url": base,
            "conference": {
                "acronym": event.slug,
                "title": event.name.get(lang, fallback),
                "start": ymd(first),
                "end": ymd(last),
                "daysCount": days.len(),
                "timeslot_duration": TIMESLOT,
                "time_zone_name": event.timezone.name(),
                "url": format!("{base}/events/{}", event.slug),
                "rooms": rooms_json,
                "tracks": tracks_json,
                "days": days_json,
            },
        },
    })
}

fn json_event(
    event: &Event,
    snapshot: &Snapshot,
    s: &PublishedSession,
    room_name: &str,
    host: &str,
    base: &str,
    lang: Language,
) -> Value {
    let local = s.starts_at.with_timezone(&event.timezone);
    let persons: Vec<Value> = s
        .speakers
        .iter()
        .map(|sp| {
            let mut person = Map::new();
            person.insert("id".into(), json!(sp.id));
            person.insert("guid".into(), json!(person_guid(host, sp.id)));
            person.insert("name".into(), json!(sp.name));
            if let Some(bio) = sp.bio.as_deref().filter(|b| !b.trim().is_empty()) {
                person.insert("biography".into(), json!(bio));
            }
            Value::Object(person)
        })
        .collect();
    json!({
        "guid": guid(host, s.id),
        "id": s.id,
        "date": local.fixed_offset().to_rfc3339(),
        "start": local.format("%H:%M").to_string(),
        "duration": duration_hhmm(s),
        "room": room_name,
        "slug": frab_slug(&event.slug, s.id, &s.title),
        "url": session_url(base, &event.slug, s.id),
        "title": s.title,
        "subtitle": "",
        // "" rather than null, and `logo`/`answers` present: older revisions of the c3voc
        // schema require them.
        "track": track_name(snapshot, s.track_id, lang, event.default_language).unwrap_or_default(),
        "logo": "",
        "answers": [],
        "type": s.kind.as_str(),
        "language": s.language.code(),
        "abstract": s.abstract_text.clone().unwrap_or_default(),
        "description": "",
        "recording_license": "",
        "do_not_record": false,
        "persons": persons,
        "links": [],
        "attachments": [],
    })
}

// ---------------------------------------------------------------------------------------------
// Import

/// A programme read from a schedule file, before it meets the working copy's rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    pub rooms: Vec<ImportedRoom>,
    pub tracks: Vec<ImportedTrack>,
    pub speakers: Vec<ImportedSpeaker>,
    /// In start order.
    pub sessions: Vec<ImportedSession>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedRoom {
    pub name: String,
    /// Seats, where the file says (c3voc `conference.rooms[].capacity`; frab XML has none).
    pub capacity: Option<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedTrack {
    pub name: String,
    pub color: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedSpeaker {
    /// The person's id in the file (`id`, else `code`, else `guid`), else their name: what
    /// sessions use to name them.
    pub key: String,
    pub name: String,
    pub organization: Option<String>,
    pub bio: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedSession {
    pub title: String,
    pub abstract_text: Option<String>,
    pub kind: SessionKind,
    pub language: Option<String>,
    pub track: Option<String>,
    pub room: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub speaker_keys: Vec<String>,
    /// The session's own seats: neither format carries them, so always none (the room's).
    pub capacity: Option<i32>,
}

/// The kind a frab/c3voc `type` names; talks, lectures and anything unknown are seminars.
fn kind_of(kind: &str) -> SessionKind {
    match kind.trim().to_lowercase().as_str() {
        "keynote" => SessionKind::Keynote,
        "panel" | "panel discussion" | "discussion" => SessionKind::Panel,
        "workshop" | "hands-on" => SessionKind::Workshop,
        "break" | "pause" => SessionKind::Break,
        _ => SessionKind::Seminar,
    }
}

/// RFC 3339, or the same without seconds, with an offset.
fn parse_datetime(s: &str) -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z").ok())
        .or_else(|| DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z").ok())
}

/// `H:MM` or `H:MM:SS`.
fn parse_duration(s: &str) -> Option<TimeDelta> {
    let parts: Vec<&str> = s.trim().split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut numbers = Vec::with_capacity(3);
    for part in &parts {
        if part.is_empty() || part.len() > 4 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        numbers.push(part.parse::<i64>().ok()?);
    }
    let hours = numbers.first().copied().unwrap_or(0);
    let minutes = numbers.get(1).copied().unwrap_or(0);
    let seconds = numbers.get(2).copied().unwrap_or(0);
    if minutes >= 60 || seconds >= 60 {
        return None;
    }
    Some(TimeDelta::seconds(hours * 3600 + minutes * 60 + seconds))
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// One event of either format, as plain text, before its checks.
struct RawEvent {
    path: String,
    title: Option<String>,
    abstract_text: Option<String>,
    description: Option<String>,
    kind: Option<String>,
    language: Option<String>,
    track: Option<String>,
    room: Option<String>,
    date: Option<String>,
    duration: Option<String>,
    persons: Vec<RawPerson>,
}

struct RawPerson {
    path: String,
    key: Option<String>,
    name: Option<String>,
    bio: Option<String>,
}

#[derive(Default)]
struct Builder {
    out: Imported,
    errors: Vec<(String, String)>,
    /// Errors found past [`crate::error::MAX_ERRORS`], counted, not kept.
    more_errors: usize,
}

impl Builder {
    fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        if self.errors.len() < crate::error::MAX_ERRORS {
            self.errors.push((path.into(), message.into()));
        } else {
            self.more_errors += 1;
        }
    }

    fn room(&mut self, name: &str, capacity: Option<i32>) {
        let name = name.trim();
        if name.is_empty() {
            return;
        }
        match self.out.rooms.iter_mut().find(|r| r.name == name) {
            Some(room) => {
                if room.capacity.is_none() {
                    room.capacity = capacity;
                }
            }
            None => self.out.rooms.push(ImportedRoom {
                name: name.to_string(),
                capacity,
            }),
        }
    }

    fn track(&mut self, name: &str, color: Option<String>) {
        let name = name.trim();
        if name.is_empty() {
            return;
        }
        match self.out.tracks.iter_mut().find(|t| t.name == name) {
            Some(track) => {
                if track.color.is_none() {
                    track.color = color;
                }
            }
            None => self.out.tracks.push(ImportedTrack {
                name: name.to_string(),
                color,
            }),
        }
    }

    fn speaker(&mut self, speaker: ImportedSpeaker) {
        match self.out.speakers.iter_mut().find(|s| s.key == speaker.key) {
            Some(known) => {
                if known.bio.is_none() {
                    known.bio = speaker.bio;
                }
                if known.organization.is_none() {
                    known.organization = speaker.organization;
                }
            }
            None => self.out.speakers.push(speaker),
        }
    }

    fn session(&mut self, raw: RawEvent) {
        let p = raw.path;
        let title = nonempty(raw.title);
        if title.is_none() {
            self.error(format!("{p}.title"), "must be a non-empty text");
        }
        let room = nonempty(raw.room);
        if room.is_none() {
            self.error(format!("{p}.room"), "must name a room");
        }
        let starts_at = match nonempty(raw.date) {
            None => {
                self.error(
                    format!("{p}.date"),
                    "must give the start, like 2026-05-03T09:00:00+01:00",
                );
                None
            }
            Some(text) => {
                let parsed = parse_datetime(&text);
                if parsed.is_none() {
                    self.error(
                        format!("{p}.date"),
                        format!("`{text}` is not a time with an offset: 2026-05-03T09:00:00+01:00"),
                    );
                }
                parsed
            }
        };
        let duration = match nonempty(raw.duration) {
            None => {
                self.error(format!("{p}.duration"), "must give the length, like 01:30");
                None
            }
            Some(text) => {
                let parsed = parse_duration(&text);
                if parsed.is_none() {
                    self.error(
                        format!("{p}.duration"),
                        format!("`{text}` is not a length like 01:30 or 1:30:00"),
                    );
                }
                parsed
            }
        };
        let mut speaker_keys: Vec<String> = Vec::new();
        for person in raw.persons {
            let Some(name) = nonempty(person.name) else {
                self.error(format!("{}.name", person.path), "must be a non-empty name");
                continue;
            };
            let key = nonempty(person.key).unwrap_or_else(|| name.clone());
            if !speaker_keys.contains(&key) {
                speaker_keys.push(key.clone());
            }
            self.speaker(ImportedSpeaker {
                key,
                name,
                organization: None,
                bio: nonempty(person.bio),
            });
        }
        let track = nonempty(raw.track);
        if let Some(name) = &track {
            self.track(name, None);
        }
        if let Some(name) = &room {
            self.room(name, None);
        }
        let (Some(title), Some(room), Some(starts_at), Some(duration)) =
            (title, room, starts_at, duration)
        else {
            return;
        };
        let Some(ends_at) = starts_at.checked_add_signed(duration) else {
            self.error(format!("{p}.duration"), "ends too far in the future");
            return;
        };
        self.out.sessions.push(ImportedSession {
            title,
            abstract_text: nonempty(raw.abstract_text).or_else(|| nonempty(raw.description)),
            kind: kind_of(raw.kind.as_deref().unwrap_or("")),
            language: nonempty(raw.language),
            track,
            room,
            starts_at,
            ends_at,
            speaker_keys,
            capacity: None,
        });
    }

    fn finish(mut self) -> Result<Imported, Vec<(String, String)>> {
        if self.more_errors > 0 {
            self.errors.push((
                "body".to_string(),
                format!(
                    "only the first {} errors are listed; {} more were found",
                    crate::error::MAX_ERRORS,
                    self.more_errors
                ),
            ));
        }
        if !self.errors.is_empty() {
            return Err(self.errors);
        }
        self.out.sessions.sort_by_key(|s| s.starts_at);
        Ok(self.out)
    }
}

/// A JSON member as text: strings as they are, numbers written out (ids), else none.
fn json_text(object: &Map<String, Value>, key: &str) -> Option<String> {
    match object.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads a c3voc schedule JSON (as pretalx, frab and Salon write it).
pub fn parse_c3voc(body: &[u8]) -> Result<Imported, Vec<(String, String)>> {
    let root: Value = serde_json::from_slice(body)
        .map_err(|e| vec![("body".to_string(), format!("is not JSON: {e}"))])?;
    let Some(schedule) = root.get("schedule").and_then(Value::as_object) else {
        return Err(vec![(
            "schedule".to_string(),
            "must be an object: this is not a c3voc schedule JSON".to_string(),
        )]);
    };
    let Some(conference) = schedule.get("conference").and_then(Value::as_object) else {
        return Err(vec![(
            "schedule.conference".to_string(),
            "must be an object".to_string(),
        )]);
    };
    let mut b = Builder::default();
    match conference.get("rooms") {
        None | Some(Value::Null) => {}
        Some(Value::Array(rooms)) => {
            for (i, room) in rooms.iter().enumerate() {
                let room = room.as_object();
                match room.and_then(|r| nonempty(json_text(r, "name"))) {
                    Some(name) => {
                        let capacity = room
                            .and_then(|r| r.get("capacity"))
                            .and_then(Value::as_i64)
                            .and_then(|c| i32::try_from(c).ok());
                        b.room(&name, capacity);
                    }
                    None => b.error(
                        format!("schedule.conference.rooms.{i}.name"),
                        "must be a non-empty text",
                    ),
                }
            }
        }
        Some(_) => b.error("schedule.conference.rooms", "must be a list"),
    }
    match conference.get("tracks") {
        None | Some(Value::Null) => {}
        Some(Value::Array(tracks)) => {
            for (i, track) in tracks.iter().enumerate() {
                let track = track.as_object();
                match track.and_then(|t| nonempty(json_text(t, "name"))) {
                    Some(name) => {
                        let color = track.and_then(|t| nonempty(json_text(t, "color")));
                        b.track(&name, color);
                    }
                    None => b.error(
                        format!("schedule.conference.tracks.{i}.name"),
                        "must be a non-empty text",
                    ),
                }
            }
        }
        Some(_) => b.error("schedule.conference.tracks", "must be a list"),
    }
    let Some(days) = conference.get("days").and_then(Value::as_array) else {
        b.error("schedule.conference.days", "must be a list of days");
        return b.finish();
    };
    for (d, day) in days.iter().enumerate() {
        let day_path = format!("schedule.conference.days.{d}");
        let Some(rooms) = day.get("rooms").and_then(Value::as_object) else {
            b.error(
                format!("{day_path}.rooms"),
                "must be an object of room name → events",
            );
            continue;
        };
        for (room_name, events) in rooms {
            let room_path = format!("{day_path}.rooms.{room_name}");
            b.room(room_name, None);
            let Some(events) = events.as_array() else {
                b.error(room_path, "must be a list of events");
                continue;
            };
            for (k, event) in events.iter().enumerate() {
                let path = format!("{room_path}.{k}");
                let Some(event) = event.as_object() else {
                    b.error(path, "must be an object");
                    continue;
                };
                let persons = match event.get("persons") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(list)) => list
                        .iter()
                        .enumerate()
                        .map(|(i, person)| {
                            let person_path = format!("{path}.persons.{i}");
                            match person.as_object() {
                                Some(o) => RawPerson {
                                    path: person_path,
                                    key: json_text(o, "id")
                                        .or_else(|| json_text(o, "code"))
                                        .or_else(|| json_text(o, "guid")),
                                    name: json_text(o, "name")
                                        .or_else(|| json_text(o, "public_name"))
                                        .or_else(|| json_text(o, "full_name")),
                                    bio: json_text(o, "biography"),
                                },
                                None => RawPerson {
                                    path: person_path,
                                    key: None,
                                    name: None,
                                    bio: None,
                                },
                            }
                        })
                        .collect(),
                    Some(_) => {
                        b.error(format!("{path}.persons"), "must be a list");
                        Vec::new()
                    }
                };
                let track = match event.get("track") {
                    Some(Value::Object(t)) => json_text(t, "name"),
                    _ => json_text(event, "track"),
                };
                let raw = RawEvent {
                    title: json_text(event, "title"),
                    abstract_text: json_text(event, "abstract"),
                    description: json_text(event, "description"),
                    kind: json_text(event, "type"),
                    language: json_text(event, "language"),
                    track,
                    room: nonempty(json_text(event, "room")).or_else(|| Some(room_name.clone())),
                    date: json_text(event, "date"),
                    duration: json_text(event, "duration"),
                    persons,
                    path,
                };
                b.session(raw);
            }
        }
    }
    b.finish()
}

fn elements<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Vec<roxmltree::Node<'a, 'input>> {
    node.children()
        .filter(|c| c.is_element() && c.tag_name().name() == name)
        .collect()
}

fn element<'a, 'input>(
    node: roxmltree::Node<'a, 'input>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'input>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// All the text inside an element (CDATA included).
fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect()
}

fn child_text(node: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    element(node, name).map(text_of)
}

/// The deepest element nesting an imported XML may have. A frab schedule nests about 6 deep;
/// thousands of levels cost the parser (and anything walking the tree) time and stack.
pub const MAX_XML_DEPTH: usize = 64;

/// Whether elements in `text` nest deeper than `limit`, counted by a scan that needs no stack
/// and stops at the first tag past it: start tags open, end tags close, `<…/>` does neither;
/// comments, CDATA sections, processing instructions and declarations are skipped whole.
pub fn nesting_over(text: &str, limit: usize) -> bool {
    let b = text.as_bytes();
    let skip_to = |from: usize, end: &[u8]| -> usize {
        b[from..]
            .windows(end.len())
            .position(|w| w == end)
            .map_or(b.len(), |p| from + p + end.len())
    };
    let (mut depth, mut i) = (0usize, 0usize);
    while i < b.len() {
        if b[i] != b'<' {
            i += 1;
            continue;
        }
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i = skip_to(i + 4, b"-->");
        } else if rest.starts_with(b"<![CDATA[") {
            i = skip_to(i + 9, b"]]>");
        } else if rest.starts_with(b"<?") {
            i = skip_to(i + 2, b"?>");
        } else if rest.starts_with(b"<!") || rest.starts_with(b"</") {
            if rest.starts_with(b"</") {
                depth = depth.saturating_sub(1);
            }
            i = skip_to(i + 2, b">");
        } else {
            // A start tag ends at the first `>` outside its quoted attribute values.
            let (mut j, mut quote, mut self_closing) = (i + 1, None, false);
            while j < b.len() {
                match (quote, b[j]) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, c @ (b'"' | b'\'')) => quote = Some(c),
                    (None, b'>') => {
                        self_closing = b[j - 1] == b'/';
                        break;
                    }
                    (None, _) => {}
                }
                j += 1;
            }
            if !self_closing {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            i = j + 1;
        }
    }
    false
}

/// Reads a frab schedule XML (as frab, pretalx and Salon write it). Documents with a DTD are
/// refused (the parser's default), so no entity expansion reaches the server.
pub fn parse_frab(body: &[u8]) -> Result<Imported, Vec<(String, String)>> {
    let text = std::str::from_utf8(body)
        .map_err(|e| vec![("body".to_string(), format!("is not UTF-8 text: {e}"))])?;
    if nesting_over(text, MAX_XML_DEPTH) {
        return Err(vec![(
            "body".to_string(),
            format!(
                "elements are nested more than {MAX_XML_DEPTH} deep: a frab schedule nests about 6"
            ),
        )]);
    }
    let doc = roxmltree::Document::parse(text)
        .map_err(|e| vec![("body".to_string(), format!("is not well-formed XML: {e}"))])?;
    let root = doc.root_element();
    if root.tag_name().name() != "schedule" {
        return Err(vec![(
            "schedule".to_string(),
            format!(
                "the root element is <{}>, not <schedule>: this is not a frab schedule XML",
                root.tag_name().name()
            ),
        )]);
    }
    let mut b = Builder::default();
    for (d, day) in elements(root, "day").into_iter().enumerate() {
        for (r, room) in elements(day, "room").into_iter().enumerate() {
            let room_name = room.attribute("name").map(str::to_string);
            if let Some(name) = &room_name {
                b.room(name, None);
            }
            for (k, event) in elements(room, "event").into_iter().enumerate() {
                let path = format!("schedule.day.{d}.room.{r}.event.{k}");
                let persons = match element(event, "persons") {
                    Some(list) => elements(list, "person")
                        .into_iter()
                        .enumerate()
                        .map(|(i, person)| RawPerson {
                            path: format!("{path}.persons.{i}"),
                            key: person
                                .attribute("id")
                                .or_else(|| person.attribute("guid"))
                                .map(str::to_string),
                            name: Some(text_of(person)),
                            bio: None,
                        })
                        .collect(),
                    None => Vec::new(),
                };
                let raw = RawEvent {
                    title: child_text(event, "title"),
                    abstract_text: child_text(event, "abstract"),
                    description: child_text(event, "description"),
                    kind: child_text(event, "type"),
                    language: child_text(event, "language"),
                    track: child_text(event, "track"),
                    room: nonempty(child_text(event, "room")).or_else(|| room_name.clone()),
                    date: child_text(event, "date"),
                    duration: child_text(event, "duration"),
                    persons,
                    path,
                };
                b.session(raw);
            }
        }
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::domain::Translatable;
    use crate::events::model::EventStatus;
    use crate::schedule::releases::{Diff, PublishedSpeaker};
    use crate::schedule::rooms::RoomOut;
    use crate::schedule::tracks::TrackOut;

    const HOST: &str = "salon.example";
    const BASE: &str = "https://salon.example";

    fn created() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_767_225_600, 0).expect("timestamp")
    }

    fn event() -> Event {
        let noon = NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("time");
        Event {
            id: 1,
            slug: "siccam-2026".into(),
            name: Translatable::PerLanguage(BTreeMap::from([
                (Language::Fr, "Salon SICCAM".to_string()),
                (Language::Ar, "معرض سيكام".to_string()),
            ])),
            description: Translatable::Same(String::new()),
            timezone: chrono_tz::Africa::Casablanca,
            starts_on: NaiveDate::from_ymd_opt(2026, 5, 3).expect("date"),
            ends_on: NaiveDate::from_ymd_opt(2026, 5, 4).expect("date"),
            venue: "Parc des expositions".into(),
            city: "Casablanca".into(),
            languages: vec![Language::Fr, Language::Ar, Language::En],
            default_language: Language::Fr,
            capacity: None,
            opens_at: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
            closes_at: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
            contact_email: "contact@example.org".into(),
            status: EventStatus::Published,
            registration_opens_at: None,
            registration_closes_at: None,
            created_at: noon,
            updated_at: noon,
        }
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("time")
    }

    fn speaker(id: i64, name: &str, bio: Option<&str>) -> PublishedSpeaker {
        PublishedSpeaker {
            id,
            name: name.into(),
            organization: Some("OCP".into()),
            bio: bio.map(str::to_string),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn session(
        id: i64,
        title: &str,
        kind: SessionKind,
        language: Language,
        track_id: Option<i64>,
        room_id: i64,
        (start, end): (&str, &str),
        speakers: Vec<PublishedSpeaker>,
    ) -> PublishedSession {
        PublishedSession {
            id,
            title: title.into(),
            abstract_text: None,
            kind,
            language,
            track_id,
            room_id,
            starts_at: at(start),
            ends_at: at(end),
            capacity: 50,
            speakers,
        }
    }

    fn release() -> Release {
        let amina = speaker(5, "Amina El Idrissi", Some("Ingénieure <b>énergie</b>"));
        let jean = speaker(6, "Jean Dupont", None);
        let mut keynote = session(
            11,
            "Keynote <&> \"ouverture\"",
            SessionKind::Keynote,
            Language::Fr,
            Some(1),
            1,
            ("2026-05-03T09:00:00+01:00", "2026-05-03T10:00:00+01:00"),
            vec![amina.clone()],
        );
        keynote.abstract_text = Some("Première ligne\nSeconde ligne & suite".into());
        let rooms = vec![
            RoomOut {
                id: 1,
                name: Translatable::PerLanguage(BTreeMap::from([
                    (Language::Fr, "Salle A".to_string()),
                    (Language::Ar, "القاعة أ".to_string()),
                ])),
                hall: Some(Translatable::Same("Hall 1".into())),
                capacity: 200,
                created_at: created(),
            },
            RoomOut {
                id: 2,
                name: Translatable::Same("Salle B <&>".into()),
                hall: None,
                capacity: 80,
                created_at: created(),
            },
            RoomOut {
                id: 3,
                name: Translatable::Same("Atelier".into()),
                hall: None,
                capacity: 20,
                created_at: created(),
            },
        ];
        let tracks = vec![
            TrackOut {
                id: 1,
                name: Translatable::Same("Industrie & Innovation".into()),
                color: "#aa3300".into(),
                created_at: created(),
            },
            TrackOut {
                id: 2,
                name: Translatable::Same("Export".into()),
                color: "#0033aa".into(),
                created_at: created(),
            },
        ];
        let sessions = vec![
            keynote,
            session(
                12,
                "ندوة حول الطاقة المتجددة في المغرب ومستقبل الصناعة الخضراء",
                SessionKind::Seminar,
                Language::Ar,
                None,
                2,
                ("2026-05-03T14:00:00+01:00", "2026-05-03T15:30:00+01:00"),
                vec![amina, jean],
            ),
            session(
                13,
                "Workshop",
                SessionKind::Workshop,
                Language::En,
                Some(1),
                1,
                ("2026-05-04T11:00:00+01:00", "2026-05-04T12:15:00+01:00"),
                vec![],
            ),
            session(
                14,
                "Pause café",
                SessionKind::Break,
                Language::Fr,
                None,
                2,
                ("2026-05-04T10:30:00+01:00", "2026-05-04T10:45:00+01:00"),
                vec![],
            ),
        ];
        Release {
            id: 1,
            version: "1.0".into(),
            comment: None,
            published_at: NaiveDate::from_ymd_opt(2026, 4, 1)
                .and_then(|d| d.and_hms_opt(8, 0, 0))
                .expect("time"),
            snapshot: Snapshot {
                rooms,
                tracks,
                sessions,
            },
            diff: Diff::default(),
        }
    }

    fn normalized(mut i: Imported) -> Imported {
        i.tracks.sort_by(|a, b| a.name.cmp(&b.name));
        i.speakers.sort_by(|a, b| a.key.cmp(&b.key));
        i.sessions.sort_by(|a, b| {
            a.starts_at
                .cmp(&b.starts_at)
                .then_with(|| a.title.cmp(&b.title))
        });
        i
    }

    /// What an import of the export should give: JSON carries track colors and biographies,
    /// XML only names tracks that sessions use.
    fn expected(release: &Release, json: bool) -> Imported {
        let (lang, fallback) = (Language::Fr, Language::Fr);
        let snap = &release.snapshot;
        let tracks = snap
            .tracks
            .iter()
            .filter(|t| json || snap.sessions.iter().any(|s| s.track_id == Some(t.id)))
            .map(|t| ImportedTrack {
                name: t.name.get(lang, fallback).to_string(),
                color: json.then(|| t.color.clone()),
            })
            .collect();
        let mut speakers: Vec<ImportedSpeaker> = Vec::new();
        for sp in snap.sessions.iter().flat_map(|s| &s.speakers) {
            if !speakers.iter().any(|k| k.key == sp.id.to_string()) {
                speakers.push(ImportedSpeaker {
                    key: sp.id.to_string(),
                    name: sp.name.clone(),
                    organization: None,
                    bio: if json { sp.bio.clone() } else { None },
                });
            }
        }
        let sessions = snap
            .sessions
            .iter()
            .map(|s| ImportedSession {
                title: s.title.clone(),
                abstract_text: s.abstract_text.clone(),
                kind: s.kind,
                language: Some(s.language.code().to_string()),
                track: track_name(snap, s.track_id, lang, fallback),
                room: snap
                    .rooms
                    .iter()
                    .find(|r| r.id == s.room_id)
                    .map(|r| r.name.get(lang, fallback).to_string())
                    .expect("room"),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                speaker_keys: s.speakers.iter().map(|sp| sp.id.to_string()).collect(),
                capacity: None,
            })
            .collect();
        normalized(Imported {
            rooms: snap
                .rooms
                .iter()
                .map(|r| ImportedRoom {
                    name: r.name.get(lang, fallback).to_string(),
                    capacity: json.then_some(r.capacity),
                })
                .collect(),
            tracks,
            speakers,
            sessions,
        })
    }

    #[test]
    fn c3voc_json_round_trips() {
        let (event, release) = (event(), release());
        let value = c3voc_json(&event, &release, HOST, BASE, Language::Fr);
        let conference = &value["schedule"]["conference"];
        assert_eq!(conference["acronym"], "siccam-2026");
        assert_eq!(conference["daysCount"], 2);
        assert_eq!(conference["time_zone_name"], "Africa/Casablanca");
        let first = &conference["days"][0]["rooms"]["Salle A"][0];
        assert_eq!(first["start"], "09:00");
        assert_eq!(first["duration"], "01:00");
        assert_eq!(first["date"], "2026-05-03T09:00:00+01:00");
        assert_eq!(first["type"], "keynote");
        assert_eq!(first["guid"], guid(HOST, 11).as_str());
        let body = serde_json::to_vec(&value).expect("json");
        let imported = parse_c3voc(&body).expect("import");
        assert_eq!(normalized(imported), expected(&release, true));
    }

    #[test]
    fn frab_xml_round_trips_and_escapes() {
        let (event, release) = (event(), release());
        let xml = frab_xml(&event, &release, HOST, BASE, Language::Fr);
        assert!(xml.contains("<title>Keynote &lt;&amp;&gt; &quot;ouverture&quot;</title>"));
        assert!(xml.contains("name=\"Salle B &lt;&amp;&gt;\""));
        assert!(!xml.contains("<&>"));
        assert!(xml.contains("ندوة حول الطاقة المتجددة"));
        assert!(xml.contains("<days>2</days>"));
        assert!(xml.contains("<start>14:00</start>"));
        assert!(xml.contains("<duration>01:30</duration>"));
        assert!(xml.contains(&format!("<event guid=\"{}\" id=\"11\">", guid(HOST, 11))));
        let imported = parse_frab(xml.as_bytes()).expect("import");
        assert_eq!(imported.rooms, expected(&release, false).rooms);
        assert_eq!(normalized(imported), expected(&release, false));
    }

    #[test]
    fn guids_are_stable_and_uuid_shaped() {
        let g = guid(HOST, 11);
        assert_eq!(g, guid(HOST, 11));
        assert_ne!(g, guid(HOST, 12));
        assert_ne!(g, guid("other.example", 11));
        let groups: Vec<usize> = g.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert!(g.chars().all(|c| c == '-' || c.is_ascii_hexdigit()), "{g}");
        assert!(!g.chars().any(|c| c.is_ascii_uppercase()), "{g}");
        assert_eq!(g.chars().nth(14), Some('5'));
        assert!(
            matches!(g.chars().nth(19), Some('8' | '9' | 'a' | 'b')),
            "{g}"
        );
        assert_eq!(uid(HOST, 11), "session-11@salon.example");
    }

    #[test]
    fn calendar_is_crlf_folded_and_in_utc() {
        let (event, release) = (event(), release());
        let sequences = BTreeMap::from([(11, 2)]);
        let cal = calendar(&event, &release, &sequences, HOST, BASE, Language::Ar);
        assert!(cal.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(cal.ends_with("END:VCALENDAR\r\n"));
        assert!(!cal.replace("\r\n", "").contains('\n'));
        assert!(cal.split("\r\n").all(|l| l.len() <= 75), "{cal}");
        let unfolded = cal.replace("\r\n ", "");
        for line in [
            "METHOD:PUBLISH",
            "X-WR-CALNAME:معرض سيكام",
            "UID:session-11@salon.example",
            "SEQUENCE:2",
            "SEQUENCE:0",
            "DTSTAMP:20260401T080000Z",
            "DTSTART:20260503T080000Z",
            "DTEND:20260503T090000Z",
            "SUMMARY:ندوة حول الطاقة المتجددة في المغرب ومستقبل الصناعة الخضراء",
            "LOCATION:القاعة أ\\, Hall 1\\, Parc des expositions\\, Casablanca",
            "URL:https://salon.example/events/siccam-2026/sessions/11",
            "CATEGORIES:Industrie & Innovation",
        ] {
            assert!(
                unfolded.contains(&format!("{line}\r\n")),
                "{line} in {unfolded}"
            );
        }
        assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), 4);

        let s = &release.snapshot.sessions[0];
        let cancel = cancel_vevent_lines(
            &event,
            &release.snapshot,
            s,
            3,
            release.published_at,
            HOST,
            BASE,
            Language::Fr,
        );
        assert!(cancel.iter().any(|l| l == "STATUS:CANCELLED"));
        assert!(!cancel.iter().any(|l| l == "STATUS:CONFIRMED"));
        let itip = calendar_of("CANCEL", "Salon", vec![cancel]);
        assert!(itip.contains("METHOD:CANCEL\r\n"));
        assert!(itip.contains("UID:session-11@salon.example\r\n"));
    }

    #[test]
    fn pretalx_json_is_read() {
        let body = br##"{"schedule": {"version": "v1", "conference": {
            "acronym": "demo", "title": "Demo",
            "rooms": [{"name": "Main", "guid": "x"}],
            "tracks": [{"name": "Tech", "color": "#112233"}],
            "days": [{"index": 1, "date": "2026-05-03", "rooms": {"Main": [{
                "guid": "g", "id": 7, "date": "2026-05-03T10:00:00+02:00", "start": "10:00",
                "duration": "0:45:00", "room": "Main", "title": " Talk title ", "track": "Tech",
                "type": "Talk", "language": "en", "abstract": "", "description": "Long",
                "persons": [{"code": "ABC", "name": "Ada", "public_name": "Ada", "biography": "Bio"}],
                "links": []}]}}]}}}"##;
        let imported = parse_c3voc(body).expect("import");
        assert_eq!(
            imported.tracks,
            [ImportedTrack {
                name: "Tech".into(),
                color: Some("#112233".into())
            }]
        );
        let s = &imported.sessions[0];
        assert_eq!(s.title, "Talk title");
        assert_eq!(s.kind, SessionKind::Seminar);
        assert_eq!(s.abstract_text.as_deref(), Some("Long"));
        assert_eq!(s.ends_at - s.starts_at, TimeDelta::minutes(45));
        assert_eq!(s.speaker_keys, ["ABC"]);
        assert_eq!(imported.speakers[0].bio.as_deref(), Some("Bio"));
    }

    #[test]
    fn deep_xml_is_refused_before_it_is_parsed() {
        let deep = format!("{}{}", "<a>".repeat(20_000), "</a>".repeat(20_000));
        let body = format!("<schedule>{deep}</schedule>");
        let errors = parse_frab(body.as_bytes()).expect_err("refused");
        assert_eq!(errors[0].0, "body");
        assert!(errors[0].1.contains("nested more than 64"), "{errors:?}");
        let shallow = "<schedule><!-- <a><a> --><day><![CDATA[<br><br>]]><room name=\"a>b\"/></day><?pi <x> ?></schedule>";
        assert!(!nesting_over(shallow, 3));
        assert!(nesting_over("<a><b><c><d/></c></b></a>", 2));
        let quoted = "<a x=\"/>\">".repeat(100);
        assert!(
            nesting_over(&quoted, 64),
            "a quoted /> does not close the tag"
        );
        let linked = "<link title=\"a>b\"/>".repeat(100);
        assert!(
            !nesting_over(&format!("<s>{linked}</s>"), 2),
            "a quoted > does not end it"
        );
        assert!(!nesting_over("<a><b><c><d/></c></b></a>", 3));
    }

    #[test]
    fn a_flood_of_bad_days_reports_the_first_hundred_and_counts_the_rest() {
        let days = vec!["1"; 5_000].join(",");
        let body = format!(r#"{{"schedule": {{"conference": {{"days": [{days}]}}}}}}"#);
        let errors = parse_c3voc(body.as_bytes()).expect_err("refused");
        assert_eq!(errors.len(), crate::error::MAX_ERRORS + 1);
        let (field, message) = errors.last().expect("summary");
        assert_eq!(field, "body");
        assert!(message.contains("4900 more"), "{message}");
    }

    #[test]
    fn imports_report_every_bad_field() {
        let body = br#"{"schedule": {"version": "1", "conference": {"acronym": "x", "title": "x",
            "days": [{"index": 1, "date": "2026-05-03", "rooms": {"A": [
                {"title": "", "date": "nope", "duration": "1h"},
                {"title": "ok", "date": "2026-05-03T09:00:00+01:00", "duration": "00:30",
                 "persons": [{"id": 3}]}]}}]}}}"#;
        let errors = parse_c3voc(body).expect_err("bad");
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        let p = "schedule.conference.days.0.rooms.A";
        assert_eq!(
            fields,
            [
                format!("{p}.0.title"),
                format!("{p}.0.date"),
                format!("{p}.0.duration"),
                format!("{p}.1.persons.0.name"),
            ]
        );
        assert_eq!(parse_c3voc(b"{").expect_err("not json")[0].0, "body");
        assert_eq!(
            parse_frab(b"<foo/>").expect_err("not frab")[0].0,
            "schedule"
        );
        assert_eq!(parse_frab(b"<schedule>").expect_err("not xml")[0].0, "body");
        let frab = "<schedule><day><room name=\"R\"><event id=\"1\"><title>T</title>\
            <type>lecture</type><date>2026-05-03T09:00:00+01:00</date><duration>1:00</duration>\
            <persons><person>Ada</person></persons></event></room></day></schedule>";
        let imported = parse_frab(frab.as_bytes()).expect("frab");
        assert_eq!(imported.sessions[0].room, "R");
        assert_eq!(imported.sessions[0].kind, SessionKind::Seminar);
        assert_eq!(imported.sessions[0].speaker_keys, ["Ada"]);
    }
}
