//! Registration rules, run inside write transactions that lock the event (see `db::write_tx`):
//! registering (public and by organizers), confirming against capacity, cancelling with
//! promotion of the waiting list, erasure, and the emails each step queues in the outbox.

use chrono::TimeDelta;
use diesel::prelude::*;
use serde_json::{json, Value};

use super::model::{Category, RegistrationRow, Status};
use super::{agenda, bookings};
use crate::auth::owner_tokens::{ATTENDEES as TOKENS, CONFIRM, MANAGE};
use crate::config::Settings;
use crate::db::schema::registrations;
use crate::db::Conn;
use crate::domain::{search_text, EmailAddress, Language};
use crate::email::{self, Attachment, EmailKind, NewEmail};
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::run;

/// The personal fields of a registration, checked.
#[derive(Debug, Clone)]
pub struct Person {
    pub name: String,
    pub email: EmailAddress,
    pub organization: Option<String>,
    pub job_title: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    pub language: Language,
    pub category: Category,
}

impl Person {
    fn search(&self) -> String {
        let mut parts = vec![self.name.as_str(), self.email.as_str()];
        parts.extend(self.organization.as_deref());
        search_text(parts)
    }
}

pub fn find(c: &mut Conn, event_id: i64, id: i64) -> AppResult<RegistrationRow> {
    run!(c, |c| registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::id.eq(id))
        .select(RegistrationRow::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| AppError::not_found(format!("no registration {id} in this event")))
}

pub fn find_by_id(c: &mut Conn, id: i64) -> QueryResult<RegistrationRow> {
    run!(c, |c| registrations::table
        .find(id)
        .select(RegistrationRow::as_select())
        .first(c))
}

/// The registration holding a badge code (normalised: `K7QM-2XHP-…`) in an event.
pub fn find_by_badge(
    c: &mut Conn,
    event_id: i64,
    badge_code: &str,
) -> QueryResult<Option<RegistrationRow>> {
    run!(c, |c| registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::badge_code.eq(badge_code))
        .select(RegistrationRow::as_select())
        .first(c)
        .optional())
}

/// The `exhibitor_staff` registrations among `ids`, in that order (staff passes: one who
/// registered again on their own is not staff any more).
pub fn staff_registrations(c: &mut Conn, ids: &[i64]) -> QueryResult<Vec<RegistrationRow>> {
    let mut rows: Vec<RegistrationRow> = run!(c, |c| registrations::table
        .filter(registrations::id.eq_any(ids))
        .filter(registrations::category.eq(Category::ExhibitorStaff.as_str()))
        .select(RegistrationRow::as_select())
        .load(c))?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(rows)
}

fn find_by_email(
    c: &mut Conn,
    event_id: i64,
    email: &EmailAddress,
) -> QueryResult<Option<RegistrationRow>> {
    run!(c, |c| registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::email.eq(email.as_str()))
        .select(RegistrationRow::as_select())
        .first(c)
        .optional())
}

/// Confirmed attendees counted against the event's capacity (exhibitor staff do not count).
pub fn count_confirmed(c: &mut Conn, event_id: i64) -> QueryResult<i64> {
    run!(c, |c| registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::status.eq(Status::Confirmed.as_str()))
        .filter(registrations::category.ne(Category::ExhibitorStaff.as_str()))
        .count()
        .get_result(c))
}

/// How many wait for a seat at the fair.
pub fn count_waitlisted(c: &mut Conn, event_id: i64) -> QueryResult<i64> {
    run!(c, |c| registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::status.eq(Status::Waitlisted.as_str()))
        .count()
        .get_result(c))
}

fn has_free_seat(c: &mut Conn, event: &Event) -> QueryResult<bool> {
    Ok(match event.capacity {
        None => true,
        Some(cap) => count_confirmed(c, event.id)? < cap as i64,
    })
}

