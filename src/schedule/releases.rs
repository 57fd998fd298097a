//! Schedule releases: publishing the working copy, the snapshots and diffs, and
//! `GET /api/v1/events/{slug}/schedule/releases` (the routes that publish and read the public
//! programme are in `publishing.rs`).
//!
//! A release is a snapshot of the working copy's scheduled sessions (with their rooms, tracks
//! and speakers' public fields) and its diff from the previous release: `new`, `moved` (room or
//! time changed), `changed` (anything else changed) and `cancelled` (deleted or unscheduled).
//! Snapshots are stored as JSON, so what the public read never changes after publication.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{ReleaseForm, ReleaseRow, SessionFilters, SessionKind, SessionRow};
use super::rooms::RoomOut;
use super::store;
use super::tracks::TrackOut;
use crate::audit;
use crate::db::{Conn, PageRequest};
use crate::domain::{Language, Role};
use crate::error::{AppError, AppResult};
use crate::events::handlers::FairList;
use crate::events::Event;
use crate::web::list::{ListParams, Page};
use crate::web::Reply;

/// What another area does in a release's own transaction once it is written (registrations:
/// bookings follow their sessions, and the attendees whose booked sessions changed are queued
/// for a `schedule_changed` email). The app hands the list to the release route as
/// `web::Data<ReleaseHooks>`.
pub trait Released: Send + Sync {
    /// Called after the release is written, before commit; an error rolls the release back.
    fn released(&self, c: &mut Conn, publishing: Publishing) -> AppResult<()>;

    /// What [`Released::released`] would do for the release (not written), for the release
    /// page to show before anyone presses the button; none when it has nothing to say.
    fn preview(&self, c: &mut Conn, publishing: Publishing) -> AppResult<Option<Preview>> {
        let _ = (c, publishing);
        Ok(None)
    }
}

/// A release of the event's programme, and the one before it (none for the first).
#[derive(Clone, Copy)]
pub struct Publishing<'a> {
    pub event: &'a Event,
    pub previous: Option<&'a Release>,
    pub release: &'a Release,
}

/// What a hook would do for a release: how many people it would email, and that email as
/// each language would read it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Preview {
    pub recipients: usize,
    pub emails: Vec<PreviewEmail>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PreviewEmail {
    pub language: Language,
    pub subject: String,
    pub text: String,
}

/// Every area's reaction to a release, in the order they run.
#[derive(Default)]
pub struct ReleaseHooks(pub Vec<Box<dyn Released>>);

impl ReleaseHooks {
    /// Every hook's [`Released::preview`] of the release.
    pub fn preview(&self, c: &mut Conn, publishing: Publishing) -> AppResult<Vec<Preview>> {
        let mut out = Vec::new();
        for hook in &self.0 {
            out.extend(hook.preview(c, publishing)?);
        }
        Ok(out)
    }

    pub fn run(&self, c: &mut Conn, publishing: Publishing) -> AppResult<()> {
        for hook in &self.0 {
            hook.released(c, publishing)?;
        }
        Ok(())
    }
}

/// A speaker as the published programme shows them (never their email).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublishedSpeaker {
    pub id: i64,
    pub name: String,
    pub organization: Option<String>,
    pub bio: Option<String>,
}

/// A session of a release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublishedSession {
    pub id: i64,
    pub title: String,
    #[serde(rename = "abstract")]
    pub abstract_text: Option<String>,
    pub kind: SessionKind,
    pub language: Language,
    pub track_id: Option<i64>,
    pub room_id: i64,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    /// Seats: the session's own capacity or its room's.
    pub capacity: i32,
    pub speakers: Vec<PublishedSpeaker>,
}

impl PublishedSession {
    fn moved_from(&self, before: &PublishedSession) -> bool {
        self.room_id != before.room_id
            || self.starts_at != before.starts_at
            || self.ends_at != before.ends_at
    }
}

/// What a release publishes.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    pub rooms: Vec<RoomOut>,
    pub tracks: Vec<TrackOut>,
    pub sessions: Vec<PublishedSession>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DiffEntry {
    pub id: i64,
    pub title: String,
    /// For `moved`: where and when it was before.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous_room_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub previous_starts_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Diff {
    pub new: Vec<DiffEntry>,
    pub moved: Vec<DiffEntry>,
    pub changed: Vec<DiffEntry>,
    pub cancelled: Vec<DiffEntry>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.new.is_empty()
            && self.moved.is_empty()
            && self.changed.is_empty()
            && self.cancelled.is_empty()
    }
}

fn entry(s: &PublishedSession) -> DiffEntry {
    DiffEntry {
        id: s.id,
        title: s.title.clone(),
        previous_room_id: None,
        previous_starts_at: None,
    }
}

