//! Registering: the public's (the API and the `/events/{slug}/register` form, confirmed by a
//! link sent by email), an organizer's walk-in (confirmed at once), an exhibitor's staff pass;
//! following the confirmation link, against the fair's capacity; and an attendee's change of
//! their own details.

use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta};

use super::emails::{self, mark_link_sent, send_with_manage_link, ConfirmLink};
use super::{announce, has_free_seat, transition};
use crate::audit;
use crate::auth::owner_tokens::{ATTENDEES as TOKENS, CONFIRM};
use crate::config::Settings;
use crate::db::{Conn, Db};
use crate::email::templates::{self, Overrides};
use crate::email::EmailKind;
use crate::error::{AppError, AppResult, FieldError};
use crate::events::{store as events, Event};
use crate::registrations::input::{person, NewRegistration};
use crate::registrations::model::{
    Category, DetailsChange, Person, RegistrationOut, RegistrationRow, Status,
};
use crate::registrations::store::{self, By};
use crate::schedule::cache::ProgrammeCache;
use crate::webhooks::EventType;

/// What a registration from the API or a form goes through besides its request: the database,
/// the settings, this instance's caches (see [`register`]) and the app's clock, read once for
/// the request.
pub struct Desk {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub programme: Arc<ProgrammeCache>,
    pub overrides: Arc<Overrides>,
    /// When the request came, on the app's clock: the registration window is read at it.
    pub now: NaiveDateTime,
}

/// What a public registration did; the HTTP answer is the same for all of them.
#[derive(Debug, PartialEq, Eq)]
pub enum PublicOutcome {
    Created,
    LinkResent,
    Throttled,
    AlreadyRegistered,
    Reopened,
}

/// A public registration, from the API or the `/events/{slug}/register` form (`shape`: the
/// errors found while reading the body).
///
/// In two steps, so that what queues on the write lock is only what must. First, from this
/// instance's memory (the published event as `schedule::cache` keeps it, the event's email
/// override as `email::templates::Overrides` keeps it, each read again at most once a
/// second), the body is checked against the event and the confirmation link is drawn and its
/// email rendered ([`ConfirmLink`]; an organizer's override renders off the async workers, on
/// its budget). Then the registration is written in the next group commit (`db::group`), which
/// reads the event again from the database and checks it again ([`register_public`]).
pub async fn register(
    desk: &Desk,
    slug: String,
    body: NewRegistration,
    shape: Vec<FieldError>,
) -> AppResult<PublicOutcome> {
    let now = desk.now;
    let cached = desk.programme.get(&desk.db, &slug).await?.event.clone();
    let event = open_for_registration(&slug, Some(cached), now)?;
    let p = person(body, shape, &event, false)?;
    let link = prepare_link(desk, &event, &p).await?;
    let settings = desk.settings.clone();
    desk.db
        .write_grouped(move |c| {
            // Read, not locked: a pending registration holds no seat (a confirmation does,
            // under the event's lock), so registrations need not wait for one another.
            let event = open_for_registration(&slug, events::find_by_slug(c, &slug)?, now)?;
            let outcome = register_public(c, &settings, &event, &p, Some(link))?;
            tracing::debug!(?outcome, "public registration");
            Ok(outcome)
        })
        .await
}

/// `event` if it is published and takes registrations at `now`: 404 (naming `slug`) for none
/// or a draft, 409 before the window opens or once it has closed.
fn open_for_registration(slug: &str, event: Option<Event>, now: NaiveDateTime) -> AppResult<Event> {
    let event = event
        .filter(|e| e.is_published())
        .ok_or_else(|| AppError::not_found(format!("no event `{slug}`")))?;
    if event.registration_opens_at.is_some_and(|t| now < t) {
        return Err(AppError::Conflict("registration is not open yet".into()));
    }
    if event.registration_closes_at.is_some_and(|t| now >= t) {
        return Err(AppError::Conflict("registration is closed".into()));
    }
    Ok(event)
}

