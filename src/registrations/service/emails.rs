//! The emails of a registration's steps, queued in the outbox inside the step's transaction:
//! the confirmation link (drawn and rendered before the write lock, see [`ConfirmLink`]), the
//! confirmation with badge and calendar file, the waiting-list and already-registered notes
//! (each with a link to the attendee's page, under a manage token minted for that email), the
//! staff pass; and an organizer's resend of whichever the registration's state calls for.

use chrono::TimeDelta;
use diesel::QueryResult;
use serde_json::{json, Value};

use crate::auth::owner_tokens::{ATTENDEES as TOKENS, CONFIRM, MANAGE};
use crate::config::Settings;
use crate::db::Conn;
use crate::domain::Language;
use crate::email::{self, Attachment, EmailKind, NewEmail};
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::registrations::model::{RegistrationRow, Status};
use crate::registrations::{agenda, store};

/// Queues `kind` for the registration's owner, `extra` added to the common context (nothing
/// for an erased registration).
pub(super) fn queue(
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
    let email = NewEmail {
        registration_id: Some(reg.id),
        attachments,
        ..NewEmail::about(event, kind, to, reg.display_name(), reg.language(), extra)
    };
    email::enqueue(c, email, &settings.message_domain())?;
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
    /// The link `name` at `to` gets in `lang`, with the event's override of the email
    /// (`custom`, read by the caller; `None`: it has none). Touches no database.
    pub fn prepare(
        custom: Option<email::templates::Parts>,
        settings: &Settings,
        event: &Event,
        to: &str,
        lang: Language,
        name: &str,
    ) -> AppResult<ConfirmLink> {
        let token = TOKENS.unsaved();
        let ttl = settings.registration.confirm_ttl;
        let extra = json!({
            "confirm_url": format!("{}/confirm/{}?lang={}", settings.base_url(), token.value, lang.code()),
            "expires_hours": ttl.as_secs() / 3600,
        });
        let kind = EmailKind::RegistrationConfirm;
        let email = email::outbox::render_with(
            custom,
            NewEmail::about(event, kind, to, name, lang, extra),
            &settings.message_domain(),
        )?;
        Ok(ConfirmLink { token, email })
    }

    /// Stores the link for `reg` and queues its email (the caller records `confirm_sent_at`,
    /// see [`mark_link_sent`]).
    pub(super) fn send(
        &self,
        c: &mut Conn,
        settings: &Settings,
        reg: &RegistrationRow,
    ) -> AppResult<()> {
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
pub(super) fn mark_link_sent(c: &mut Conn, registration_id: i64) -> QueryResult<()> {
    store::set_confirm_sent(c, registration_id, crate::db::now())
}

/// A new confirmation link (`registration_confirm`).
pub fn send_confirm_link(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    reg: &RegistrationRow,
) -> AppResult<()> {
    // An erased registration has nobody to write to: its link is made but sent nowhere.
    let (to, lang) = (reg.email.as_deref().unwrap_or_default(), reg.language());
    let custom =
        email::templates::find_override(c, event.id, EmailKind::RegistrationConfirm, lang)?;
    let link = ConfirmLink::prepare(custom, settings, event, to, lang, reg.display_name())?;
    mark_link_sent(c, reg.id)?;
    if reg.email.is_some() {
        link.send(c, settings, reg)
    } else {
        link.token.save(c, reg.id, CONFIRM, None)?;
        Ok(())
    }
}

/// An email with a link to the attendee's page, under a manage token minted for it (returned):
/// `registration_confirmed` and `registration_promoted` also carry the badge (code, QR, the
/// printable page's link) and the fair's calendar file; `registration_waitlisted` and
/// `already_registered` only the link.
pub fn send_with_manage_link(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    reg: &RegistrationRow,
    kind: EmailKind,
) -> AppResult<String> {
    let (manage_url, badge_url, token) = manage_links(c, settings, reg)?;
    let (extra, attachments) = match kind {
        EmailKind::RegistrationConfirmed | EmailKind::RegistrationPromoted => {
            let lang = reg.language();
            let extra = json!({
                "badge_code": reg.badge_code,
                "category": reg.category().label(lang),
                "manage_url": manage_url,
                "badge_url": badge_url,
                "qr_src": format!("cid:badge-qr@{}", settings.message_domain()),
            });
            let fair = agenda::fair(event, lang, &settings.message_domain());
            let ics = "text/calendar; charset=utf-8; method=PUBLISH";
            let calendar = Attachment::new("salon.ics", ics, None, fair.as_bytes());
            (extra, vec![badge_qr(settings, reg), calendar])
        }
        _ => (json!({"manage_url": manage_url}), vec![]),
    };
    queue(c, settings, event, reg, kind, extra, attachments)?;
    Ok(token)
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
            send_with_manage_link(c, settings, event, reg, EmailKind::RegistrationConfirmed)
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
    let attachments = vec![badge_qr(settings, reg)];
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

/// The badge's QR code, shown inline where the email's `qr_src` (`cid:badge-qr@…`) points.
fn badge_qr(settings: &Settings, reg: &RegistrationRow) -> Attachment {
    Attachment::new(
        "badge.png",
        "image/png",
        Some(&format!("badge-qr@{}", settings.message_domain())),
        &crate::badges::qr_png(&reg.badge_code),
    )
}
