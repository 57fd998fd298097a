//! What a schedule release means for the attendees who hold seats (SPEC §4.2, §6):
//!
//! 1. In the release's own transaction ([`FollowRelease`], a `schedule::releases::Released`):
//!    bookings of moved sessions take their new times, bookings of cancelled sessions are
//!    cancelled, waiting lists move up where a session gained seats, and one
//!    `schedule_notices` row is written per (attendee, changed session). That is a few indexed
//!    statements, whatever the number of attendees, so the release request stays short.
//! 2. The notices job ([`write_due`], on the jobs thread, woken by the release's commit) turns
//!    each attendee's rows into one `schedule_changed` email — every change listed, with an
//!    iTIP `METHOD:REQUEST` part for moved and changed sessions (the UID of the feed and
//!    exports, `SEQUENCE` as of this release) and a `METHOD:CANCEL` part for cancelled ones —
//!    and deletes those rows in the same transaction. A crash at any point loses no email and
//!    repeats none; two instances never take the same rows (the delete decides who owns them).

use std::collections::{BTreeMap, HashMap};

use diesel::OptionalExtension;
use serde_json::json;

use super::model::{RegistrationRow, Status};
use super::store::{self, NewNotices};
use super::{agenda, bookings, service};
use crate::calendar::ics::{self, Calendar, Method};
use crate::config::Settings;
use crate::db::{Conn, Db};
use crate::email::{self, Attachment, EmailKind, NewEmail};
use crate::error::AppResult;
use crate::events::{store as events, Event};
use crate::schedule::changes::{item, CANCELLED, CHANGED, MOVED};
use crate::schedule::exports;
use crate::schedule::releases::{
    self, Preview, PreviewEmail, PublishedSession, Publishing, Release, Released, Snapshot,
};

/// The release hook: bookings follow their sessions; notices are queued.
pub struct FollowRelease;

impl Released for FollowRelease {
    fn released(&self, c: &mut Conn, publishing: Publishing) -> AppResult<()> {
        let Publishing {
            event,
            previous,
            release,
        } = publishing;
        let by_id: HashMap<i64, &PublishedSession> = release
            .snapshot
            .sessions
            .iter()
            .map(|s| (s.id, s))
            .collect();
        let touched = touched(previous, release);
        let now = crate::db::now();
        let mut queued = 0;
        for &(session_id, change) in &touched {
            let holders = store::registrations_in_session(c, session_id)?;
            let notices = NewNotices {
                event_id: event.id,
                release_id: release.id,
                session_id,
                change,
                registration_ids: &holders,
            };
            queued += store::insert_notices(c, &notices, now)?;
            match (change, by_id.get(&session_id)) {
                (CANCELLED, _) => store::delete_bookings_in_session(c, session_id)?,
                (_, Some(s)) => {
                    store::move_bookings(c, s)?;
                    bookings::promote(c, s.id, s.capacity)?;
                }
                (_, None) => {}
            }
        }
        if queued > 0 {
            c.queued(crate::db::Queued {
                jobs: true,
                ..Default::default()
            });
        }
        Ok(())
    }

    fn preview(&self, c: &mut Conn, publishing: Publishing) -> AppResult<Option<Preview>> {
        let Publishing {
            event,
            previous,
            release,
        } = publishing;
        let touched = touched(previous, release);
        let mut holders: Vec<i64> = Vec::new();
        for (session_id, _) in &touched {
            holders.extend(store::registrations_in_session(c, *session_id)?);
        }
        holders.sort_unstable();
        holders.dedup();
        let before = previous.map(|p| p.snapshot.clone()).unwrap_or_default();
        let mut emails = Vec::new();
        for lang in &event.languages {
            let items: Vec<_> = touched
                .iter()
                .filter_map(|(id, change)| item(event, &before, release, *id, change, *lang))
                .map(|(item, _, _)| item)
                .collect();
            if items.is_empty() {
                continue;
            }
            let sample = email::templates::SAMPLE_NAME;
            let extra = json!({
                "changes": items,
                "comment": release.comment,
                "agenda_url": "…",
            });
            let mut ctx = email::common_context(event, *lang, sample);
            if let serde_json::Value::Object(extra) = extra {
                ctx.extend(extra);
            }
            let rendered = email::templates::render(
                c,
                Some(event.id),
                EmailKind::ScheduleChanged,
                *lang,
                &serde_json::Value::Object(ctx),
            )?;
            emails.push(PreviewEmail {
                language: *lang,
                subject: rendered.parts.subject,
                text: rendered.parts.text,
            });
        }
        Ok(Some(Preview {
            recipients: holders.len(),
            emails,
        }))
    }
}

