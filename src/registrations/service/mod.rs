//! Registration rules, run inside write transactions that lock the event (see `db::write_tx`),
//! a file for each part of an attendee's way:
//!
//! - `register.rs`: registering — the public's, with a link to confirm by email; an organizer's
//!   walk-in; an exhibitor's staff pass — following the confirmation link against capacity, and
//!   an attendee's change of their own details;
//! - `cancel.rs`: cancelling, erasure, and the waiting list moving up into the freed seats;
//! - `emails.rs`: the email each step queues in the outbox, and an organizer's resend.
//!
//! Here: the status transitions they all go through. Every query is in `store`.

mod cancel;
mod emails;
mod register;

use diesel::QueryResult;

pub use super::model::{Person, Profile};
use super::model::{RegistrationOut, RegistrationRow, Status};
use super::{bookings, store};
use crate::db::Conn;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::webhooks::{self, EventType, Subject};
pub use cancel::{cancel, erase, erase_by_id, promote, PromoteOnMoreSeats};
pub use emails::{
    mint_manage, resend, send_confirm_link, send_staff_pass, send_with_manage_link, ConfirmLink,
};
pub use register::{
    confirm, email_link_for_used_link, event_of_link, insert_staff, peek_confirm, register,
    register_by_organizer, register_public, register_walk_in, update_details, Confirmed, Desk,
    PublicOutcome,
};

/// Other areas read registrations through here: check-in by badge code, exhibitors their staff.
pub use super::store::staff_registrations;

/// The registration holding a badge code (normalised: `K7QM-2XHP-…`) in an event.
pub fn find_by_badge(
    c: &mut Conn,
    event_id: i64,
    badge_code: &str,
) -> QueryResult<Option<RegistrationRow>> {
    store::find_in(c, event_id, store::By::Badge(badge_code))
}

/// Moves a registration to `next`, refusing transitions SPEC §3 does not allow (409 naming both).
pub fn transition(c: &mut Conn, reg: &RegistrationRow, next: Status) -> AppResult<RegistrationRow> {
    let current = reg.status();
    if !current.can_become(next) {
        return Err(AppError::Conflict(format!(
            "a registration cannot go from {current} to {next}"
        )));
    }
    let now = crate::db::now();
    store::set_status(c, reg.id, next, now)?;
    if current == Status::Confirmed {
        // Only confirmed attendees hold seats (their feed answers 404 until confirmed again).
        bookings::release_all(c, reg.event_id, reg.id)?;
    }
    store::stamp_status(c, reg.id, next, now)?;
    let reg = store::find_by_id(c, reg.id)?;
    let kind = match (current, next) {
        (Status::Waitlisted, Status::Confirmed) => Some(EventType::RegistrationPromoted),
        (_, Status::Confirmed) => Some(EventType::RegistrationConfirmed),
        (_, Status::Cancelled) => Some(EventType::RegistrationCancelled),
        (Status::Cancelled, Status::Pending) => Some(EventType::RegistrationCreated),
        _ => None,
    };
    if let Some(kind) = kind {
        announce(c, &reg, kind)?;
    }
    Ok(reg)
}

/// Queues the webhook deliveries of `kind` about `reg`, as organizers see it
/// ([`RegistrationOut`]).
pub fn announce(c: &mut Conn, reg: &RegistrationRow, kind: EventType) -> AppResult<()> {
    webhooks::emit(c, reg.event_id, kind, Subject::registration(reg.id), |c| {
        let slug = crate::events::store::find(c, reg.event_id)?.slug;
        Ok(serde_json::to_value(RegistrationOut::of(&slug, reg)).map_err(anyhow::Error::from)?)
    })
}

/// Whether the fair has a seat left for one more confirmed attendee.
fn has_free_seat(c: &mut Conn, event: &Event) -> QueryResult<bool> {
    Ok(match event.capacity {
        None => true,
        Some(cap) => store::count_confirmed(c, event.id)? < cap as i64,
    })
}