/// `consented`: the person agreed themselves (public registration); organizers' walk-ins and
/// staff passes record no consent.
fn insert(
    c: &mut Conn,
    event: &Event,
    p: &Person,
    status: Status,
    consented: bool,
) -> AppResult<RegistrationRow> {
    let now = crate::db::now();
    let row = run!(c, |c| diesel::insert_into(registrations::table)
        .values((
            registrations::event_id.eq(event.id),
            registrations::email.eq(Some(p.email.as_str())),
            registrations::name.eq(Some(&p.name)),
            registrations::organization.eq(&p.organization),
            registrations::job_title.eq(&p.job_title),
            registrations::country.eq(&p.country),
            registrations::phone.eq(&p.phone),
            registrations::language.eq(p.language.code()),
            registrations::category.eq(p.category.as_str()),
            registrations::status.eq(status.as_str()),
            registrations::badge_code.eq(crate::badges::new_badge_code()),
            registrations::consent_at.eq(consented.then_some(now)),
            registrations::search_text.eq(p.search()),
            registrations::confirmed_at.eq((status == Status::Confirmed).then_some(now)),
            // A pending registration is created by the public form, which sends its link.
            registrations::confirm_sent_at.eq((status == Status::Pending).then_some(now)),
            registrations::created_at.eq(now),
            registrations::updated_at.eq(now),
        ))
        .returning(RegistrationRow::as_returning())
        .get_result(c))?;
    Ok(row)
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
    run!(c, |c| diesel::update(registrations::table.find(reg.id))
        .set((
            registrations::status.eq(next.as_str()),
            registrations::updated_at.eq(now)
        ))
        .execute(c))?;
    if current == Status::Confirmed {
        // Only confirmed attendees hold seats (their feed answers 404 until confirmed again).
        bookings::release_all(c, reg.event_id, reg.id)?;
    }
    let stamp = Some(now);
    match next {
        Status::Confirmed => run!(c, |c| diesel::update(registrations::table.find(reg.id))
            .set(registrations::confirmed_at.eq(stamp))
            .execute(c))?,
        Status::Waitlisted => run!(c, |c| diesel::update(registrations::table.find(reg.id))
            .set(registrations::waitlisted_at.eq(stamp))
            .execute(c))?,
        Status::Cancelled => run!(c, |c| diesel::update(registrations::table.find(reg.id))
            .set(registrations::cancelled_at.eq(stamp))
            .execute(c))?,
        Status::Pending => 0,
    };
    Ok(find_by_id(c, reg.id)?)
}

// ---------------------------------------------------------------------------------------------
// Emails

fn queue(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    reg: &RegistrationRow,
    kind: EmailKind,
    extra: Value,
    attachments: Vec<Attachment>,
) -> AppResult<()> {
    let Some(to) = reg.email.as_deref() else {
        return Ok(()); // erased: nobody to write to
    };
    let lang = reg.language();
    let mut ctx = email::common_context(event, lang, reg.display_name());
    if let Value::Object(extra) = extra {
        ctx.extend(extra);
    }
    email::enqueue(
        c,
        NewEmail {
            event_id: Some(event.id),
            registration_id: Some(reg.id),
            kind,
            to,
            language: lang,
            context: Value::Object(ctx),
            attachments,
        },
        &settings.message_domain(),
    )?;
    Ok(())
}

/// A new manage token (`slr_`) for a registration, with its agenda feed.
pub fn mint_manage(c: &mut Conn, registration_id: i64) -> QueryResult<String> {
    let token = TOKENS.mint(c, registration_id, MANAGE, None)?;
    agenda::register(c, registration_id, &token)?;
    Ok(token)
}

fn manage_links(
    c: &mut Conn,
    settings: &Settings,
    reg: &RegistrationRow,
) -> QueryResult<(String, String, String)> {
    let token = mint_manage(c, reg.id)?;
    let base = settings.base_url();
    Ok((
        format!("{base}/r/{token}?lang={}", reg.language().code()),
        format!("{base}/r/{token}/badge?lang={}", reg.language().code()),
        token,
    ))
}

/// A confirmation link and the email that carries it, made before the write lock: the token
/// drawn and hashed, the email rendered. The write then only stores them, so the work that
/// queues on the lock is a few inserts (see `db::group`).
pub struct ConfirmLink {
    token: crate::auth::owner_tokens::Unsaved,
    email: email::outbox::RenderedEmail,
}

