//! Every query of the programme's tables: rooms, tracks and speakers (an event's children),
//! the sessions of the working copy and their speakers, the range queries of the conflict
//! checks, and releases. The modules around it hold the rules and the routes.
//!
//! A lookup of one row of an event (`find_*`) answers 404 naming what was looked for when the
//! row is missing or belongs to another event, so an id from another event reads as unknown.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{
    ReleaseForm, ReleaseRow, RoomForm, RoomRow, SessionFilters, SessionForm, SessionRow,
    SpeakerForm, SpeakerRow, TrackForm, TrackRow,
};
use crate::db::schema::{rooms, schedule_releases, session_speakers, sessions, speakers, tracks};
use crate::db::{now, Conn, PageRequest};
use crate::error::{AppError, AppResult};
use crate::{paged, paged_by_event, run};

/// The row a `find_*` found, or the 404 naming it (`no room 7 in this event`).
fn in_event<T>(row: Option<T>, noun: &str, id: i64) -> AppResult<T> {
    row.ok_or_else(|| AppError::not_found(format!("no {noun} {id} in this event")))
}

/// Whether a page request asks for the newest rows first (`-created_at`).
fn newest_first(req: &PageRequest) -> bool {
    req.sort.as_ref().is_some_and(|(_, desc)| *desc)
}

// Rooms.

/// One room of the event, or 404.
pub fn find_room(c: &mut Conn, event_id: i64, id: i64) -> AppResult<RoomRow> {
    let room = rooms::table.find(id).filter(rooms::event_id.eq(event_id));
    let row = run!(c, |c| room.select(RoomRow::as_select()).first(c).optional())?;
    in_event(row, "room", id)
}

/// Every room of the event, oldest first.
pub fn rooms_of_event(c: &mut Conn, event_id: i64) -> QueryResult<Vec<RoomRow>> {
    let all = rooms::table.filter(rooms::event_id.eq(event_id));
    run!(c, |c| all
        .order(rooms::id)
        .select(RoomRow::as_select())
        .load(c))
}

/// One page of the event's rooms (searched by `q`, oldest first) and their total.
pub fn rooms_page(
    c: &mut Conn,
    event_id: i64,
    req: &PageRequest,
) -> QueryResult<(Vec<RoomRow>, i64)> {
    paged_by_event!(c, req, event_id, rooms, RoomRow)
}

/// Stores a checked form as a new room of the event.
pub fn insert_room(c: &mut Conn, event_id: i64, form: &RoomForm) -> AppResult<RoomRow> {
    let stamp = (rooms::event_id.eq(event_id), rooms::created_at.eq(now()));
    let insert = diesel::insert_into(rooms::table).values((form, stamp));
    let id = run!(c, |c| insert.returning(rooms::id).get_result(c))?;
    find_room(c, event_id, id)
}

/// Writes a checked form over room `id` of the event.
pub fn overwrite_room(c: &mut Conn, event_id: i64, id: i64, form: &RoomForm) -> AppResult<RoomRow> {
    run!(c, |c| diesel::update(rooms::table.find(id))
        .set(form)
        .execute(c))?;
    find_room(c, event_id, id)
}

/// The sessions of the working copy scheduled in room `id`, by id.
pub fn sessions_in_room(c: &mut Conn, id: i64) -> QueryResult<Vec<i64>> {
    let used = sessions::table.filter(sessions::room_id.eq(id));
    run!(c, |c| used.order(sessions::id).select(sessions::id).load(c))
}

/// Deletes room `id` (the caller checked that no session is scheduled in it).
pub fn delete_room(c: &mut Conn, id: i64) -> QueryResult<()> {
    run!(c, |c| diesel::delete(rooms::table.find(id)).execute(c))?;
    Ok(())
}

// Tracks.

/// One track of the event, or 404.
pub fn find_track(c: &mut Conn, event_id: i64, id: i64) -> AppResult<TrackRow> {
    let track = tracks::table.find(id).filter(tracks::event_id.eq(event_id));
    let row = run!(c, |c| track
        .select(TrackRow::as_select())
        .first(c)
        .optional())?;
    in_event(row, "track", id)
}

/// Every track of the event, oldest first.
pub fn tracks_of_event(c: &mut Conn, event_id: i64) -> QueryResult<Vec<TrackRow>> {
    let all = tracks::table.filter(tracks::event_id.eq(event_id));
    run!(c, |c| all
        .order(tracks::id)
        .select(TrackRow::as_select())
        .load(c))
}

