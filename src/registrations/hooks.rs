//! Where the attendee's page and agenda feed reach the meetings (SPEC §4.4) without importing
//! them (meetings import registrations, not the other way round): [`AttendeeMeetings`] gives
//! an attendee's meetings as their page lists them and as their feed carries them. The app
//! hands it to the handlers as `web::Data`.

use chrono::NaiveDateTime;

use crate::calendar::ics::Vevent;
use crate::config::Settings;
use crate::db::Conn;
use crate::domain::Language;
use crate::error::AppResult;
use crate::events::Event;

/// One meeting as the attendee's page lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MeetingLine {
    pub id: i64,
    /// Day and times, in the fair's time and the page's language.
    pub when: String,
    /// The exhibitor.
    pub with: String,
    pub booth: Option<String>,
    /// `pending`, `accepted`, `declined`, `cancelled` or `expired`.
    pub status: String,
    pub status_label: String,
    /// Whether the attendee may still cancel it.
    pub open: bool,
}

/// Whose meetings: a registration of a fair, and the language to show them in.
#[derive(Clone, Copy)]
pub struct Whose<'a> {
    pub event: &'a Event,
    pub registration_id: i64,
    pub lang: Language,
}

pub trait AttendeeMeetings: Send + Sync {
    /// The registration's meetings, by start.
    fn lines(&self, c: &mut Conn, of: Whose, now: NaiveDateTime) -> AppResult<Vec<MeetingLine>>;

    /// The registration's accepted meetings as calendar entries (the UIDs of their emails).
    fn calendar(&self, c: &mut Conn, settings: &Settings, of: Whose) -> AppResult<Vec<Vevent>>;
}
