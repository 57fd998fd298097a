//! What the frab XML and c3voc JSON readers give: a programme read from a schedule file,
//! before it meets the working copy's rules. Both readers check each event the same way, here,
//! and report every bad field at once as `(dotted path, message)`; rooms, tracks and speakers
//! keep the order they first appear in.

use chrono::{DateTime, FixedOffset, TimeDelta};

use crate::domain::text::MAX_ERRORS;

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
    /// The session kind's own word (`keynote`, `seminar`, `panel`, `workshop`, `break`).
    pub kind: String,
    pub language: Option<String>,
    pub track: Option<String>,
    pub room: String,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub speaker_keys: Vec<String>,
    /// The session's own seats: neither format carries them, so always none (the room's).
    pub capacity: Option<i32>,
}

/// The session kind a frab/c3voc `type` names, as Salon's own word; talks, lectures and
/// anything unknown are seminars.
fn kind_of(kind: &str) -> &'static str {
    match kind.trim().to_lowercase().as_str() {
        "keynote" => "keynote",
        "panel" | "panel discussion" | "discussion" => "panel",
        "workshop" | "hands-on" => "workshop",
        "break" | "pause" => "break",
        _ => "seminar",
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

pub(super) fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// One event of either format, as plain text, before its checks.
pub(super) struct RawEvent {
    pub path: String,
    pub title: Option<String>,
    pub abstract_text: Option<String>,
    pub description: Option<String>,
    pub kind: Option<String>,
    pub language: Option<String>,
    pub track: Option<String>,
    pub room: Option<String>,
    pub date: Option<String>,
    pub duration: Option<String>,
    pub persons: Vec<RawPerson>,
}

impl RawEvent {
    /// An event read by `text` (one member or child element by name); `track` and `room` are
    /// read by the format, which nests them differently.
    pub fn read(
        text: impl Fn(&str) -> Option<String>,
        track: Option<String>,
        room: Option<String>,
        persons: Vec<RawPerson>,
        path: String,
    ) -> RawEvent {
        RawEvent {
            title: text("title"),
            abstract_text: text("abstract"),
            description: text("description"),
            kind: text("type"),
            language: text("language"),
            track,
            room,
            date: text("date"),
            duration: text("duration"),
            persons,
            path,
        }
    }
}

pub(super) struct RawPerson {
    pub path: String,
    pub key: Option<String>,
    pub name: Option<String>,
    pub bio: Option<String>,
}

#[derive(Default)]
pub(super) struct Builder {
    out: Imported,
    errors: Vec<(String, String)>,
    /// Errors found past [`MAX_ERRORS`], counted, not kept.
    more_errors: usize,
}

impl Builder {
    pub fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push((path.into(), message.into()));
        } else {
            self.more_errors += 1;
        }
    }

    pub fn room(&mut self, name: &str, capacity: Option<i32>) {
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

    pub fn track(&mut self, name: &str, color: Option<String>) {
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

    pub fn session(&mut self, raw: RawEvent) {
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
            kind: kind_of(raw.kind.as_deref().unwrap_or("")).to_string(),
            language: nonempty(raw.language),
            track,
            room,
            starts_at,
            ends_at,
            speaker_keys,
            capacity: None,
        });
    }

    pub fn finish(mut self) -> Result<Imported, Vec<(String, String)>> {
        if self.more_errors > 0 {
            self.errors.push((
                "body".to_string(),
                format!(
                    "only the first {} errors are listed; {} more were found",
                    MAX_ERRORS, self.more_errors
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