/// One page of the event's tracks (searched by `q`, oldest first) and their total.
pub fn tracks_page(
    c: &mut Conn,
    event_id: i64,
    req: &PageRequest,
) -> QueryResult<(Vec<TrackRow>, i64)> {
    paged_by_event!(c, req, event_id, tracks, TrackRow)
}

/// Stores a checked form as a new track of the event.
pub fn insert_track(c: &mut Conn, event_id: i64, form: &TrackForm) -> AppResult<TrackRow> {
    let stamp = (tracks::event_id.eq(event_id), tracks::created_at.eq(now()));
    let insert = diesel::insert_into(tracks::table).values((form, stamp));
    let id = run!(c, |c| insert.returning(tracks::id).get_result(c))?;
    find_track(c, event_id, id)
}

/// Writes a checked form over track `id` of the event.
pub fn overwrite_track(
    c: &mut Conn,
    event_id: i64,
    id: i64,
    form: &TrackForm,
) -> AppResult<TrackRow> {
    run!(c, |c| diesel::update(tracks::table.find(id))
        .set(form)
        .execute(c))?;
    find_track(c, event_id, id)
}

/// Deletes track `id`; its sessions are left without a track.
pub fn delete_track(c: &mut Conn, id: i64) -> QueryResult<()> {
    let its_sessions = sessions::table.filter(sessions::track_id.eq(id));
    run!(c, |c| diesel::update(its_sessions)
        .set(sessions::track_id.eq(None::<i64>))
        .execute(c))?;
    run!(c, |c| diesel::delete(tracks::table.find(id)).execute(c))?;
    Ok(())
}

// Speakers.

/// One speaker of the event, or 404.
pub fn find_speaker(c: &mut Conn, event_id: i64, id: i64) -> AppResult<SpeakerRow> {
    let speaker = speakers::table
        .find(id)
        .filter(speakers::event_id.eq(event_id));
    let row = run!(c, |c| speaker
        .select(SpeakerRow::as_select())
        .first(c)
        .optional())?;
    in_event(row, "speaker", id)
}

/// Every speaker of the event, oldest first.
pub fn speakers_of_event(c: &mut Conn, event_id: i64) -> QueryResult<Vec<SpeakerRow>> {
    let all = speakers::table.filter(speakers::event_id.eq(event_id));
    run!(c, |c| all
        .order(speakers::id)
        .select(SpeakerRow::as_select())
        .load(c))
}

/// The speakers among `ids` that belong to the event.
pub fn speakers_among(c: &mut Conn, event_id: i64, ids: &[i64]) -> QueryResult<Vec<SpeakerRow>> {
    let mine = speakers::table.filter(speakers::event_id.eq(event_id));
    run!(c, |c| mine
        .filter(speakers::id.eq_any(ids))
        .select(SpeakerRow::as_select())
        .load(c))
}

/// What the published programme shows of a speaker: id, name, organization, bio (never the
/// email).
pub type PublicSpeaker = (i64, String, Option<String>, Option<String>);

/// Every speaker of the event, as the published programme shows them.
pub fn public_speakers(c: &mut Conn, event_id: i64) -> QueryResult<Vec<PublicSpeaker>> {
    let all = speakers::table.filter(speakers::event_id.eq(event_id));
    let public = (
        speakers::id,
        speakers::name,
        speakers::organization,
        speakers::bio,
    );
    run!(c, |c| all.select(public).load(c))
}

/// One page of the event's speakers as organizers list them (searched by `q` in name, email
/// and organization; sorted by `name` or creation) and their total.
pub fn speakers_page(
    c: &mut Conn,
    event_id: i64,
    req: &PageRequest,
) -> QueryResult<(Vec<SpeakerRow>, i64)> {
    let by_name = req.sort.as_ref().is_some_and(|(key, _)| key == "name");
    let desc = newest_first(req);
    paged!(
        c,
        req,
        SpeakerRow,
        || {
            let mut q = speakers::table
                .filter(speakers::event_id.eq(event_id))
                .into_boxed();
            if let Some(like) = &req.like {
                q = q.filter(speakers::search_text.like(like.clone()).escape('\\'));
            }
            q
        },
        |q| match (by_name, desc) {
            (true, false) => q.order((speakers::name.asc(), speakers::id.asc())),
            (true, true) => q.order((speakers::name.desc(), speakers::id.desc())),
            (false, true) => q.order(speakers::id.desc()),
            (false, false) => q.order(speakers::id.asc()),
        }
    )
}

