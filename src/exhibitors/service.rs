//! Exhibitor rules, run in write transactions that lock the event: applying, confirming,
//! review, booth assignment, withdrawal and staff passes, with the emails each step queues.

use chrono::TimeDelta;
use diesel::QueryResult;
use serde_json::{json, Value};

use super::model::{
    normalize_code, Application, BoothKind, BoothRef, BoothRow, ExhibitorOut, ExhibitorRow,
    PaymentStatus, ReviewWarning, StaffOut, Status,
};
use super::store;
use crate::auth::owner_tokens::{CONFIRM, EXHIBITORS as TOKENS, MANAGE};
use crate::config::Settings;
use crate::db::Conn;
use crate::domain::{search_text, EmailAddress, Language, Translatable};
use crate::email::{self, EmailKind, NewEmail};
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::registrations::service::Person;
use crate::registrations::{Category, RegistrationRow};
use crate::webhooks::{self, EventType, Subject};

fn transition(c: &mut Conn, ex: &ExhibitorRow, next: Status) -> AppResult<ExhibitorRow> {
    let current = ex.status();
    if !current.can_become(next) {
        return Err(AppError::Conflict(format!(
            "an exhibitor cannot go from {} to {}",
            current.as_str(),
            next.as_str()
        )));
    }
    store::set_status(c, ex.id, next)?;
    Ok(store::find_by_id(c, ex.id)?)
}

/// Queues the webhook deliveries of `kind` about `ex`, as organizers see it ([`out`]).
fn announce(c: &mut Conn, event: &Event, ex: &ExhibitorRow, kind: EventType) -> AppResult<()> {
    webhooks::emit(c, event.id, kind, Subject::exhibitor(ex.id), |c| {
        Ok(serde_json::to_value(out(c, event, ex)?).map_err(anyhow::Error::from)?)
    })
}

// ---------------------------------------------------------------------------------------------
// Emails

fn to_exhibitor(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
    kind: EmailKind,
    extra: Value,
) -> AppResult<()> {
    let mut extra = extra;
    if let Value::Object(m) = &mut extra {
        m.insert("company_name".into(), json!(ex.profile.company_name));
    }
    let (name, lang) = (&ex.profile.contact_name, ex.language());
    let email = NewEmail::about(event, kind, &ex.email, name, lang, extra);
    email::enqueue(c, email, &settings.message_domain())?;
    Ok(())
}

fn send_confirm_link(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
) -> AppResult<()> {
    let ttl = settings.registration.confirm_ttl;
    let token = TOKENS.mint(
        c,
        ex.id,
        CONFIRM,
        Some(TimeDelta::from_std(ttl).unwrap_or(TimeDelta::hours(72))),
    )?;
    store::set_confirm_sent(c, ex.id, crate::db::now())?;
    let extra = json!({
        "confirm_url": format!("{}/exhibitors/confirm/{token}?lang={}", settings.base_url(), ex.language().code()),
        "expires_hours": ttl.as_secs() / 3600,
    });
    to_exhibitor(c, settings, event, ex, EmailKind::ExhibitorConfirm, extra)
}

fn booth_ref(c: &mut Conn, ex: &ExhibitorRow) -> AppResult<Option<(BoothRef, BoothRow)>> {
    let Some(id) = ex.booth_id else {
        return Ok(None);
    };
    let b = store::find_booth(c, ex.event_id, id)?;
    Ok(Some((
        BoothRef {
            code: b.form.code.clone(),
            hall: Translatable::from_db(&b.form.hall),
            staff_passes: b.form.staff_passes,
        },
        b,
    )))
}

/// The address of the exhibitor's own page for the holder of `token`.
fn manage_url(settings: &Settings, token: &str, lang: Language) -> String {
    format!(
        "{}/exhibitor/{token}?lang={}",
        settings.base_url(),
        lang.code()
    )
}

