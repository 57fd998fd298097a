//! Meetings between buyers and exhibitors (SPEC §4.4): a confirmed attendee requests a
//! meeting at an approved exhibitor's booth in a free slot of the fair's meeting blocks; the
//! exhibitor accepts (naming a host among its staff) or declines; either side cancels.
//!
//! - `model.rs`: the settings (blocks → slots), a meeting and its status.
//! - `service.rs`: every rule, checked in the write transaction with the fair locked, and the
//!   emails of each step (iTIP parts with the feeds' UIDs).
//! - `jobs.rs`: expiry of unanswered requests and the day-before reminders, once across
//!   instances.
//! - `store.rs`: the queries of `meetings`, `meeting_settings` and `meeting_unavailable`.
//! - `pages.rs`: the exhibitor's meetings page, the attendee's request form (from the
//!   directory) and cancel button; `for_attendees.rs`: the attendee's page and feed.
//! - `console.rs`: the organizers' page — a day's meetings, one booth's day sheet, the CSV,
//!   cancelling one, the settings.
//! - `feed.rs`: the exhibitor's calendar of accepted meetings.
//! - `view.rs`: a meeting as the API and the webhooks show it.
//! - `http.rs`: the API — organizers' settings and list, free slots, the attendee's
//!   `/me/meetings`, the exhibitor's `/exhibitor/meetings` and availability.

pub mod console;
pub mod feed;
pub mod for_attendees;
pub mod http;
pub mod jobs;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
pub mod view;

pub use model::{MeetingRow, MeetingSettings, MeetingStatus};

/// The meetings API.
pub fn routes(r: &mut crate::web::routes::Routes) {
    pages::routes(r);
    http::routes(r);
    console::routes(r);
    feed::routes(r);
}