impl ConfirmLink {
    /// The link `name` at `to` gets in `lang`. Reads the event's template override, if any;
    /// writes nothing.
    pub fn prepare(
        c: &mut Conn,
        settings: &Settings,
        event: &Event,
        to: &str,
        lang: Language,
        name: &str,
    ) -> AppResult<ConfirmLink> {
        let custom =
            email::templates::find_override(c, event.id, EmailKind::RegistrationConfirm, lang)?;
        Self::prepare_with(custom, settings, event, to, lang, name)
    }

    /// [`ConfirmLink::prepare`] with the event's override of the email already read
    /// (`custom`; `None`: it has none). Touches no database.
    pub fn prepare_with(
        custom: Option<email::templates::Parts>,
        settings: &Settings,
        event: &Event,
        to: &str,
        lang: Language,
        name: &str,
    ) -> AppResult<ConfirmLink> {
        let token = TOKENS.unsaved();
        let ttl = settings.registration.confirm_ttl;
        let mut ctx = email::common_context(event, lang, name);
        ctx.insert(
            "confirm_url".into(),
            json!(format!(
                "{}/confirm/{}?lang={}",
                settings.base_url(),
                token.value,
                lang.code()
            )),
        );
        ctx.insert("expires_hours".into(), json!(ttl.as_secs() / 3600));
        let email = email::outbox::render_with(
            custom,
            NewEmail {
                event_id: Some(event.id),
                registration_id: None,
                kind: EmailKind::RegistrationConfirm,
                to,
                language: lang,
                context: Value::Object(ctx),
                attachments: vec![],
            },
            &settings.message_domain(),
        )?;
        Ok(ConfirmLink { token, email })
    }

    /// Stores the link for `reg` and queues its email (the caller records `confirm_sent_at`,
    /// see [`mark_link_sent`]).
    fn send(&self, c: &mut Conn, settings: &Settings, reg: &RegistrationRow) -> AppResult<()> {
        let ttl = settings.registration.confirm_ttl;
        self.token.save(
            c,
            reg.id,
            CONFIRM,
            Some(TimeDelta::from_std(ttl).unwrap_or(TimeDelta::hours(72))),
        )?;
        email::outbox::enqueue_rendered(c, &self.email, Some(reg.id))?;
        Ok(())
    }
}

/// Records that a confirmation link went out now (it throttles the next one).
fn mark_link_sent(c: &mut Conn, registration_id: i64) -> QueryResult<()> {
    let now = crate::db::now();
    run!(c, |c| diesel::update(
        registrations::table.find(registration_id)
    )
    .set(registrations::confirm_sent_at.eq(Some(now)))
    .execute(c))?;
    Ok(())
}

/// A new confirmation link (`registration_confirm`).
pub fn send_confirm_link(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    reg: &RegistrationRow,
) -> AppResult<()> {
    // An erased registration has nobody to write to: its link is made but sent nowhere.
    let to = reg.email.as_deref().unwrap_or_default();
    let link = ConfirmLink::prepare(c, settings, event, to, reg.language(), reg.display_name())?;
    mark_link_sent(c, reg.id)?;
    if reg.email.is_some() {
        link.send(c, settings, reg)
    } else {
        link.token.save(c, reg.id, CONFIRM, None)?;
        Ok(())
    }
}

/// `registration_confirmed` or `registration_promoted`: badge code and QR, manage and badge
/// links, the fair's calendar file. Returns the manage token minted for it.
pub fn send_confirmed(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    reg: &RegistrationRow,
    kind: EmailKind,
) -> AppResult<String> {
    let (manage_url, badge_url, token) = manage_links(c, settings, reg)?;
    let lang = reg.language();
    let extra = json!({
        "badge_code": reg.badge_code,
        "category": reg.category().label(lang),
        "manage_url": manage_url,
        "badge_url": badge_url,
        "qr_src": format!("cid:badge-qr@{}", settings.message_domain()),
    });
    let attachments = vec![
        Attachment::new(
            "badge.png",
            "image/png",
            Some(&format!("badge-qr@{}", settings.message_domain())),
            &crate::badges::qr_png(&reg.badge_code),
        ),
        Attachment::new(
            "salon.ics",
            "text/calendar; charset=utf-8; method=PUBLISH",
            None,
            agenda::fair(event, lang, &settings.message_domain()).as_bytes(),
        ),
    ];
    queue(c, settings, event, reg, kind, extra, attachments)?;
    Ok(token)
}