/// `exhibitor_approved` with the booth (if any) and a manage link minted for it.
fn send_approved(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
) -> AppResult<String> {
    let token = TOKENS.mint(c, ex.id, MANAGE, None)?;
    let lang = ex.language();
    let (code, hall, price) = match booth_ref(c, ex)? {
        Some((r, row)) => {
            let price = super::model::Money {
                amount: row.form.price_amount,
                currency: row.form.price_currency,
            };
            (
                r.code,
                r.hall.get(lang, event.default_language).to_string(),
                if price.amount > 0 {
                    price.display(lang)
                } else {
                    String::new()
                },
            )
        }
        None => (String::new(), String::new(), String::new()),
    };
    let payment = event.payment_instructions.get(lang, event.default_language);
    let extra = json!({
        "booth_code": code, "hall": hall, "price": price,
        "payment_instructions": payment.trim(),
        "manage_url": manage_url(settings, &token, lang),
    });
    to_exhibitor(c, settings, event, ex, EmailKind::ExhibitorApproved, extra)?;
    Ok(token)
}

// ---------------------------------------------------------------------------------------------
// Steps

/// A public application: new → `pending` and a confirmation link; a repeat →
/// `exhibitor_already_applied` (at most once per `registration.resend_interval`).
pub fn apply(c: &mut Conn, settings: &Settings, event: &Event, a: &Application) -> AppResult<()> {
    let existing = store::find_in(c, event.id, store::By::Email(a.email.as_str()))?;
    let now = crate::db::now();
    if let Some(ex) = existing {
        let resend = TimeDelta::from_std(settings.registration.resend_interval)
            .unwrap_or(TimeDelta::minutes(10));
        if ex.confirm_sent_at.is_some_and(|t| now - t < resend) {
            return Ok(());
        }
        if ex.status() == Status::Pending {
            // Never confirmed (the link may have expired): a new link, like an attendee's.
            return send_confirm_link(c, settings, event, &ex);
        }
        store::set_confirm_sent(c, ex.id, now)?;
        let status = ex.status().label(ex.language());
        // A confirmed application that is still alive gets its page's address again: this is
        // how an exhibitor who lost the link finds its page.
        let manage_url = if matches!(ex.status(), Status::Submitted | Status::Approved) {
            let token = TOKENS.mint(c, ex.id, MANAGE, None)?;
            manage_url(settings, &token, ex.language())
        } else {
            String::new()
        };
        return to_exhibitor(
            c,
            settings,
            event,
            &ex,
            EmailKind::ExhibitorAlreadyApplied,
            json!({"status": status, "manage_url": manage_url}),
        );
    }
    let mut parts = vec![
        a.profile.company_name.as_str(),
        a.profile.contact_name.as_str(),
        a.email.as_str(),
    ];
    parts.extend(a.profile.sector.as_deref());
    let id = store::insert(c, event.id, a, &search_text(parts), now)?;
    let ex = store::find_by_id(c, id)?;
    send_confirm_link(c, settings, event, &ex)
}

/// Confirms an application's email: `pending → submitted`, and the event's contact is told.
/// What a confirmation link leads to, without using it: 404 unknown, 409 used, 410 expired.
pub fn peek_confirm(c: &mut Conn, token: &str, now: chrono::NaiveDateTime) -> AppResult<()> {
    let found = TOKENS
        .find(c, token, CONFIRM)?
        .ok_or_else(|| AppError::not_found("unknown confirmation link"))?;
    found.check_usable(now, "apply again with the same email for a new one")
}

/// `now` is the app's clock (expiry).
pub fn confirm(
    c: &mut Conn,
    settings: &Settings,
    token: &str,
    now: chrono::NaiveDateTime,
) -> AppResult<(Event, ExhibitorRow, String)> {
    let found = TOKENS
        .find(c, token, CONFIRM)?
        .ok_or_else(|| AppError::not_found("unknown confirmation link"))?;
    let ex = store::find_by_id(c, found.owner_id)?;
    let event = crate::events::store::lock_by_id(c, ex.event_id)?;
    let found = TOKENS
        .find(c, token, CONFIRM)?
        .ok_or_else(|| AppError::not_found("unknown confirmation link"))?;
    found.check_usable(now, "apply again with the same email for a new one")?;
    TOKENS.mark_used(c, found.id)?;
    let current = store::find_by_id(c, found.owner_id)?;
    let ex = transition(c, &current, Status::Submitted)?;
    let lang = event.default_language;
    let extra = json!({
        "company_name": ex.profile.company_name,
        "contact_name": ex.profile.contact_name,
        "applicant_email": ex.email,
        "booth_kind": BoothKind::parse(&ex.booth_kind).label(lang),
        "booth_area_m2": ex.booth_area_m2,
    });
    let team = email::organizing_team(lang);
    let kind = EmailKind::ExhibitorSubmitted;
    let email = NewEmail::about(&event, kind, &event.contact_email, team, lang, extra);
    email::enqueue(c, email, &settings.message_domain())?;
    announce(c, &event, &ex, EventType::ExhibitorSubmitted)?;
    // From now on the exhibitor has its own page: status, profile, withdrawal.
    let manage = TOKENS.mint(c, ex.id, MANAGE, None)?;
    Ok((event, ex, manage))
}