/// The confirmation link of `p` and its email, before the write lock: the event's override of
/// the email as this instance keeps it (read and kept when it is not fresh), rendered on the
/// blocking pool when there is one.
async fn prepare_link(desk: &Desk, event: &Event, p: &Person) -> AppResult<ConfirmLink> {
    let kind = EmailKind::RegistrationConfirm;
    let custom = match desk.overrides.fresh(event.id, kind, p.language) {
        Some(custom) => custom,
        None => {
            let (event_id, lang) = (event.id, p.language);
            let custom = desk
                .db
                .run(move |c| Ok(templates::find_override(c, event_id, kind, lang)?))
                .await?;
            desk.overrides.keep(event_id, kind, lang, custom.clone());
            custom
        }
    };
    if custom.is_none() {
        let (to, lang) = (p.email.as_str(), p.language);
        return ConfirmLink::prepare(None, &desk.settings, event, to, lang, &p.name);
    }
    let (settings, event) = (desk.settings.clone(), event.clone());
    let (to, lang, name) = (p.email.to_string(), p.language, p.name.clone());
    tokio::task::spawn_blocking(move || {
        ConfirmLink::prepare(custom, &settings, &event, &to, lang, &name)
    })
    .await
    .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
}

/// A public registration (SPEC §4, §6), in the write transaction.
/// `link`, when given, is the confirmation link prepared for `p` before the write lock
/// ([`ConfirmLink::prepare`]); it is used when the registration is new or reopened (the
/// emails that carry `p`'s own name and language), and made here otherwise.
pub fn register_public(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    p: &Person,
    link: Option<ConfirmLink>,
) -> AppResult<PublicOutcome> {
    // A new registration is inserted with its link marked as sent (`store::insert`).
    let send_link = |c: &mut Conn, reg: &RegistrationRow, new: bool| match &link {
        Some(link) => {
            if !new {
                mark_link_sent(c, reg.id)?;
            }
            link.send(c, settings, reg)
        }
        None => emails::send_confirm_link(c, settings, event, reg),
    };
    let now = crate::db::now();
    let resend = TimeDelta::from_std(settings.registration.resend_interval)
        .unwrap_or(TimeDelta::minutes(10));
    let Some(reg) = store::find_in(c, event.id, By::Email(&p.email))? else {
        let reg = inserted(c, event, p, Status::Pending, true)?;
        send_link(c, &reg, true)?;
        return Ok(PublicOutcome::Created);
    };
    match reg.status() {
        Status::Pending | Status::Confirmed | Status::Waitlisted
            if reg.confirm_sent_at.is_some_and(|t| now - t < resend) =>
        {
            Ok(PublicOutcome::Throttled)
        }
        Status::Pending => {
            emails::send_confirm_link(c, settings, event, &reg)?;
            Ok(PublicOutcome::LinkResent)
        }
        Status::Confirmed | Status::Waitlisted => {
            // Rate-limited like the link, so the form cannot be used to flood an inbox.
            store::set_confirm_sent(c, reg.id, now)?;
            send_with_manage_link(c, settings, event, &reg, EmailKind::AlreadyRegistered)?;
            Ok(PublicOutcome::AlreadyRegistered)
        }
        Status::Cancelled => {
            store::update_details(c, reg.id, &DetailsChange::reopening(p, now), now)?;
            let fresh = store::find_by_id(c, reg.id)?;
            let reg = transition(c, &fresh, Status::Pending)?;
            send_link(c, &reg, false)?;
            Ok(PublicOutcome::Reopened)
        }
    }
}

/// An organizer's registration from the API: [`register_by_organizer`] with the event locked,
/// in the audit log as `organizer_id`'s.
pub async fn register_walk_in(
    desk: &Desk,
    organizer_id: i64,
    slug: String,
    body: NewRegistration,
    shape: Vec<FieldError>,
) -> AppResult<RegistrationOut> {
    let settings = desk.settings.clone();
    desk.db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            let p = person(body, shape, &event, true)?;
            let reg = register_by_organizer(c, &settings, &event, &p)?;
            audit::record(
                c,
                Some(organizer_id),
                Some(event.id),
                "create",
                "registration",
                Some(reg.id),
                serde_json::json!({"category": p.category}),
            )?;
            Ok(RegistrationOut::of(&event.slug, &reg))
        })
        .await
}