/// The diff from `before` (the previous release, if any) to `after`.
pub fn diff(before: &[PublishedSession], after: &[PublishedSession]) -> Diff {
    let old: BTreeMap<i64, &PublishedSession> = before.iter().map(|s| (s.id, s)).collect();
    let new: BTreeMap<i64, &PublishedSession> = after.iter().map(|s| (s.id, s)).collect();
    let mut d = Diff::default();
    for (id, s) in &new {
        match old.get(id) {
            None => d.new.push(entry(s)),
            Some(prev) if s.moved_from(prev) => d.moved.push(DiffEntry {
                previous_room_id: Some(prev.room_id),
                previous_starts_at: Some(prev.starts_at),
                ..entry(s)
            }),
            Some(prev) if *s != *prev => d.changed.push(entry(s)),
            Some(_) => {}
        }
    }
    for (id, s) in &old {
        if !new.contains_key(id) {
            d.cancelled.push(entry(s));
        }
    }
    d
}

/// A release read back.
#[derive(Debug, Clone)]
pub struct Release {
    pub id: i64,
    pub version: String,
    pub comment: Option<String>,
    pub published_at: NaiveDateTime,
    pub snapshot: Snapshot,
    pub diff: Diff,
}

impl Release {
    fn from_row(r: ReleaseRow) -> AppResult<Release> {
        Ok(Release {
            id: r.id,
            version: r.version,
            comment: r.comment,
            published_at: r.published_at,
            snapshot: serde_json::from_str(&r.snapshot)
                .map_err(|e| AppError::internal(format!("release {}: {e}", r.id)))?,
            diff: serde_json::from_str(&r.diff)
                .map_err(|e| AppError::internal(format!("release {}: {e}", r.id)))?,
        })
    }
}

/// A release as the organizers' list shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReleaseOut {
    pub id: i64,
    pub version: String,
    pub comment: Option<String>,
    pub published_at: DateTime<Utc>,
    pub sessions: usize,
    pub diff: Diff,
}

impl From<&Release> for ReleaseOut {
    fn from(r: &Release) -> Self {
        ReleaseOut {
            id: r.id,
            version: r.version.clone(),
            comment: r.comment.clone(),
            published_at: r.published_at.and_utc(),
            sessions: r.snapshot.sessions.len(),
            diff: r.diff.clone(),
        }
    }
}

/// The latest release of the event, if any.
pub fn latest(c: &mut Conn, event_id: i64) -> AppResult<Option<Release>> {
    let row = store::find_release_before(c, event_id, None)?;
    row.map(Release::from_row).transpose()
}

/// A release of the event by id.
pub fn find(c: &mut Conn, event_id: i64, id: i64) -> AppResult<Release> {
    Release::from_row(store::find_release(c, event_id, id)?)
}

/// The release published just before release `id`, if any.
pub fn previous(c: &mut Conn, event_id: i64, id: i64) -> AppResult<Option<Release>> {
    let row = store::find_release_before(c, event_id, Some(id))?;
    row.map(Release::from_row).transpose()
}

/// Each session's iCalendar `SEQUENCE` as of release `up_to` (inclusive): how many releases
/// moved, changed or cancelled it. Calendars, exports and change emails all use it, so a
/// calendar that saw one release takes the next one's version as newer.
pub fn sequences(c: &mut Conn, event_id: i64, up_to: i64) -> AppResult<BTreeMap<i64, u32>> {
    let diffs = store::release_diffs(c, event_id, up_to)?;
    let mut out: BTreeMap<i64, u32> = BTreeMap::new();
    for raw in diffs {
        let d: Diff = serde_json::from_str(&raw)
            .map_err(|e| AppError::internal(format!("release diff: {e}")))?;
        for e in d.moved.iter().chain(&d.changed).chain(&d.cancelled) {
            *out.entry(e.id).or_default() += 1;
        }
    }
    Ok(out)
}

/// Every release of the event, oldest first.
pub fn all(c: &mut Conn, event_id: i64) -> AppResult<Vec<Release>> {
    let rows = store::releases_of_event(c, event_id)?;
    rows.into_iter().map(Release::from_row).collect()
}