/// An email whose only link is the attendee's page (`registration_waitlisted`, `already_registered`).
fn send_with_manage_link(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    reg: &RegistrationRow,
    kind: EmailKind,
) -> AppResult<String> {
    let (manage_url, _, token) = manage_links(c, settings, reg)?;
    queue(
        c,
        settings,
        event,
        reg,
        kind,
        json!({"manage_url": manage_url}),
        vec![],
    )?;
    Ok(token)
}

// ---------------------------------------------------------------------------------------------
// Steps

/// What a public registration did; the HTTP answer is the same for all of them.
#[derive(Debug, PartialEq, Eq)]
pub enum PublicOutcome {
    Created,
    LinkResent,
    Throttled,
    AlreadyRegistered,
    Reopened,
}

/// A public registration (SPEC §4, §6). Locks the event.
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
    // A new registration is inserted with its link marked as sent (`insert`).
    let send_link = |c: &mut Conn, reg: &RegistrationRow, new: bool| match &link {
        Some(link) => {
            if !new {
                mark_link_sent(c, reg.id)?;
            }
            link.send(c, settings, reg)
        }
        None => send_confirm_link(c, settings, event, reg),
    };
    let now = crate::db::now();
    let resend = TimeDelta::from_std(settings.registration.resend_interval)
        .unwrap_or(TimeDelta::minutes(10));
    match find_by_email(c, event.id, &p.email)? {
        None => {
            let reg = insert(c, event, p, Status::Pending, true)?;
            send_link(c, &reg, true)?;
            Ok(PublicOutcome::Created)
        }
        Some(reg) => match reg.status() {
            Status::Pending | Status::Confirmed | Status::Waitlisted
                if reg.confirm_sent_at.is_some_and(|t| now - t < resend) =>
            {
                Ok(PublicOutcome::Throttled)
            }
            Status::Pending => {
                send_confirm_link(c, settings, event, &reg)?;
                Ok(PublicOutcome::LinkResent)
            }
            Status::Confirmed | Status::Waitlisted => {
                // Rate-limited like the link, so the form cannot be used to flood an inbox.
                run!(c, |c| diesel::update(registrations::table.find(reg.id))
                    .set(registrations::confirm_sent_at.eq(Some(now)))
                    .execute(c))?;
                send_with_manage_link(c, settings, event, &reg, EmailKind::AlreadyRegistered)?;
                Ok(PublicOutcome::AlreadyRegistered)
            }
            Status::Cancelled => {
                run!(c, |c| diesel::update(registrations::table.find(reg.id))
                    .set((
                        registrations::name.eq(Some(&p.name)),
                        registrations::organization.eq(&p.organization),
                        registrations::job_title.eq(&p.job_title),
                        registrations::country.eq(&p.country),
                        registrations::phone.eq(&p.phone),
                        registrations::language.eq(p.language.code()),
                        registrations::category.eq(p.category.as_str()),
                        registrations::consent_at.eq(Some(now)),
                        registrations::search_text.eq(p.search()),
                    ))
                    .execute(c))?;
                let fresh = find_by_id(c, reg.id)?;
                let reg = transition(c, &fresh, Status::Pending)?;
                send_link(c, &reg, false)?;
                Ok(PublicOutcome::Reopened)
            }
        },
    }
}