/// The sessions a release touched in a way their attendees hear of: moved, changed so that
/// they would see it, or cancelled.
fn touched(previous: Option<&Release>, release: &Release) -> Vec<(i64, &'static str)> {
    let diff = &release.diff;
    let before: HashMap<i64, &PublishedSession> = previous
        .map(|p| p.snapshot.sessions.iter().map(|s| (s.id, s)).collect())
        .unwrap_or_default();
    diff.moved
        .iter()
        .map(|e| (e.id, MOVED))
        .chain(
            diff.changed
                .iter()
                .filter(|e| match (before.get(&e.id), by_id_of(release, e.id)) {
                    (Some(b), Some(a)) => shows_differently(b, a),
                    _ => true,
                })
                .map(|e| (e.id, CHANGED)),
        )
        .chain(diff.cancelled.iter().map(|e| (e.id, CANCELLED)))
        .collect()
}

fn by_id_of(release: &Release, id: i64) -> Option<&PublishedSession> {
    release.snapshot.sessions.iter().find(|s| s.id == id)
}

/// Whether an attendee would see a difference in a `changed` session: its title, abstract,
/// kind, language, track or speakers. A new capacity or a speaker's edited biography changes
/// the release (and the calendars' `SEQUENCE`) but is not worth an email.
fn shows_differently(before: &PublishedSession, after: &PublishedSession) -> bool {
    let speakers = |s: &PublishedSession| -> Vec<(i64, String)> {
        s.speakers.iter().map(|p| (p.id, p.name.clone())).collect()
    };
    before.title != after.title
        || before.abstract_text != after.abstract_text
        || before.kind != after.kind
        || before.language != after.language
        || before.track_id != after.track_id
        || speakers(before) != speakers(after)
}

/// Attendees handled per transaction by [`write_due`].
const BATCH: usize = 50;

/// Writes the `schedule_changed` emails of pending notices, [`BATCH`] attendees per write
/// transaction, until none is left; returns how many emails it queued.
pub fn write_due(db: &Db, settings: &Settings) -> AppResult<usize> {
    let mut written = 0;
    loop {
        let mut pooled = db.get()?;
        let (done, emails) = pooled.conn().write_tx(|c| write_batch(c, settings))?;
        written += emails;
        if emails > 0 {
            db.outbox().notify();
        }
        if done == 0 {
            return Ok(written);
        }
    }
}

/// One transaction's worth: returns (attendees handled, emails queued).
fn write_batch(c: &mut Conn, settings: &Settings) -> AppResult<(usize, usize)> {
    let heads = store::oldest_notices(c, (BATCH * 4) as i64)?;
    let mut pairs: Vec<(i64, i64, i64)> = Vec::new();
    for h in heads {
        if !pairs.iter().any(|p| p.1 == h.1 && p.2 == h.2) {
            pairs.push(h);
        }
        if pairs.len() == BATCH {
            break;
        }
    }
    // Lock each event before touching its attendees, as every registration change does (an
    // erasure racing this batch waits, or finds the email already queued and erases it), in
    // ascending order so that two instances' batches cannot deadlock.
    let mut events: Vec<i64> = pairs.iter().map(|p| p.0).collect();
    events.sort_unstable();
    events.dedup();
    for event_id in events {
        crate::db::lock_event(c, event_id)?;
    }
    let mut context = Context::default();
    let mut emails = 0;
    for (event_id, release_id, registration_id) in &pairs {
        // The delete decides who owns these rows: a concurrent job (another instance) that
        // took them first leaves nothing to delete here.
        let changes = store::take_notices(c, *release_id, *registration_id)?;
        if changes.is_empty() {
            continue;
        }
        let reg = store::find_by_id(c, *registration_id).optional()?;
        // Someone who cancelled or was erased since the release holds no seat any more.
        let Some(reg) = reg.filter(|r| r.status() == Status::Confirmed && r.email.is_some()) else {
            continue;
        };
        let release = context.release(c, *event_id, *release_id)?;
        queue_email(c, settings, &release, &reg, &changes)?;
        emails += 1;
    }
    Ok((pairs.len(), emails))
}