/// Stores a checked form as a new speaker of the event.
pub fn insert_speaker(c: &mut Conn, event_id: i64, form: &SpeakerForm) -> AppResult<SpeakerRow> {
    let stamp = (
        speakers::event_id.eq(event_id),
        speakers::created_at.eq(now()),
    );
    let insert = diesel::insert_into(speakers::table).values((form, stamp));
    let id = run!(c, |c| insert.returning(speakers::id).get_result(c))?;
    find_speaker(c, event_id, id)
}

/// Writes a checked form over speaker `id` of the event.
pub fn overwrite_speaker(
    c: &mut Conn,
    event_id: i64,
    id: i64,
    form: &SpeakerForm,
) -> AppResult<SpeakerRow> {
    run!(c, |c| diesel::update(speakers::table.find(id))
        .set(form)
        .execute(c))?;
    find_speaker(c, event_id, id)
}

/// Deletes speaker `id` and takes them off the sessions of the working copy.
pub fn delete_speaker(c: &mut Conn, id: i64) -> QueryResult<()> {
    let links = session_speakers::table.filter(session_speakers::speaker_id.eq(id));
    run!(c, |c| diesel::delete(links).execute(c))?;
    run!(c, |c| diesel::delete(speakers::table.find(id)).execute(c))?;
    Ok(())
}

// Sessions of the working copy.

/// One session of the event's working copy, or 404.
pub fn find_session(c: &mut Conn, event_id: i64, id: i64) -> AppResult<SessionRow> {
    let session = sessions::table
        .find(id)
        .filter(sessions::event_id.eq(event_id));
    let row = run!(c, |c| session
        .select(SessionRow::as_select())
        .first(c)
        .optional())?;
    in_event(row, "session", id)
}

/// Speaker ids of each of `session_ids`, in their listed order.
pub fn speaker_ids_of(c: &mut Conn, session_ids: &[i64]) -> QueryResult<HashMap<i64, Vec<i64>>> {
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for chunk in session_ids.chunks(500) {
        let rows: Vec<(i64, i64)> = run!(c, |c| session_speakers::table
            .filter(session_speakers::session_id.eq_any(chunk))
            .order((
                session_speakers::session_id.asc(),
                session_speakers::position.asc()
            ))
            .select((session_speakers::session_id, session_speakers::speaker_id))
            .load(c))?;
        for (session, speaker) in rows {
            out.entry(session).or_default().push(speaker);
        }
    }
    Ok(out)
}

/// One page of the event's working copy, filtered, searched by `q` and sorted by `starts_at`,
/// `title` or creation, and its total.
pub fn sessions_page(
    c: &mut Conn,
    event_id: i64,
    req: &PageRequest,
    f: &SessionFilters,
) -> QueryResult<(Vec<SessionRow>, i64)> {
    paged!(
        c,
        req,
        SessionRow,
        || {
            let mut q = sessions::table
                .filter(sessions::event_id.eq(event_id))
                .into_boxed();
            if let Some(room) = f.room_id {
                q = q.filter(sessions::room_id.eq(room));
            }
            if let Some(track) = f.track_id {
                q = q.filter(sessions::track_id.eq(track));
            }
            match f.scheduled {
                Some(true) => q = q.filter(sessions::starts_at.is_not_null()),
                Some(false) => q = q.filter(sessions::starts_at.is_null()),
                None => {}
            }
            if let Some(like) = &req.like {
                q = q.filter(sessions::search_text.like(like.clone()).escape('\\'));
            }
            q
        },
        |q| match req.sort.as_ref().map(|(k, d)| (k.as_str(), *d)) {
            Some(("starts_at", false)) => {
                q.order((sessions::starts_at.asc(), sessions::id.asc()))
            }
            Some(("starts_at", true)) => {
                q.order((sessions::starts_at.desc(), sessions::id.desc()))
            }
            Some(("title", false)) => q.order((sessions::title.asc(), sessions::id.asc())),
            Some(("title", true)) => {
                q.order((sessions::title.desc(), sessions::id.desc()))
            }
            Some((_, true)) => q.order(sessions::id.desc()),
            _ => q.order(sessions::id.asc()),
        }
    )
}