/// An organizer's registration: confirmed at once, any category (walk-ins, VIPs, press).
/// Organizers decide who comes, so capacity does not refuse it.
pub fn register_by_organizer(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    p: &Person,
) -> AppResult<RegistrationRow> {
    if find_by_email(c, event.id, &p.email)?.is_some() {
        return Err(AppError::Conflict(format!(
            "{} already holds a registration for this event",
            p.email
        )));
    }
    let reg = insert(c, event, p, Status::Confirmed, false)?;
    send_confirmed(c, settings, event, &reg, EmailKind::RegistrationConfirmed)?;
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
    now: chrono::NaiveDateTime,
) -> AppResult<Confirmed> {
    let found = TOKENS
        .find(c, token, CONFIRM)?
        .ok_or_else(|| AppError::not_found("unknown confirmation link"))?;
    let reg = find_by_id(c, found.owner_id)?;
    let event = crate::events::queries::lock_by_id(c, reg.event_id)?;
    // Re-read under the lock.
    let found = TOKENS
        .find(c, token, CONFIRM)?
        .ok_or_else(|| AppError::not_found("unknown confirmation link"))?;
    found.check_usable(now, "register again with the same email for a new one")?;
    let reg = find_by_id(c, found.owner_id)?;
    if reg.status() != Status::Pending {
        return Err(AppError::Conflict(format!(
            "a registration cannot go from {} to confirmed",
            reg.status()
        )));
    }
    TOKENS.mark_used(c, found.id)?;
    let (reg, manage_token) = if has_free_seat(c, &event)? {
        let reg = transition(c, &reg, Status::Confirmed)?;
        let t = send_confirmed(c, settings, &event, &reg, EmailKind::RegistrationConfirmed)?;
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
    run!(c, |c| diesel::update(registrations::table.find(reg.id))
        .set((
            registrations::name.eq(Some(&p.name)),
            registrations::organization.eq(&p.organization),
            registrations::job_title.eq(&p.job_title),
            registrations::country.eq(&p.country),
            registrations::phone.eq(&p.phone),
            registrations::language.eq(p.language.code()),
            registrations::search_text.eq(p.search()),
            registrations::updated_at.eq(crate::db::now()),
        ))
        .execute(c))?;
    Ok(find_by_id(c, reg.id)?)
}

/// What a confirmation link leads to, without using it (the page before the button): the
/// registration and its event, or 404 unknown, 409 used, 410 expired.
pub fn peek_confirm(
    c: &mut Conn,
    token: &str,
    now: chrono::NaiveDateTime,
) -> AppResult<(Event, RegistrationRow)> {
    let found = TOKENS
        .find(c, token, CONFIRM)?
        .ok_or_else(|| AppError::not_found("unknown confirmation link"))?;
    let reg = find_by_id(c, found.owner_id)?;
    let event = crate::events::queries::find(c, reg.event_id)?;
    found.check_usable(now, "register again with the same email for a new one")?;
    Ok((event, reg))
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
    now: chrono::NaiveDateTime,
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
    let reg = find_by_id(c, found.owner_id)?;
    let active = matches!(reg.status(), Status::Confirmed | Status::Waitlisted);
    let resend = TimeDelta::from_std(settings.registration.resend_interval)
        .unwrap_or(TimeDelta::minutes(10));
    let sent = crate::db::now();
    let recent = reg.confirm_sent_at.is_some_and(|t| sent - t < resend);
    if reg.erased_at.is_some() || !active || recent {
        return Ok(());
    }
    let event = crate::events::queries::find(c, reg.event_id)?;
    run!(c, |c| diesel::update(registrations::table.find(reg.id))
        .set(registrations::confirm_sent_at.eq(Some(sent)))
        .execute(c))?;
    send_with_manage_link(c, settings, &event, &reg, EmailKind::AlreadyRegistered)?;
    Ok(())
}

/// Promotes waitlisted registrations, oldest first, while seats are free; emails each.
pub fn promote(c: &mut Conn, settings: &Settings, event: &Event) -> AppResult<usize> {
    let mut promoted = 0;
    while has_free_seat(c, event)? {
        let next: Option<RegistrationRow> = run!(c, |c| registrations::table
            .filter(registrations::event_id.eq(event.id))
            .filter(registrations::status.eq(Status::Waitlisted.as_str()))
            .order((registrations::waitlisted_at.asc(), registrations::id.asc()))
            .select(RegistrationRow::as_select())
            .first(c)
            .optional())?;
        let Some(next) = next else { break };
        let reg = transition(c, &next, Status::Confirmed)?;
        send_confirmed(c, settings, event, &reg, EmailKind::RegistrationPromoted)?;
        promoted += 1;
    }
    Ok(promoted)
}

/// More seats: the waiting list moves up at once, oldest first (an event hook).
pub struct PromoteOnMoreSeats;

impl crate::events::EventChange for PromoteOnMoreSeats {
    fn changed(
        &self,
        c: &mut Conn,
        settings: &Settings,
        before: &Event,
        after: &Event,
    ) -> AppResult<()> {
        if after.capacity != before.capacity {
            promote(c, settings, after)?;
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
    run!(c, |c| diesel::update(registrations::table.find(reg.id))
        .set((
            registrations::email.eq(None::<String>),
            registrations::name.eq(None::<String>),
            registrations::organization.eq(None::<String>),
            registrations::job_title.eq(None::<String>),
            registrations::country.eq(None::<String>),
            registrations::phone.eq(None::<String>),
            registrations::search_text.eq(""),
            registrations::status.eq(status.as_str()),
            registrations::erased_at.eq(Some(now)),
            registrations::updated_at.eq(now),
        ))
        .execute(c))?;
    TOKENS.delete_all(c, reg.id)?;
    bookings::release_all(c, reg.event_id, reg.id)?;
    agenda::close(c, reg.id)?;
    email::outbox::erase_for_registration(c, reg.id)?;
    if was_confirmed {
        promote(c, settings, event)?;
    }
    Ok(())
}

/// Sends again what the registration's state calls for: the link while pending, the
/// confirmation once confirmed, the waiting-list note while waitlisted.
pub fn resend(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    reg: &RegistrationRow,
) -> AppResult<EmailKind> {
    if reg.erased_at.is_some() {
        return Err(AppError::Conflict("this registration was erased".into()));
    }
    match reg.status() {
        Status::Pending => {
            send_confirm_link(c, settings, event, reg).map(|_| EmailKind::RegistrationConfirm)
        }
        Status::Confirmed => {
            send_confirmed(c, settings, event, reg, EmailKind::RegistrationConfirmed)
                .map(|_| EmailKind::RegistrationConfirmed)
        }
        Status::Waitlisted => {
            send_with_manage_link(c, settings, event, reg, EmailKind::RegistrationWaitlisted)
                .map(|_| EmailKind::RegistrationWaitlisted)
        }
        Status::Cancelled => Err(AppError::Conflict(
            "a cancelled registration gets no email".into(),
        )),
    }
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
    match find_by_email(c, event.id, &p.email)? {
        None => insert(c, event, p, Status::Confirmed, false),
        Some(reg)
            if former.contains(&reg.id)
                && reg.status() == Status::Cancelled
                && reg.category() == Category::ExhibitorStaff
                && reg.erased_at.is_none() =>
        {
            let now = crate::db::now();
            run!(c, |c| diesel::update(registrations::table.find(reg.id))
                .set((
                    registrations::name.eq(Some(&p.name)),
                    registrations::search_text.eq(p.search()),
                    registrations::language.eq(p.language.code()),
                    registrations::status.eq(Status::Confirmed.as_str()),
                    registrations::confirmed_at.eq(Some(now)),
                    registrations::updated_at.eq(now),
                ))
                .execute(c))?;
            Ok(find_by_id(c, reg.id)?)
        }
        Some(_) => Err(AppError::Conflict(
            "this address cannot receive a staff pass for this fair".into(),
        )),
    }
}

/// `staff_pass`: the badge of an exhibitor's staff member.
pub fn send_staff_pass(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    reg: &RegistrationRow,
    company_name: &str,
) -> AppResult<()> {
    let (manage_url, badge_url, _) = manage_links(c, settings, reg)?;
    let extra = json!({
        "company_name": company_name,
        "badge_code": reg.badge_code,
        "badge_url": badge_url,
        "manage_url": manage_url,
        "qr_src": format!("cid:badge-qr@{}", settings.message_domain()),
    });
    let attachments = vec![Attachment::new(
        "badge.png",
        "image/png",
        Some(&format!("badge-qr@{}", settings.message_domain())),
        &crate::badges::qr_png(&reg.badge_code),
    )];
    queue(
        c,
        settings,
        event,
        reg,
        EmailKind::StaffPass,
        extra,
        attachments,
    )
}