/// Ids of the speakers who appear in the latest release.
pub fn released_speaker_ids(c: &mut Conn, event_id: i64) -> AppResult<Vec<i64>> {
    let mut ids: Vec<i64> = latest(c, event_id)?
        .map(|r| {
            r.snapshot
                .sessions
                .iter()
                .flat_map(|s| s.speakers.iter().map(|sp| sp.id))
                .collect()
        })
        .unwrap_or_default();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// The working copy's scheduled sessions, as a release would publish them.
pub fn build_snapshot(c: &mut Conn, event: &Event) -> AppResult<Snapshot> {
    let room_rows = store::rooms_of_event(c, event.id)?;
    let room_capacity: BTreeMap<i64, i32> = room_rows.iter().map(|r| (r.id, r.capacity)).collect();
    let rows = store::scheduled_sessions(c, event.id)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let links = store::speaker_ids_of(c, &ids)?;
    let speaker_by_id: BTreeMap<i64, PublishedSpeaker> = store::public_speakers(c, event.id)?
        .into_iter()
        .map(|(id, name, organization, bio)| {
            (
                id,
                PublishedSpeaker {
                    id,
                    name,
                    organization,
                    bio,
                },
            )
        })
        .collect();
    let sessions = rows
        .into_iter()
        .filter_map(|SessionRow { id, form: r, .. }| {
            let room_id = r.room_id?;
            Some(PublishedSession {
                id,
                title: r.title,
                abstract_text: r.abstract_text,
                kind: SessionKind::parse(&r.kind),
                language: r.language.parse().unwrap_or(event.default_language),
                track_id: r.track_id,
                room_id,
                starts_at: event.local(r.starts_at?),
                ends_at: event.local(r.ends_at?),
                capacity: r
                    .capacity
                    .unwrap_or_else(|| room_capacity.get(&room_id).copied().unwrap_or(0)),
                speakers: links
                    .get(&id)
                    .map(|ids| {
                        ids.iter()
                            .filter_map(|i| speaker_by_id.get(i).cloned())
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect();
    Ok(Snapshot {
        rooms: room_rows.into_iter().map(RoomOut::from).collect(),
        tracks: store::tracks_of_event(c, event.id)?
            .into_iter()
            .map(TrackOut::from)
            .collect(),
        sessions,
    })
}

/// What publishing the working copy of `event` now would publish, nothing written: the
/// release as it would be (version and comment blank), the one before it, and what each hook
/// would do. (The working copy's conflicts and warnings are `conflicts::programme`'s.)
pub struct Prospect {
    pub previous: Option<Release>,
    pub release: Release,
    pub previews: Vec<Preview>,
}

pub fn prospect(c: &mut Conn, hooks: &ReleaseHooks, event: &Event) -> AppResult<Prospect> {
    let snapshot = build_snapshot(c, event)?;
    let previous = latest(c, event.id)?;
    let before = previous.as_ref().map(|p| p.snapshot.sessions.as_slice());
    let release = Release {
        id: 0,
        version: String::new(),
        comment: None,
        published_at: crate::db::now(),
        diff: diff(before.unwrap_or(&[]), &snapshot.sessions),
        snapshot,
    };
    let publishing = Publishing {
        event,
        previous: previous.as_ref(),
        release: &release,
    };
    let previews = hooks.preview(c, publishing)?;
    Ok(Prospect {
        previous,
        release,
        previews,
    })
}

/// Publishes the working copy of `event` (locked by the caller's write transaction).
/// The release hooks run in the same transaction, after the release is written.
/// What an editor publishes: the release's name and comment, and by whom.
pub struct Publish<'a> {
    pub version: &'a str,
    pub comment: Option<&'a str>,
    pub by: Option<i64>,
}

pub fn publish(
    c: &mut Conn,
    hooks: &ReleaseHooks,
    event: &Event,
    what: &Publish,
    buffer: std::time::Duration,
) -> AppResult<Release> {
    let Publish {
        version,
        comment,
        by,
    } = *what;
    if store::release_version_taken(c, event.id, version)? {
        return Err(AppError::Conflict(format!(
            "a release named `{version}` already exists"
        )));
    }
    let findings = super::conflicts::programme(c, event, buffer)?;
    if !findings.conflicts.is_empty() {
        return Err(AppError::ScheduleConflict {
            detail: format!(
                "the working copy has {} hard conflicts; fix them before publishing",
                findings.conflicts.len()
            ),
            conflicts: findings.conflicts,
        });
    }
    let snapshot = build_snapshot(c, event)?;
    let previous = latest(c, event.id)?;
    let diff = diff(
        previous
            .as_ref()
            .map(|p| p.snapshot.sessions.as_slice())
            .unwrap_or(&[]),
        &snapshot.sessions,
    );
    let now = crate::db::now();
    let snapshot_json = serde_json::to_string(&snapshot).map_err(anyhow::Error::from)?;
    let diff_json = serde_json::to_string(&diff).map_err(anyhow::Error::from)?;
    let id = store::insert_release(
        c,
        &ReleaseForm {
            event_id: event.id,
            version,
            comment,
            published_at: now,
            published_by: by,
            snapshot: &snapshot_json,
            diff: &diff_json,
        },
    )?;
    audit::record(
        c,
        by,
        Some(event.id),
        "publish",
        "schedule_release",
        Some(id),
        serde_json::json!({"version": version, "new": diff.new.len(), "moved": diff.moved.len(), "changed": diff.changed.len(), "cancelled": diff.cancelled.len()}),
    )?;
    let release = Release {
        id,
        version: version.to_string(),
        comment: comment.map(str::to_string),
        published_at: now,
        snapshot,
        diff,
    };
    let publishing = Publishing {
        event,
        previous: previous.as_ref(),
        release: &release,
    };
    hooks.run(c, publishing)?;
    crate::webhooks::emit(
        c,
        event.id,
        crate::webhooks::EventType::ScheduleReleased,
        crate::webhooks::Subject::default(),
        |_| Ok(serde_json::to_value(ReleaseOut::from(&release)).map_err(anyhow::Error::from)?),
    )?;
    Ok(release)
}

/// The sort keys of the release list.
pub const SORTS: &[&str] = &["created_at"];

#[utoipa::path(get, path = "/api/v1/events/{slug}/schedule/releases", tag = "schedule",
    params(("slug" = String, Path), ListParams),
    responses((status = 200, body = Page<ReleaseOut>), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn list(list: FairList) -> Reply {
    list.answer(Role::Viewer, SORTS, |c, event, req, _| {
        let (rows, total) = store::releases_page(c, event.id, req)?;
        let items = rows
            .into_iter()
            .map(|r| Release::from_row(r).map(|r| ReleaseOut::from(&r)))
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Page::new(items, total, req))
    })
    .await
}

/// Filters, searches, sorts and pages released sessions (they are few: a fair's programme).
pub fn public_page(
    mut all: Vec<PublishedSession>,
    req: &PageRequest,
    f: &SessionFilters,
) -> Page<PublishedSession> {
    let needle = req.like.as_ref().map(|l| {
        l.trim_matches('%')
            .replace("\\%", "%")
            .replace("\\_", "_")
            .replace("\\\\", "\\")
    });
    all.retain(|s| {
        f.room_id.is_none_or(|r| s.room_id == r)
            && f.track_id.is_none_or(|t| s.track_id == Some(t))
            && f.scheduled != Some(false)
            && needle.as_ref().is_none_or(|n| {
                s.title.to_lowercase().contains(n.as_str())
                    || s.abstract_text
                        .as_ref()
                        .is_some_and(|a| a.to_lowercase().contains(n.as_str()))
                    || s.speakers
                        .iter()
                        .any(|sp| sp.name.to_lowercase().contains(n.as_str()))
            })
    });
    match req.sort.as_ref().map(|(k, d)| (k.as_str(), *d)) {
        Some(("starts_at", desc)) => {
            all.sort_by_key(|s| (s.starts_at, s.id));
            if desc {
                all.reverse();
            }
        }
        Some(("title", desc)) => {
            all.sort_by(|a, b| a.title.cmp(&b.title).then(a.id.cmp(&b.id)));
            if desc {
                all.reverse();
            }
        }
        Some((_, true)) => all.sort_by_key(|s| std::cmp::Reverse(s.id)),
        _ => all.sort_by_key(|s| s.id),
    }
    Page::from_vec(all, req)
}

/// The list of releases (publishing one is `publishing::create`).
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.list(__path_list, list, SORTS);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: i64, room: i64, hour: u32, title: &str) -> PublishedSession {
        let start = DateTime::parse_from_rfc3339(&format!("2026-05-03T{hour:02}:00:00+01:00"))
            .expect("time");
        PublishedSession {
            id,
            title: title.into(),
            abstract_text: None,
            kind: SessionKind::Seminar,
            language: Language::Fr,
            track_id: None,
            room_id: room,
            starts_at: start,
            ends_at: start + chrono::TimeDelta::hours(1),
            capacity: 10,
            speakers: vec![],
        }
    }

    #[test]
    fn diff_sorts_sessions_into_the_four_lists() {
        let before = vec![
            session(1, 1, 9, "A"),
            session(2, 1, 10, "B"),
            session(3, 2, 9, "C"),
            session(4, 2, 11, "D"),
        ];
        let after = vec![
            session(1, 1, 9, "A"),
            session(2, 2, 10, "B"),
            session(3, 2, 9, "C2"),
            session(5, 1, 12, "E"),
        ];
        let d = diff(&before, &after);
        assert_eq!(d.new.iter().map(|e| e.id).collect::<Vec<_>>(), vec![5]);
        assert_eq!(d.moved.iter().map(|e| e.id).collect::<Vec<_>>(), vec![2]);
        assert_eq!(d.moved[0].previous_room_id, Some(1));
        assert_eq!(d.changed.iter().map(|e| e.id).collect::<Vec<_>>(), vec![3]);
        assert_eq!(
            d.cancelled.iter().map(|e| e.id).collect::<Vec<_>>(),
            vec![4]
        );
        assert!(diff(&after, &after).is_empty());
    }
}