/// The scheduled sessions of the event's working copy, by start, room and id.
pub fn scheduled_sessions(c: &mut Conn, event_id: i64) -> QueryResult<Vec<SessionRow>> {
    run!(c, |c| sessions::table
        .filter(sessions::event_id.eq(event_id))
        .filter(sessions::starts_at.is_not_null())
        .order((
            sessions::starts_at.asc(),
            sessions::room_id.asc(),
            sessions::id.asc()
        ))
        .select(SessionRow::as_select())
        .load(c))
}

/// Writes a checked session as session `id` of the event (new when `None`) with its speakers
/// in their order, and returns its id. Each speaker link repeats the session's room and times:
/// the speaker conflict check reads them from its index (see `conflicts`).
pub fn save_session(
    c: &mut Conn,
    event_id: i64,
    id: Option<i64>,
    form: &SessionForm,
    speaker_ids: &[i64],
) -> QueryResult<i64> {
    let now = now();
    let id = match id {
        Some(id) => {
            run!(c, |c| diesel::update(sessions::table.find(id))
                .set((form, sessions::updated_at.eq(now)))
                .execute(c))?;
            unlink_speakers(c, id)?;
            id
        }
        None => run!(c, |c| diesel::insert_into(sessions::table)
            .values((
                form,
                sessions::event_id.eq(event_id),
                sessions::created_at.eq(now),
                sessions::updated_at.eq(now)
            ))
            .returning(sessions::id)
            .get_result::<i64>(c))?,
    };
    let links: Vec<_> = speaker_ids
        .iter()
        .enumerate()
        .map(|(i, sp)| {
            (
                session_speakers::session_id.eq(id),
                session_speakers::speaker_id.eq(*sp),
                session_speakers::position.eq(i as i32),
                session_speakers::room_id.eq(form.room_id),
                session_speakers::starts_at.eq(form.starts_at),
                session_speakers::ends_at.eq(form.ends_at),
            )
        })
        .collect();
    if !links.is_empty() {
        run!(c, |c| diesel::insert_into(session_speakers::table)
            .values(links.clone())
            .execute(c))?;
    }
    Ok(id)
}

/// Takes every speaker off session `id`.
fn unlink_speakers(c: &mut Conn, id: i64) -> QueryResult<()> {
    let links = session_speakers::table.filter(session_speakers::session_id.eq(id));
    run!(c, |c| diesel::delete(links).execute(c))?;
    Ok(())
}

/// Deletes session `id` of the working copy and its speaker links.
pub fn delete_session(c: &mut Conn, id: i64) -> QueryResult<()> {
    unlink_speakers(c, id)?;
    run!(c, |c| diesel::delete(sessions::table.find(id)).execute(c))?;
    Ok(())
}

// The conflict checks (see `conflicts`): range queries on indexes.