/// An organizer's registration: confirmed at once, any category (walk-ins, VIPs, press).
/// Organizers decide who comes, so capacity does not refuse it.
pub fn register_by_organizer(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    p: &Person,
) -> AppResult<RegistrationRow> {
    if store::find_in(c, event.id, By::Email(&p.email))?.is_some() {
        return Err(AppError::Conflict(format!(
            "{} already holds a registration for this event",
            p.email
        )));
    }
    let reg = inserted(c, event, p, Status::Confirmed, false)?;
    emails::send_with_manage_link(c, settings, event, &reg, EmailKind::RegistrationConfirmed)?;
    Ok(reg)
}

/// A staff pass's registration: a new confirmed one, or — for a staff member of this
/// exhibitor who was removed (a cancelled `exhibitor_staff` registration among `former`) —
/// the same registration confirmed again. Any other registration of that email is a 409 that
/// does not name the address (the answer says nothing about who else is registered).
pub fn insert_staff(
    c: &mut Conn,
    event: &Event,
    p: &Person,
    former: &[i64],
) -> AppResult<RegistrationRow> {
    match store::find_in(c, event.id, By::Email(&p.email))? {
        None => inserted(c, event, p, Status::Confirmed, false),
        Some(reg)
            if former.contains(&reg.id)
                && reg.status() == Status::Cancelled
                && reg.category() == Category::ExhibitorStaff
                && reg.erased_at.is_none() =>
        {
            store::restore_staff(c, reg.id, p, crate::db::now())?;
            let reg = store::find_by_id(c, reg.id)?;
            announce(c, &reg, EventType::RegistrationConfirmed)?;
            Ok(reg)
        }
        Some(_) => Err(AppError::Conflict(
            "this address cannot receive a staff pass for this fair".into(),
        )),
    }
}

/// A new registration of `p` in `status`, announced to the fair's webhooks: created, and
/// confirmed when it is confirmed at once (an organizer's, a staff pass).
fn inserted(
    c: &mut Conn,
    event: &Event,
    p: &Person,
    status: Status,
    link_sent: bool,
) -> AppResult<RegistrationRow> {
    let reg = store::insert(c, event.id, p, status, link_sent)?;
    announce(c, &reg, EventType::RegistrationCreated)?;
    if status == Status::Confirmed {
        announce(c, &reg, EventType::RegistrationConfirmed)?;
    }
    Ok(reg)
}

/// The result of following a confirmation link.
pub struct Confirmed {
    pub registration: RegistrationRow,
    pub event: Event,
    pub manage_token: String,
}

/// Confirms with a token: 404 unknown, 409 used, 410 expired; confirmed when a seat is free,
/// waitlisted otherwise. Locks the event first, so N free seats make exactly N confirmations.
/// `now` is the app's clock (expiry).
pub fn confirm(
    c: &mut Conn,
    settings: &Settings,
    token: &str,
    now: NaiveDateTime,
) -> AppResult<Confirmed> {
    let found = TOKENS
        .find(c, token, CONFIRM)?
        .ok_or_else(|| AppError::not_found("unknown confirmation link"))?;
    let reg = store::find_by_id(c, found.owner_id)?;
    let event = events::lock_by_id(c, reg.event_id)?;
    // Re-read under the lock.
    let found = TOKENS
        .find(c, token, CONFIRM)?
        .ok_or_else(|| AppError::not_found("unknown confirmation link"))?;
    found.check_usable(now, "register again with the same email for a new one")?;
    let reg = store::find_by_id(c, found.owner_id)?;
    if reg.status() != Status::Pending {
        return Err(AppError::Conflict(format!(
            "a registration cannot go from {} to confirmed",
            reg.status()
        )));
    }
    TOKENS.mark_used(c, found.id)?;
    let (reg, manage_token) = if has_free_seat(c, &event)? {
        let reg = transition(c, &reg, Status::Confirmed)?;
        let t = emails::send_with_manage_link(
            c,
            settings,
            &event,
            &reg,
            EmailKind::RegistrationConfirmed,
        )?;
        (reg, t)
    } else {
        let reg = transition(c, &reg, Status::Waitlisted)?;
        let t =
            send_with_manage_link(c, settings, &event, &reg, EmailKind::RegistrationWaitlisted)?;
        (reg, t)
    };
    Ok(Confirmed {
        registration: reg,
        event,
        manage_token,
    })
}

