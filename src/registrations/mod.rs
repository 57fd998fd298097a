//! Attendees: public registration with email confirmation, capacity and the waiting list,
//! self-service with the `slr_` manage token, seats in sessions and the agenda feed, the
//! `schedule_changed` notices a release leaves, the organizers' side (lists, CSV, status changes,
//! resend, erasure), the attendee's pages, and the retention purge.

pub mod agenda;
pub mod attendee;
pub mod bookings;
pub mod handlers;
pub mod model;
pub mod notices;
pub mod organizer;
pub mod pages;
pub mod purge;
pub mod service;

pub use model::{Category, RegistrationRow, Status};

/// Registration's routes: the public API and pages, then organizers'.
pub fn routes(r: &mut crate::web::routes::Routes) {
    handlers::routes(r);
    pages::routes(r);
    agenda::routes(r);
    attendee::routes(r);
    organizer::routes(r);
}