/// Puts `booth_code` on the exhibitor (409 if another exhibitor holds it).
fn assign_booth(c: &mut Conn, event: &Event, ex: &ExhibitorRow, booth_code: &str) -> AppResult<()> {
    let booth = store::find_booth_by_code(c, event.id, booth_code)?.ok_or_else(|| {
        AppError::validation(
            "booth_code",
            format!("no booth {} in this event", normalize_code(booth_code)),
        )
    })?;
    match store::find_booth_holder(c, booth.id)? {
        Some(holder) if holder != ex.id => {
            return Err(AppError::Conflict(format!(
                "booth {} is already assigned to another exhibitor",
                booth.form.code
            )));
        }
        _ => {}
    }
    Ok(store::set_booth(c, ex.id, Some(booth.id))?)
}

pub fn approve(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
    booth_code: Option<&str>,
) -> AppResult<ExhibitorRow> {
    let ex = transition(c, ex, Status::Approved)?;
    if let Some(code) = booth_code {
        assign_booth(c, event, &ex, code)?;
    }
    let ex = store::find_by_id(c, ex.id)?;
    send_approved(c, settings, event, &ex)?;
    announce(c, event, &ex, EventType::ExhibitorApproved)?;
    Ok(ex)
}

pub fn reject(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
    reason: &str,
) -> AppResult<ExhibitorRow> {
    let ex = transition(c, ex, Status::Rejected)?;
    store::set_rejection_reason(c, ex.id, reason)?;
    let ex = store::find_by_id(c, ex.id)?;
    to_exhibitor(
        c,
        settings,
        event,
        &ex,
        EmailKind::ExhibitorRejected,
        json!({"reason": reason}),
    )?;
    announce(c, event, &ex, EventType::ExhibitorRejected)?;
    Ok(ex)
}

/// What an organizer should hear about the booth `ex` holds: smaller than the area it asked
/// for, or of another kind. Nothing is refused: a smaller booth may be all that is left.
pub fn booth_warnings(c: &mut Conn, ex: &ExhibitorRow) -> AppResult<Vec<ReviewWarning>> {
    let Some((_, booth)) = booth_ref(c, ex)? else {
        return Ok(Vec::new());
    };
    let (code, area, kind) = (&booth.form.code, booth.form.area_m2, &booth.form.kind);
    let mut warnings = Vec::new();
    if area < ex.booth_area_m2 {
        warnings.push(ReviewWarning {
            code: "booth_smaller_than_requested".into(),
            detail: format!(
                "booth {code} has {area} m², the application asked for {} m²",
                ex.booth_area_m2
            ),
        });
    }
    if *kind != ex.booth_kind {
        warnings.push(ReviewWarning {
            code: "booth_kind_differs".into(),
            detail: format!(
                "booth {code} is a {kind} booth, the application asked for a {} booth",
                ex.booth_kind
            ),
        });
    }
    Ok(warnings)
}

/// Moves an approved exhibitor to another booth and tells it.
pub fn reassign(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
    booth_code: &str,
) -> AppResult<ExhibitorRow> {
    if ex.status() != Status::Approved {
        return Err(AppError::Conflict(format!(
            "only an approved exhibitor gets a booth; this one is {}",
            ex.status().as_str()
        )));
    }
    assign_booth(c, event, ex, booth_code)?;
    let ex = store::find_by_id(c, ex.id)?;
    send_approved(c, settings, event, &ex)?;
    Ok(ex)
}

