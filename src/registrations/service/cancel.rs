//! Leaving: a cancellation (the attendee's, an organizer's, a withdrawn exhibitor's staff), an
//! erasure (the attendee's, an organizer's, the retention purge), and the waiting list moving
//! up, oldest first, into every seat they free — or that more capacity adds.

use serde_json::json;

use super::emails::{self, queue};
use super::{has_free_seat, transition};
use crate::auth::owner_tokens::ATTENDEES as TOKENS;
use crate::config::Settings;
use crate::db::Conn;
use crate::email::{outbox, EmailKind};
use crate::error::AppResult;
use crate::events::{Edit, Event, EventChange};
use crate::registrations::model::{RegistrationRow, Status};
use crate::registrations::store::{self, By};
use crate::registrations::{agenda, bookings};

/// Promotes waitlisted registrations, oldest first, while seats are free; emails each.
pub fn promote(c: &mut Conn, settings: &Settings, event: &Event) -> AppResult<usize> {
    let mut promoted = 0;
    while has_free_seat(c, event)? {
        let Some(next) = store::find_in(c, event.id, By::FirstWaitlisted)? else {
            break;
        };
        let reg = transition(c, &next, Status::Confirmed)?;
        emails::send_with_manage_link(c, settings, event, &reg, EmailKind::RegistrationPromoted)?;
        promoted += 1;
    }
    Ok(promoted)
}

/// More seats: the waiting list moves up at once, oldest first (an event hook).
pub struct PromoteOnMoreSeats;

impl EventChange for PromoteOnMoreSeats {
    fn changed(&self, c: &mut Conn, settings: &Settings, edit: Edit) -> AppResult<()> {
        if edit.after.capacity != edit.before.capacity {
            promote(c, settings, edit.after)?;
        }
        Ok(())
    }
}

/// Cancels a registration, emails its owner, and promotes the waiting list.
pub fn cancel(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    reg: &RegistrationRow,
) -> AppResult<RegistrationRow> {
    let reg = transition(c, reg, Status::Cancelled)?;
    let extra = json!({"register_url": format!("{}/events/{}/register?lang={}", settings.base_url(), event.slug, reg.language().code())});
    queue(
        c,
        settings,
        event,
        &reg,
        EmailKind::RegistrationCancelled,
        extra,
        vec![],
    )?;
    promote(c, settings, event)?;
    Ok(reg)
}

/// Erases a registration's personal data (keeping only counts: status, category, language,
/// dates) and its tokens and email bodies. A confirmed seat is freed for the waiting list.
/// Erases the event's registration `id` (404 when it is not the event's).
pub fn erase_by_id(c: &mut Conn, settings: &Settings, event: &Event, id: i64) -> AppResult<()> {
    let found = store::find(c, event.id, id)?;
    erase(c, settings, event, &found)
}

pub fn erase(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    reg: &RegistrationRow,
) -> AppResult<()> {
    let was_confirmed = reg.status() == Status::Confirmed;
    let now = crate::db::now();
    let status = if matches!(
        reg.status(),
        Status::Pending | Status::Waitlisted | Status::Confirmed
    ) {
        Status::Cancelled
    } else {
        reg.status()
    };
    if let Some(email) = &reg.email {
        let subject = crate::webhooks::Subject::registration(reg.id);
        crate::webhooks::service::forget(c, reg.event_id, subject, email)?;
    }
    store::erase(c, reg.id, status, now)?;
    if status != reg.status() {
        let erased = store::find_by_id(c, reg.id)?;
        super::announce(
            c,
            &erased,
            crate::webhooks::EventType::RegistrationCancelled,
        )?;
    }
    TOKENS.delete_all(c, reg.id)?;
    bookings::release_all(c, reg.event_id, reg.id)?;
    agenda::close(c, reg.id)?;
    outbox::erase_for_registration(c, reg.id)?;
    if was_confirmed {
        promote(c, settings, event)?;
    }
    Ok(())
}