/// What a batch reads once per release.
#[derive(Default)]
struct Context {
    releases: BTreeMap<i64, std::rc::Rc<Loaded>>,
}

struct Loaded {
    event: Event,
    release: Release,
    /// The release before it: where cancelled sessions were.
    before: Snapshot,
    sequences: BTreeMap<i64, u32>,
}

impl Context {
    fn release(
        &mut self,
        c: &mut Conn,
        event_id: i64,
        release_id: i64,
    ) -> AppResult<std::rc::Rc<Loaded>> {
        if let Some(found) = self.releases.get(&release_id) {
            return Ok(found.clone());
        }
        let loaded = std::rc::Rc::new(Loaded {
            event: events::find(c, event_id)?,
            release: releases::find(c, event_id, release_id)?,
            before: releases::previous(c, event_id, release_id)?
                .map(|r| r.snapshot)
                .unwrap_or_default(),
            sequences: releases::sequences(c, event_id, release_id)?,
        });
        self.releases.insert(release_id, loaded.clone());
        Ok(loaded)
    }
}

fn queue_email(
    c: &mut Conn,
    settings: &Settings,
    loaded: &Loaded,
    reg: &RegistrationRow,
    changes: &[(i64, String)],
) -> AppResult<()> {
    let Some(to) = reg.email.as_deref() else {
        return Ok(());
    };
    let (event, release) = (&loaded.event, &loaded.release);
    let lang = reg.language();
    let host = settings.message_domain();
    let base = settings.base_url();
    let mut items = Vec::new();
    let mut updates = Vec::new();
    let mut cancels = Vec::new();
    let mut ordered: Vec<&(i64, String)> = changes.iter().collect();
    ordered.sort_by_key(|(id, change)| (change == CANCELLED, *id));
    for (session_id, change) in ordered {
        let sequence = loaded.sequences.get(session_id).copied().unwrap_or(0);
        let Some((item, s, snapshot)) =
            item(event, &loaded.before, release, *session_id, change, lang)
        else {
            continue;
        };
        items.push(item);
        let mut vevent = exports::vevent(
            event,
            snapshot,
            s,
            sequence,
            release.published_at,
            &host,
            base,
            lang,
        );
        // The attendee lines RFC 5546 asks of a REQUEST or CANCEL.
        vevent.organizer = Some(event.contact_email.clone());
        vevent.attendee = Some(to.to_string());
        if change == CANCELLED {
            vevent.status = Some(ics::Status::Cancelled);
            cancels.push(vevent);
        } else {
            updates.push(vevent);
        }
    }
    if items.is_empty() {
        return Ok(());
    }
    let name = event.name.get(lang, event.default_language).to_string();
    let mut attachments = Vec::new();
    if !updates.is_empty() {
        let ics = Calendar {
            method: Method::Request,
            name: Some(name.clone()),
            events: updates,
        }
        .write();
        attachments.push(Attachment::new(
            "update.ics",
            "text/calendar; charset=utf-8; method=REQUEST",
            None,
            ics.as_bytes(),
        ));
    }
    if !cancels.is_empty() {
        let ics = Calendar {
            method: Method::Cancel,
            name: Some(name),
            events: cancels,
        }
        .write();
        attachments.push(Attachment::new(
            "cancel.ics",
            "text/calendar; charset=utf-8; method=CANCEL",
            None,
            ics.as_bytes(),
        ));
    }
    // An email that carries a link carries a token minted for it: the feed of a new manage
    // token.
    let manage = service::mint_manage(c, reg.id)?;
    let extra = json!({
        "changes": items,
        "comment": release.comment,
        "agenda_url": agenda::url(settings, &manage),
    });
    let kind = EmailKind::ScheduleChanged;
    let email = NewEmail {
        registration_id: Some(reg.id),
        attachments,
        ..NewEmail::about(event, kind, to, reg.display_name(), lang, extra)
    };
    email::enqueue(c, email, &host)?;
    Ok(())
}