/// The exhibitor's own withdrawal (`via` "page" from its page, none from the API), audited.
pub fn withdraw_own(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
    via: Option<&str>,
) -> AppResult<ExhibitorRow> {
    let mut detail = serde_json::json!({"by": "exhibitor"});
    if let Some(via) = via {
        detail["via"] = via.into();
    }
    let (event_id, id) = (Some(event.id), Some(ex.id));
    crate::audit::record(c, None, event_id, "withdraw", "exhibitor", id, detail)?;
    withdraw(c, settings, event, ex)
}

/// Withdrawal frees the booth and cancels every staff pass.
pub fn withdraw(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
) -> AppResult<ExhibitorRow> {
    let ex = transition(c, ex, Status::Withdrawn)?;
    store::set_booth(c, ex.id, None)?;
    for reg in staff_registrations(c, ex.id)? {
        if reg
            .status()
            .can_become(crate::registrations::Status::Cancelled)
        {
            crate::registrations::service::cancel(c, settings, event, &reg)?;
        }
    }
    let ex = store::find_by_id(c, ex.id)?;
    announce(c, event, &ex, EventType::ExhibitorWithdrawn)?;
    Ok(ex)
}

/// Erases an exhibitor's contact (SPEC §8): blanks contact name, email and phone (and forgets
/// the webhook deliveries that held them), withdraws it if it is still in the running (the
/// booth is freed, staff passes cancelled), forgets its tokens and the bodies of its emails.
/// The company's profile stays: it is not personal data, and counts and booth history keep
/// their meaning.
/// Erases the event's application `id` (404 when it is not the event's).
pub fn erase_by_id(c: &mut Conn, settings: &Settings, event: &Event, id: i64) -> AppResult<()> {
    let found = store::find(c, event.id, id)?;
    erase(c, settings, event, &found)
}

pub fn erase(c: &mut Conn, settings: &Settings, event: &Event, ex: &ExhibitorRow) -> AppResult<()> {
    if ex.erased_at.is_some() {
        return Ok(());
    }
    // The contact goes first, so that the withdrawal's webhook deliveries carry none, and
    // those sent before forget it too.
    crate::webhooks::service::forget(c, event.id, Subject::exhibitor(ex.id), &ex.email)?;
    store::erase_contact(
        c,
        ex.id,
        &format!("erased-{}.invalid", ex.id),
        &search_text([ex.profile.company_name.as_str()]),
        crate::db::now(),
    )?;
    if ex.status().can_become(Status::Withdrawn) {
        let erased = store::find_by_id(c, ex.id)?;
        withdraw(c, settings, event, &erased)?;
    }
    TOKENS.delete_all(c, ex.id)?;
    crate::email::outbox::erase_for_address(c, event.id, &ex.email)?;
    Ok(())
}

fn staff_registrations(c: &mut Conn, exhibitor_id: i64) -> QueryResult<Vec<RegistrationRow>> {
    let ids = store::staff_of(c, exhibitor_id)?;
    // A former staff member who registered again on their own is no longer the exhibitor's.
    crate::registrations::service::staff_registrations(c, &ids)
}

/// The audit entry of an exhibitor's own change to its staff pass `pass_id` (`via` "page"
/// from the exhibitor's page; none from the API).
pub fn audit_staff(
    c: &mut Conn,
    ex: &ExhibitorRow,
    action: &str,
    pass_id: i64,
    via: Option<&str>,
) -> AppResult<()> {
    let mut detail = serde_json::json!({"exhibitor_id": ex.id});
    if let Some(via) = via {
        detail["via"] = via.into();
    }
    let event = Some(ex.event_id);
    crate::audit::record(c, None, event, action, "staff_pass", Some(pass_id), detail)?;
    Ok(())
}

