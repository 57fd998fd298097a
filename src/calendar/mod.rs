//! The calendar and schedule formats Salon speaks: iCalendar ([`ics`]: one VEVENT writer and the
//! iTIP methods, for the exports, the agenda feed, each session's `.ics`, the confirmation
//! email and the `schedule_changed` emails), frab schedule XML ([`frab`]) and c3voc schedule
//! JSON ([`c3voc`]), each written from a [`Programme`] and read into an [`Imported`].
//!
//! Why it is shaped this way:
//! - A leaf, like `domain`: the formats know nothing of Salon's tables, areas or languages. The
//!   areas map their rows to the plain types here ([`ics::Vevent`], [`Programme`]) and back
//!   from [`Imported`], so the rules of each format are written once, whoever serves the file.
//! - GUIDs are derived, not stored ([`ids`]): SHA-256 of `salon:{host}:session:{id}` shaped as
//!   a UUID (version and variant bits of a v5), so every release — and every instance serving
//!   the same host — gives a session the same GUID. Rooms and speakers get theirs the same way.
//! - The calendar UID is `session-{id}@{host}`, as the schedule export, the per-session `.ics`
//!   of the pages, the personal agenda feed and the iTIP change emails use: one session, one
//!   calendar entry. Times are written in UTC, so no VTIMEZONE is needed.
//! - Days run from the event's first to its last day (plus any day that holds a session); a
//!   session belongs to its local date in the event's timezone.
//! - `type` carries the session kind's own word (`keynote`, `seminar`…), so an export imported
//!   back gives the same kinds. Halls, speakers' organizations and sessions' own capacities
//!   have no place in the XML and JSON; room capacities and biographies only in the JSON.
//! - Imports report every bad field at once, as `(dotted path, message)`; rooms, tracks and
//!   speakers keep the order they first appear in.

pub mod c3voc;
pub mod frab;
pub mod ics;
pub mod ids;
mod imported;
mod programme;

pub use imported::{Imported, ImportedRoom, ImportedSession, ImportedSpeaker, ImportedTrack};
pub use programme::{Programme, Room, Session, Speaker, Track};