/// What a confirmation link leads to, without using it (the page before the button): the
/// registration and its event, or 404 unknown, 409 used, 410 expired.
pub fn peek_confirm(
    c: &mut Conn,
    token: &str,
    now: NaiveDateTime,
) -> AppResult<(Event, RegistrationRow)> {
    let found = TOKENS
        .find(c, token, CONFIRM)?
        .ok_or_else(|| AppError::not_found("unknown confirmation link"))?;
    let reg = store::find_by_id(c, found.owner_id)?;
    let event = events::find(c, reg.event_id)?;
    found.check_usable(now, "register again with the same email for a new one")?;
    Ok((event, reg))
}

/// The event of a confirmation link, if the link and its registration are known, usable or
/// not (the pages of a link that cannot be used lead back to it).
pub fn event_of_link(c: &mut Conn, token: &str) -> AppResult<Option<Event>> {
    Ok(TOKENS
        .find(c, token, CONFIRM)?
        .and_then(|f| store::find_by_id(c, f.owner_id).ok())
        .and_then(|r| events::find(c, r.event_id).ok()))
}

/// The holder of a confirmation link already used asks for a link to their page: it goes by
/// email to the address of the registration (with a manage link minted for that email), never
/// to whoever holds the link, at most once per `registration.resend_interval`. Nothing
/// happens, silently, for an unknown, unused or expired link, or a registration that is
/// erased or cancelled.
pub fn email_link_for_used_link(
    c: &mut Conn,
    settings: &Settings,
    token: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    let Some(found) = TOKENS
        .find(c, token, CONFIRM)?
        .filter(|f| f.used_at.is_some())
    else {
        return Ok(());
    };
    if found.expires_at.is_some_and(|t| t < now) {
        return Ok(());
    }
    let reg = store::find_by_id(c, found.owner_id)?;
    let active = matches!(reg.status(), Status::Confirmed | Status::Waitlisted);
    let resend = TimeDelta::from_std(settings.registration.resend_interval)
        .unwrap_or(TimeDelta::minutes(10));
    let sent = crate::db::now();
    let recent = reg.confirm_sent_at.is_some_and(|t| sent - t < resend);
    if reg.erased_at.is_some() || !active || recent {
        return Ok(());
    }
    let event = events::find(c, reg.event_id)?;
    store::set_confirm_sent(c, reg.id, sent)?;
    send_with_manage_link(c, settings, &event, &reg, EmailKind::AlreadyRegistered)?;
    Ok(())
}

/// An attendee's own change of their details (name, organization, job title, country, phone,
/// language); the email is the identity and does not change here.
pub fn update_details(
    c: &mut Conn,
    reg: &RegistrationRow,
    p: &Person,
) -> AppResult<RegistrationRow> {
    if reg.erased_at.is_some() || reg.status() == Status::Cancelled {
        return Err(AppError::Conflict(format!(
            "a {} registration keeps its details",
            if reg.erased_at.is_some() {
                "erased"
            } else {
                "cancelled"
            }
        )));
    }
    store::update_details(c, reg.id, &DetailsChange::of(p), crate::db::now())?;
    Ok(store::find_by_id(c, reg.id)?)
}