/// Adds a staff pass: a confirmed `exhibitor_staff` registration with a badge, emailed to the
/// staff member. 409 beyond the booth's `staff_passes`, or when the email holds another
/// registration for the event; a staff member this exhibitor removed gets the same
/// registration back.
pub fn add_staff(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
    name: String,
    email: EmailAddress,
    language: Option<Language>,
) -> AppResult<RegistrationRow> {
    if ex.status() != Status::Approved {
        return Err(AppError::Conflict(format!(
            "staff passes come with an approved application; this one is {}",
            ex.status().as_str()
        )));
    }
    let allowance = booth_ref(c, ex)?
        .map(|(r, _)| r.staff_passes)
        .ok_or_else(|| {
            AppError::Conflict("no booth is assigned yet, so there are no staff passes".into())
        })?;
    let active = staff_registrations(c, ex.id)?
        .iter()
        .filter(|r| r.status() != crate::registrations::Status::Cancelled)
        .count() as i32;
    if active >= allowance {
        return Err(AppError::Conflict(format!(
            "the booth comes with {allowance} staff passes and all are used"
        )));
    }
    let person = Person {
        name,
        email,
        profile: crate::registrations::service::Profile {
            organization: Some(ex.profile.company_name.clone()),
            job_title: None,
            country: ex.profile.country.clone(),
            phone: None,
        },
        language: language.unwrap_or(ex.language()),
        category: Category::ExhibitorStaff,
    };
    let former = store::staff_of(c, ex.id)?;
    let reg = crate::registrations::service::insert_staff(c, event, &person, &former)?;
    if !former.contains(&reg.id) {
        store::insert_staff(c, ex.id, reg.id)?;
    }
    crate::registrations::service::send_staff_pass(
        c,
        settings,
        event,
        &reg,
        &ex.profile.company_name,
    )?;
    Ok(reg)
}

/// Cancels one of the exhibitor's staff passes.
pub fn remove_staff(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
    registration_id: i64,
) -> AppResult<()> {
    let reg = staff_registrations(c, ex.id)?
        .into_iter()
        .find(|r| r.id == registration_id)
        .ok_or_else(|| {
            AppError::not_found(format!(
                "no staff pass {registration_id} for this exhibitor"
            ))
        })?;
    crate::registrations::service::cancel(c, settings, event, &reg)?;
    Ok(())
}

/// The public directory: approved exhibitors, their public fields only, by company name.
pub fn directory(c: &mut Conn, event: &Event) -> AppResult<Vec<super::model::PublicExhibitor>> {
    let rows = store::of_event(c, event.id, store::By::Approved)?;
    rows.into_iter().map(|r| public_view(c, r)).collect()
}

/// What the public reads of an exhibitor: its public fields and its booth.
pub fn public_view(c: &mut Conn, r: ExhibitorRow) -> AppResult<super::model::PublicExhibitor> {
    let booth = booth_ref(c, &r)?.map(|(b, _)| b);
    Ok(super::model::PublicExhibitor {
        id: r.id,
        company_name: r.profile.company_name,
        website: r.profile.website,
        country: r.profile.country,
        sector: r.profile.sector,
        description: r.profile.description,
        booth_code: booth.as_ref().map(|b| b.code.clone()),
        hall: booth.map(|b| b.hall),
    })
}

/// The exhibitor as organizers and the exhibitor see it.
pub fn out(c: &mut Conn, event: &Event, ex: &ExhibitorRow) -> AppResult<ExhibitorOut> {
    let booth = booth_ref(c, ex)?.map(|(r, _)| r);
    let staff = staff_registrations(c, ex.id)?
        .into_iter()
        .map(|r| StaffOut {
            id: r.id,
            name: r.name.clone(),
            email: r.email.clone(),
            status: r.status.clone(),
        })
        .collect();
    Ok(ExhibitorOut {
        id: ex.id,
        event: event.slug.clone(),
        company_name: ex.profile.company_name.clone(),
        contact_name: ex.profile.contact_name.clone(),
        email: if ex.erased_at.is_some() {
            String::new()
        } else {
            ex.email.clone()
        },
        phone: ex.profile.phone.clone(),
        website: ex.profile.website.clone(),
        country: ex.profile.country.clone(),
        sector: ex.profile.sector.clone(),
        description: ex.profile.description.clone(),
        booth_kind: BoothKind::parse(&ex.booth_kind),
        booth_area_m2: ex.booth_area_m2,
        language: ex.language(),
        status: ex.status(),
        booth,
        payment_status: PaymentStatus::parse(&ex.payment_status),
        rejection_reason: ex.rejection_reason.clone(),
        staff,
        meeting_tables: store::meeting_tables(c, ex.id)?,
        created_at: ex.created_at.and_utc(),
        updated_at: ex.updated_at.and_utc(),
        erased: ex.erased_at.is_some(),
    })
}
