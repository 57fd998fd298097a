//! The working copy of a fair's programme as the console shows it, read in one transaction:
//! the fair, its rooms, tracks, speakers and sessions, and the working copy's conflicts and
//! warnings, with each described in the console's language (naming the rooms, sessions and
//! speakers concerned). The editor, the session forms and the release page read it.

use std::collections::HashMap;

use super::model::{RoomRow, SessionFilters, SessionRow, SpeakerRow, TrackRow};
use super::{conflicts, store};
use crate::db::{Conn, PageRequest};
use crate::domain::schedule::{Conflict, ConflictKind};
use crate::domain::{dates, Language, Translatable};
use crate::error::AppResult;
use crate::events::{store as events, Event};
use crate::web::words::{word, Section};
use crate::web::State;

pub use super::sessions::version;

/// Everything the editor shows of a fair's working copy, read in one transaction.
pub struct WorkingCopy {
    pub event: Event,
    pub rooms: Vec<RoomRow>,
    pub tracks: Vec<TrackRow>,
    pub speakers: Vec<SpeakerRow>,
    pub sessions: Vec<SessionRow>,
    pub speaker_ids: HashMap<i64, Vec<i64>>,
    pub findings: conflicts::Findings,
}

impl WorkingCopy {
    pub fn read(c: &mut Conn, slug: &str, buffer: std::time::Duration) -> AppResult<WorkingCopy> {
        let event = events::visible(c, slug, true)?;
        let all = PageRequest {
            page: 1,
            per_page: i64::from(u16::MAX),
            like: None,
            needle: None,
            sort: Some(("starts_at".into(), false)),
        };
        let (sessions, _) = store::sessions_page(c, event.id, &all, &SessionFilters::default())?;
        let ids: Vec<i64> = sessions.iter().map(|s| s.id).collect();
        Ok(WorkingCopy {
            rooms: store::rooms_of_event(c, event.id)?,
            tracks: store::tracks_of_event(c, event.id)?,
            speakers: store::speakers_of_event(c, event.id)?,
            speaker_ids: store::speaker_ids_of(c, &ids)?,
            findings: conflicts::programme(c, &event, buffer)?,
            sessions,
            event,
        })
    }

    fn title_of(&self, id: Option<i64>) -> String {
        id.and_then(|id| self.sessions.iter().find(|s| s.id == id))
            .map(|s| s.form.title.clone())
            .unwrap_or_default()
    }

    fn speaker_name(&self, id: Option<i64>) -> String {
        id.and_then(|id| self.speakers.iter().find(|s| s.id == id))
            .map(|s| s.name.clone())
            .unwrap_or_default()
    }

    fn room_name(&self, id: Option<i64>, lang: Language) -> String {
        id.and_then(|id| self.rooms.iter().find(|r| r.id == id))
            .map(|r| text(&r.name, lang, self.event.default_language))
            .unwrap_or_default()
    }

    /// A conflict or warning in the console's language, naming the rooms, sessions and
    /// speakers it concerns.
    pub fn describe(&self, c: &Conflict, lang: Language, buffer: std::time::Duration) -> String {
        let w = |key: &str| word(lang, Section::ConsoleSchedule, key);
        let other = self.title_of(c.with_session_id);
        match c.kind {
            ConflictKind::RoomOverlap => {
                let room = c
                    .with_session_id
                    .and_then(|id| self.sessions.iter().find(|s| s.id == id))
                    .and_then(|s| s.form.room_id);
                w("c_room_overlap")
                    .replace("{room}", &self.room_name(room, lang))
                    .replace("{title}", &other)
            }
            ConflictKind::SpeakerOverlap => w("c_speaker_overlap")
                .replace("{speaker}", &self.speaker_name(c.speaker_id))
                .replace("{title}", &other),
            ConflictKind::OutsideEvent => w("c_outside_event").replace(
                "{hours}",
                &format!(
                    "{} {}–{}",
                    dates::range(lang, self.event.starts_on, self.event.ends_on),
                    self.event.opens_at.format("%H:%M"),
                    self.event.closes_at.format("%H:%M")
                ),
            ),
            ConflictKind::EndsBeforeStart => w("c_ends_before_start"),
            ConflictKind::OverRoomCapacity => {
                let room = c
                    .session_id
                    .and_then(|id| self.sessions.iter().find(|s| s.id == id))
                    .and_then(|s| s.form.room_id)
                    .and_then(|id| self.rooms.iter().find(|r| r.id == id));
                w("c_over_room_capacity").replace(
                    "{n}",
                    &room.map(|r| r.capacity.to_string()).unwrap_or_default(),
                )
            }
            ConflictKind::SpeakerTightChange => w("c_speaker_tight_change")
                .replace("{speaker}", &self.speaker_name(c.speaker_id))
                .replace("{n}", &(buffer.as_secs() / 60).to_string())
                .replace("{title}", &other),
            ConflictKind::RoomInUse => c.message.clone(),
        }
    }

    /// The warnings of each session, described.
    pub fn warnings(
        &self,
        lang: Language,
        buffer: std::time::Duration,
    ) -> HashMap<i64, Vec<String>> {
        let mut out: HashMap<i64, Vec<String>> = HashMap::new();
        for w in self
            .findings
            .warnings
            .iter()
            .chain(&self.findings.conflicts)
        {
            if let Some(id) = w.session_id {
                out.entry(id)
                    .or_default()
                    .push(self.describe(w, lang, buffer));
            }
        }
        out
    }
}

/// A translatable name as stored, in `lang`.
pub fn text(stored: &str, lang: Language, fallback: Language) -> String {
    Translatable::from_db(stored)
        .get(lang, fallback)
        .to_string()
}

/// The working copy of the fair `slug`, read in one transaction.
pub async fn read_copy(state: &State, slug: &str) -> AppResult<WorkingCopy> {
    let buffer = state.settings.schedule.speaker_buffer;
    let slug = slug.to_string();
    state
        .db
        .run(move |c| WorkingCopy::read(c, &slug, buffer))
        .await
}