/// A speaker's session near a time: session, speaker, room, start, end (from the speaker
/// links, indexed by `(speaker_id, starts_at)`).
pub type SpeakerSlot = (
    i64,
    i64,
    Option<i64>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

/// Sessions other than `not_me` in room `room_id` that overlap `start..end`, by start.
pub fn sessions_overlapping(
    c: &mut Conn,
    room_id: i64,
    (start, end): (NaiveDateTime, NaiveDateTime),
    not_me: i64,
) -> QueryResult<Vec<i64>> {
    run!(c, |c| sessions::table
        .filter(sessions::room_id.eq(room_id))
        .filter(sessions::starts_at.lt(end))
        .filter(sessions::ends_at.gt(start))
        .filter(sessions::id.ne(not_me))
        .order(sessions::starts_at.asc())
        .select(sessions::id)
        .load(c))
}

/// The sessions other than `not_me` of `speaker_ids` that overlap `from..to`, by speaker and
/// start.
pub fn speaker_slots_near(
    c: &mut Conn,
    speaker_ids: &[i64],
    (from, to): (NaiveDateTime, NaiveDateTime),
    not_me: i64,
) -> QueryResult<Vec<SpeakerSlot>> {
    run!(c, |c| session_speakers::table
        .filter(session_speakers::speaker_id.eq_any(speaker_ids))
        .filter(session_speakers::starts_at.lt(to))
        .filter(session_speakers::ends_at.gt(from))
        .filter(session_speakers::session_id.ne(not_me))
        .order((
            session_speakers::speaker_id.asc(),
            session_speakers::starts_at.asc()
        ))
        .select((
            session_speakers::session_id,
            session_speakers::speaker_id,
            session_speakers::room_id,
            session_speakers::starts_at,
            session_speakers::ends_at,
        ))
        .load(c))
}

/// Room `id`'s seats.
pub fn room_capacity(c: &mut Conn, id: i64) -> QueryResult<i32> {
    run!(c, |c| rooms::table
        .find(id)
        .select(rooms::capacity)
        .first(c))
}

/// A session of the working copy with a room: id, room, start, end, capacity, the room's
/// capacity.
pub type SlotRow = (
    i64,
    Option<i64>,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
    Option<i32>,
    i32,
);

/// The event's sessions that have a room, by id.
pub fn sessions_with_rooms(c: &mut Conn, event_id: i64) -> QueryResult<Vec<SlotRow>> {
    run!(c, |c| sessions::table
        .inner_join(rooms::table.on(sessions::room_id.eq(rooms::id.nullable())))
        .filter(sessions::event_id.eq(event_id))
        .order(sessions::id.asc())
        .select((
            sessions::id,
            sessions::room_id,
            sessions::starts_at,
            sessions::ends_at,
            sessions::capacity,
            rooms::capacity,
        ))
        .load(c))
}

// Releases.

/// Release `id` of the event, or 404.
pub fn find_release(c: &mut Conn, event_id: i64, id: i64) -> AppResult<ReleaseRow> {
    let release = schedule_releases::table
        .find(id)
        .filter(schedule_releases::event_id.eq(event_id));
    let row = run!(c, |c| release
        .select(ReleaseRow::as_select())
        .first(c)
        .optional())?;
    in_event(row, "release", id)
}

/// The event's last release published before release `before` (the latest when `None`).
pub fn find_release_before(
    c: &mut Conn,
    event_id: i64,
    before: Option<i64>,
) -> QueryResult<Option<ReleaseRow>> {
    run!(c, |c| {
        let mut q = schedule_releases::table
            .filter(schedule_releases::event_id.eq(event_id))
            .into_boxed();
        if let Some(id) = before {
            q = q.filter(schedule_releases::id.lt(id));
        }
        q.order(schedule_releases::id.desc())
            .select(ReleaseRow::as_select())
            .first(c)
            .optional()
    })
}

/// The id of the event's latest release: one index lookup, for the cache's freshness check.
pub fn latest_release_id(c: &mut Conn, event_id: i64) -> QueryResult<Option<i64>> {
    run!(c, |c| schedule_releases::table
        .filter(schedule_releases::event_id.eq(event_id))
        .select(diesel::dsl::max(schedule_releases::id))
        .first(c))
}

/// Every release of the event, oldest first.
pub fn releases_of_event(c: &mut Conn, event_id: i64) -> QueryResult<Vec<ReleaseRow>> {
    run!(c, |c| schedule_releases::table
        .filter(schedule_releases::event_id.eq(event_id))
        .order(schedule_releases::id.asc())
        .select(ReleaseRow::as_select())
        .load(c))
}

/// The diffs (JSON) of the event's releases up to release `up_to`, inclusive.
pub fn release_diffs(c: &mut Conn, event_id: i64, up_to: i64) -> QueryResult<Vec<String>> {
    run!(c, |c| schedule_releases::table
        .filter(schedule_releases::event_id.eq(event_id))
        .filter(schedule_releases::id.le(up_to))
        .select(schedule_releases::diff)
        .load(c))
}

/// Whether the event already has a release named `version`.
pub fn release_version_taken(c: &mut Conn, event_id: i64, version: &str) -> QueryResult<bool> {
    let taken: i64 = run!(c, |c| schedule_releases::table
        .filter(schedule_releases::event_id.eq(event_id))
        .filter(schedule_releases::version.eq(version))
        .count()
        .get_result(c))?;
    Ok(taken > 0)
}

/// Stores a release; returns its id.
pub fn insert_release(c: &mut Conn, release: &ReleaseForm) -> QueryResult<i64> {
    run!(c, |c| diesel::insert_into(schedule_releases::table)
        .values(release)
        .returning(schedule_releases::id)
        .get_result(c))
}

/// One page of the event's releases, oldest first (newest with `-created_at`), and their
/// total.
pub fn releases_page(
    c: &mut Conn,
    event_id: i64,
    req: &PageRequest,
) -> QueryResult<(Vec<ReleaseRow>, i64)> {
    let desc = newest_first(req);
    paged!(
        c,
        req,
        ReleaseRow,
        || schedule_releases::table
            .filter(schedule_releases::event_id.eq(event_id))
            .into_boxed(),
        |q| if desc {
            q.order(schedule_releases::id.desc())
        } else {
            q.order(schedule_releases::id.asc())
        }
    )
}
