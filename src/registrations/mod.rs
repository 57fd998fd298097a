//! Attendees: public registration with email confirmation, capacity and the waiting list,
//! self-service with the `slr_` manage token, seats in sessions and the agenda feed, the
//! `schedule_changed` notices a release leaves, the organizers' side (lists, CSV, status changes,
//! resend, erasure), the attendee's pages, and the retention purge.
//!
//! Where to look: `service/` holds the rules (registering, cancelling, their emails) and
//! `store.rs` every query; the edges are `handlers.rs` (the public API), `pages.rs` (the
//! register form and the confirmation link), `attendee.rs` and `attendee_pages.rs` (the
//! attendee's own API and pages), `organizer.rs` (organizers' API), `console.rs` (organizers' pages) and `agenda.rs` (the feed).

pub mod agenda;
pub mod attendee;
pub mod attendee_pages;
pub mod bookings;
pub mod console;
pub mod handlers;
pub mod hooks;
pub mod input;
pub mod model;
pub mod notices;
pub mod organizer;
pub mod pages;
pub mod purge;
pub mod service;
pub mod store;

pub use model::{Category, RegistrationRow, Status};

/// Registration's routes: the public API and pages, then organizers'.
pub fn routes(r: &mut crate::web::routes::Routes) {
    handlers::routes(r);
    pages::routes(r);
    attendee_pages::routes(r);
    agenda::routes(r);
    attendee::routes(r);
    organizer::routes(r);
    console::routes(r);
}
