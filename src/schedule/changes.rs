//! How a release's changes read in the emails it sends: each change — the title, what
//! happened, when and where the session is now and, for a moved one, when and where it was —
//! for the attendees who booked it (`registrations::notices`) and for its speakers
//! ([`tell_speakers`]: one `speaker_schedule_changed` email each, in the release's own
//! transaction, unless the organizer unticked it).

use std::collections::BTreeMap;

use serde_json::json;

use super::releases::{PublishedSession, Release, Snapshot};
use super::store;
use crate::db::Conn;
use crate::domain::{dates, Language};
use crate::email::{self, EmailKind, NewEmail};
use crate::error::AppResult;
use crate::events::Event;

/// How a release touched a session.
pub const MOVED: &str = "moved";
pub const CHANGED: &str = "changed";
pub const CANCELLED: &str = "cancelled";

/// One change as the emails list it, with the session and the programme it is read from (the
/// previous one for a cancelled session).
pub fn item<'a>(
    event: &Event,
    before: &'a Snapshot,
    release: &'a Release,
    session_id: i64,
    change: &str,
    lang: Language,
) -> Option<(serde_json::Value, &'a PublishedSession, &'a Snapshot)> {
    let find = |snapshot: &'a Snapshot| snapshot.sessions.iter().find(|s| s.id == session_id);
    let (snapshot, session) = if change == CANCELLED {
        (before, find(before)?)
    } else {
        (&release.snapshot, find(&release.snapshot)?)
    };
    let was = (change == MOVED).then(|| find(before)).flatten();
    let item = json!({
        "title": session.title,
        "change": change,
        "when": when(session, lang),
        "room": room_name(snapshot, event, session.room_id, lang),
        "was_when": was.map(|w| when(w, lang)),
        "was_room": was.and_then(|w| room_name(before, event, w.room_id, lang)),
    });
    Some((item, session, snapshot))
}

fn room_name(snapshot: &Snapshot, event: &Event, room_id: i64, lang: Language) -> Option<String> {
    snapshot
        .rooms
        .iter()
        .find(|r| r.id == room_id)
        .map(|r| r.name.get(lang, event.default_language).to_string())
}

fn when(s: &PublishedSession, lang: Language) -> String {
    format!(
        "{}–{}",
        dates::day_time(lang, s.starts_at.naive_local()),
        s.ends_at.format("%H:%M")
    )
}

/// The speakers a release has something to tell, by speaker id: each session of theirs it
/// moved, changed or cancelled. A speaker taken off a changed session is told too.
pub fn speakers_touched(
    before: &Snapshot,
    release: &Release,
) -> BTreeMap<i64, Vec<(i64, &'static str)>> {
    let diff = &release.diff;
    let speakers_of = |snapshot: &Snapshot, id: i64| -> Vec<i64> {
        snapshot
            .sessions
            .iter()
            .filter(|s| s.id == id)
            .flat_map(|s| s.speakers.iter().map(|p| p.id))
            .collect()
    };
    let mut out: BTreeMap<i64, Vec<(i64, &'static str)>> = BTreeMap::new();
    let touched = diff
        .moved
        .iter()
        .map(|e| (e.id, MOVED))
        .chain(diff.changed.iter().map(|e| (e.id, CHANGED)))
        .chain(diff.cancelled.iter().map(|e| (e.id, CANCELLED)));
    for (id, change) in touched {
        let mut speakers = speakers_of(before, id);
        speakers.extend(speakers_of(&release.snapshot, id));
        speakers.sort_unstable();
        speakers.dedup();
        for speaker in speakers {
            out.entry(speaker).or_default().push((id, change));
        }
    }
    out
}

/// The speakers with an email address that [`tell_speakers`] would write to for `release`.
pub fn speakers_to_tell(
    c: &mut Conn,
    event: &Event,
    previous: Option<&Release>,
    release: &Release,
) -> AppResult<usize> {
    let empty = Snapshot::default();
    let before = previous.map_or(&empty, |p| &p.snapshot);
    let ids: Vec<i64> = speakers_touched(before, release).into_keys().collect();
    Ok(store::speakers_among(c, event.id, &ids)?
        .iter()
        .filter(|s| s.email.as_deref().is_some_and(|e| !e.is_empty()))
        .count())
}

/// Queues one `speaker_schedule_changed` email for each speaker (with an email address) of a
/// session `release` moved, changed or cancelled, in the fair's default language (speakers
/// have no language of their own), carrying the release's comment. How many were queued.
pub fn tell_speakers(
    c: &mut Conn,
    event: &Event,
    previous: Option<&Release>,
    release: &Release,
    message_domain: &str,
) -> AppResult<usize> {
    let empty = Snapshot::default();
    let before = previous.map_or(&empty, |p| &p.snapshot);
    let touched = speakers_touched(before, release);
    let ids: Vec<i64> = touched.keys().copied().collect();
    let lang = event.default_language;
    let mut queued = 0;
    for speaker in store::speakers_among(c, event.id, &ids)? {
        let Some(to) = speaker.email.as_deref().filter(|e| !e.is_empty()) else {
            continue;
        };
        let items: Vec<_> = touched[&speaker.id]
            .iter()
            .filter_map(|(id, change)| item(event, before, release, *id, change, lang))
            .map(|(item, _, _)| item)
            .collect();
        let extra = json!({"changes": items, "comment": release.comment});
        let kind = EmailKind::SpeakerScheduleChanged;
        let email = NewEmail::about(event, kind, to, &speaker.name, lang, extra);
        email::enqueue(c, email, message_domain)?;
        queued += 1;
    }
    Ok(queued)
}
