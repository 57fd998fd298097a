//! The rules of meetings (SPEC §4.4), each checked in the write transaction of the change with
//! the fair locked (`events::store::lock_by_id`), as seats are: two requests for an
//! exhibitor's last table, on one instance or several, are decided one after the other, and
//! exactly one holds it. The emails of each step are queued in the same transaction.
//!
//! A pending request holds its table and the attendee's time until it is answered or its
//! `expires_at` passes (the request's lifetime, never past the slot's start); the rules read a
//! request past that time as expired whether or not the expiry job has written it yet.

use crate::webhooks::{self, EventType, Subject};
use chrono::NaiveDateTime;
use serde_json::json;

use super::model::{MeetingRow, MeetingSettings, MeetingStatus, Slot};
use super::store::{self, NewMeeting};
use crate::calendar::ics::{self, Calendar, Method, Vevent, When};
use crate::config::Settings;
use crate::db::Conn;
use crate::domain::{dates, Language};
use crate::email::{self, Attachment, EmailKind, NewEmail};
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::exhibitors::model::{ExhibitorRow, Status as ExhibitorStatus};
use crate::registrations::model::{RegistrationRow, Status as RegistrationStatus};

/// The longest message a request carries.
pub const MESSAGE_MAX: usize = 500;

/// Who ends a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Attendee,
    Exhibitor,
    Organizer,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Attendee => "attendee",
            Side::Exhibitor => "exhibitor",
            Side::Organizer => "organizer",
        }
    }
}

fn conflict(text: impl Into<String>) -> AppError {
    AppError::Conflict(text.into())
}

/// The approved exhibitor `exhibitor_id` of the fair, or 404.
fn approved_exhibitor(c: &mut Conn, event: &Event, exhibitor_id: i64) -> AppResult<ExhibitorRow> {
    let ex = crate::exhibitors::store::find(c, event.id, exhibitor_id)
        .map_err(|_| AppError::not_found(format!("no exhibitor {exhibitor_id} at this fair")))?;
    if ex.status() != ExhibitorStatus::Approved {
        return Err(AppError::not_found(format!(
            "no exhibitor {exhibitor_id} at this fair"
        )));
    }
    Ok(ex)
}

/// The slots of the exhibitor still free as of `now`: in a block, after now, not marked
/// unavailable, with a table left.
pub fn free_slots(
    c: &mut Conn,
    event: &Event,
    exhibitor_id: i64,
    now: NaiveDateTime,
) -> AppResult<Vec<Slot>> {
    let ex = approved_exhibitor(c, event, exhibitor_id)?;
    let settings = store::settings(c, event.id)?;
    let tables = i64::from(crate::exhibitors::store::meeting_tables(c, ex.id)?);
    let taken = store::taken_by_slot(c, ex.id, now)?;
    let unavailable = store::unavailable(c, ex.id)?;
    Ok(settings
        .slots(event)
        .into_iter()
        .filter(|s| s.starts_at > now && !unavailable.contains(&s.starts_at))
        .filter(|s| taken.iter().filter(|t| **t == s.starts_at).count() < tables as usize)
        .collect())
}

/// What an attendee asks for: a meeting with the exhibitor in the slot starting at
/// `starts_at` (UTC), with a note.
#[derive(Debug, Clone, Copy)]
pub struct Asked<'a> {
    pub exhibitor_id: i64,
    pub starts_at: NaiveDateTime,
    pub message: &'a str,
}

/// The exhibitor's answer to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    /// With the staff member (registration id) who receives the attendee, if named.
    Accept {
        host: Option<i64>,
    },
    Decline,
}

/// A request by `reg` (confirmed, of the locked `event`) for a meeting with `exhibitor_id` in
/// the slot starting at `starts_at`: every rule of SPEC §4.4, then a pending meeting and the
/// `meeting_requested` email to the exhibitor.
pub fn request(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    reg: &RegistrationRow,
    asked: &Asked,
    now: NaiveDateTime,
) -> AppResult<MeetingRow> {
    let Asked {
        exhibitor_id,
        starts_at,
        message,
    } = *asked;
    if reg.status() != RegistrationStatus::Confirmed {
        return Err(conflict(format!(
            "only confirmed attendees request meetings; this registration is {}",
            reg.status()
        )));
    }
    let rules = store::settings(c, event.id)?;
    if !rules.requests_open {
        return Err(conflict("meeting requests are closed at this fair"));
    }
    let ex = approved_exhibitor(c, event, exhibitor_id)?;
    let slot = rules.slot_at(event, starts_at).ok_or_else(|| {
        conflict("this is not the start of a meeting slot of the fair: see …/meetings/slots")
    })?;
    if slot.starts_at <= now {
        return Err(conflict("this slot has begun or passed"));
    }
    if store::unavailable(c, ex.id)?.contains(&slot.starts_at) {
        return Err(conflict("the exhibitor is not available in this slot"));
    }
    if store::attendee_overlap(c, reg.id, slot.starts_at, slot.ends_at, now)?.is_some() {
        return Err(conflict(
            "you already have a meeting or a request at this time",
        ));
    }
    let booked = crate::registrations::store::find_overlapping_booking(
        c,
        reg.id,
        slot.starts_at,
        slot.ends_at,
    )?;
    if let Some(session_id) = booked {
        return Err(conflict(format!(
            "this slot overlaps session {session_id}, in which you hold a seat"
        )));
    }
    if store::pending_of(c, reg.id, Some(ex.id), now)? > 0 {
        return Err(conflict(
            "you already have a request waiting for this exhibitor's answer",
        ));
    }
    if store::pending_of(c, reg.id, None, now)? >= i64::from(rules.max_pending) {
        return Err(conflict(format!(
            "you have {} requests waiting for an answer, the most this fair allows",
            rules.max_pending
        )));
    }
    let tables = i64::from(crate::exhibitors::store::meeting_tables(c, ex.id)?);
    if store::tables_taken(c, ex.id, slot.starts_at, now)? >= tables {
        return Err(conflict("the exhibitor has no table free in this slot"));
    }
    let expires_at = (now + rules.request_ttl).min(slot.starts_at);
    let id = store::insert(
        c,
        &NewMeeting {
            event_id: event.id,
            exhibitor_id: ex.id,
            registration_id: reg.id,
            starts_at: slot.starts_at,
            ends_at: slot.ends_at,
            message,
            expires_at,
        },
        now,
    )?;
    let meeting = found(c, id)?;
    let notice = Notice {
        kind: EmailKind::MeetingRequested,
        event,
        ex: &ex,
        reg,
        m: &meeting,
    };
    tell_exhibitor(c, settings, notice)?;
    announce(c, event, &meeting, EventType::MeetingRequested, now)?;
    Ok(meeting)
}

/// Queues the webhook deliveries of `kind` about meeting `m`, as organizers see it, with its
/// attendee's registration id.
fn announce(
    c: &mut Conn,
    event: &Event,
    m: &MeetingRow,
    kind: EventType,
    now: NaiveDateTime,
) -> AppResult<()> {
    let subject = Subject {
        registration_id: Some(m.registration_id),
        exhibitor_id: Some(m.exhibitor_id),
    };
    webhooks::emit(c, event.id, kind, subject, |c| {
        let out = super::view::out(c, event, m, super::view::Reader::Other, now)?;
        let mut data = serde_json::to_value(out).map_err(anyhow::Error::from)?;
        data["registration_id"] = m.registration_id.into();
        Ok(data)
    })
}

fn found(c: &mut Conn, id: i64) -> AppResult<MeetingRow> {
    store::find(c, id)?.ok_or_else(|| AppError::not_found(format!("no meeting {id}")))
}

/// The exhibitor's answer to a pending request: accepted (with a host among its staff, if
/// named) or declined; the attendee is emailed, an acceptance with an iTIP `REQUEST`.
pub fn answer(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
    meeting_id: i64,
    reply: Reply,
    now: NaiveDateTime,
) -> AppResult<MeetingRow> {
    let (accept, host) = match reply {
        Reply::Accept { host } => (true, host),
        Reply::Decline => (false, None),
    };
    let meeting = found(c, meeting_id)?;
    if meeting.exhibitor_id != ex.id {
        return Err(AppError::not_found(format!("no meeting {meeting_id}")));
    }
    match meeting.status_at(now) {
        MeetingStatus::Pending => {}
        other => {
            return Err(conflict(format!(
                "this request is {other}: only a pending one is answered"
            )))
        }
    }
    if let Some(host) = host {
        let staff = crate::exhibitors::store::staff_of(c, ex.id)?;
        if !staff.contains(&host) {
            return Err(AppError::validation(
                "host_registration_id",
                "is not one of this exhibitor's staff",
            ));
        }
    }
    if accept {
        store::accept(c, meeting.id, host, now)?;
    } else {
        store::set_status(c, meeting.id, MeetingStatus::Declined, None, now)?;
    }
    let meeting = found(c, meeting.id)?;
    let reg = crate::registrations::store::find_by_id(c, meeting.registration_id)?;
    let kind = if accept {
        EmailKind::MeetingAccepted
    } else {
        EmailKind::MeetingDeclined
    };
    let notice = Notice {
        kind,
        event,
        ex,
        reg: &reg,
        m: &meeting,
    };
    tell_attendee(c, settings, notice)?;
    if accept {
        announce(c, event, &meeting, EventType::MeetingAccepted, now)?;
    }
    Ok(meeting)
}

/// Cancels a pending or accepted meeting; the other side is emailed (the attendee with an
/// iTIP `CANCEL`). An organizer's cancellation tells both.
pub fn cancel(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    meeting: &MeetingRow,
    by: Side,
    now: NaiveDateTime,
) -> AppResult<MeetingRow> {
    let before = meeting.status_at(now);
    if !matches!(before, MeetingStatus::Pending | MeetingStatus::Accepted) {
        return Err(conflict(format!(
            "this meeting is {before}: nothing to cancel"
        )));
    }
    store::set_status(
        c,
        meeting.id,
        MeetingStatus::Cancelled,
        Some(by.as_str()),
        now,
    )?;
    let meeting = found(c, meeting.id)?;
    let ex = crate::exhibitors::store::find_by_id(c, meeting.exhibitor_id)?;
    let reg = crate::registrations::store::find_by_id(c, meeting.registration_id)?;
    let notice = Notice {
        kind: EmailKind::MeetingCancelled,
        event,
        ex: &ex,
        reg: &reg,
        m: &meeting,
    };
    if by != Side::Attendee {
        tell_attendee(c, settings, notice)?;
    }
    if by != Side::Exhibitor {
        tell_exhibitor(c, settings, notice)?;
    }
    announce(c, event, &meeting, EventType::MeetingCancelled, now)?;
    Ok(meeting)
}

/// Cancels every pending or accepted meeting of a registration or an exhibitor that is going
/// away (cancelled, withdrawn, erased): the other side of each is told.
pub fn cancel_all(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    of: store::Of,
    by: Side,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let mut n = 0;
    for m in store::list(c, of)? {
        if matches!(
            m.status_at(now),
            MeetingStatus::Pending | MeetingStatus::Accepted
        ) && m.ends_at > now
        {
            cancel(c, settings, event, &m, by, now)?;
            n += 1;
        }
    }
    Ok(n)
}

/// "mardi 8 décembre 2026, 10:20–10:40": a meeting's local day and times in `lang`.
pub fn when(event: &Event, m: &MeetingRow, lang: Language) -> String {
    let (start, end) = (event.wall_clock(m.starts_at), event.wall_clock(m.ends_at));
    let times = format!("{}–{}", start.format("%H:%M"), end.format("%H:%M"));
    let times = if lang == Language::Ar {
        format!("\u{2066}{times}\u{2069}")
    } else {
        times
    };
    format!("{}, {times}", dates::day(lang, start.date()))
}

/// The meeting's calendar UID, shared by its emails and the feeds.
pub fn uid(settings: &Settings, meeting_id: i64) -> String {
    format!("meeting-{meeting_id}@{}", settings.message_domain())
}

/// The meeting as a calendar entry for the attendee.
fn vevent(
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
    m: &MeetingRow,
    booth: &str,
    lang: Language,
) -> Vevent {
    let fair = event.name.get(lang, event.default_language);
    let mut v = Vevent::new(
        uid(settings, m.id),
        m.updated_at,
        When::Utc(m.starts_at),
        When::Utc(m.ends_at),
        format!("{} · {fair}", ex.profile.company_name),
        if booth.is_empty() {
            event.venue.clone()
        } else {
            format!("{booth}, {}", event.venue)
        },
    );
    v.sequence = Some(sequence(m));
    v
}

/// A meeting's calendar sequence: 0 while pending or accepted, 1 once over (its only two
/// versions in a calendar).
fn sequence(m: &MeetingRow) -> u32 {
    u32::from(!matches!(
        MeetingStatus::parse(&m.status),
        MeetingStatus::Pending | MeetingStatus::Accepted
    ))
}

fn itip(method: Method, name: String, v: Vevent) -> Attachment {
    let (file, ct) = match method {
        Method::Cancel => ("cancel.ics", "text/calendar; charset=utf-8; method=CANCEL"),
        _ => ("invite.ics", "text/calendar; charset=utf-8; method=REQUEST"),
    };
    let text = Calendar {
        method,
        name: Some(name),
        events: vec![v],
    }
    .write();
    Attachment::new(file, ct, None, text.as_bytes())
}

/// The booth code and hall of the exhibitor, in `lang` (empty without a booth).
fn booth_of(
    c: &mut Conn,
    event: &Event,
    ex: &ExhibitorRow,
    lang: Language,
) -> AppResult<(String, String)> {
    let Some(id) = ex.booth_id else {
        return Ok((String::new(), String::new()));
    };
    let b = crate::exhibitors::store::find_booth(c, event.id, id)?;
    let hall = crate::domain::Translatable::from_db(&b.form.hall)
        .get(lang, event.default_language)
        .to_string();
    Ok((b.form.code, hall))
}

fn attendee_url(settings: &Settings, token: &str, lang: Language) -> String {
    format!(
        "{}/r/{token}?lang={}#meetings",
        settings.base_url(),
        lang.code()
    )
}

fn exhibitor_url(settings: &Settings, token: &str, lang: Language) -> String {
    format!(
        "{}/exhibitor/{token}?lang={}#meetings",
        settings.base_url(),
        lang.code()
    )
}

fn directory_url(settings: &Settings, event: &Event, lang: Language) -> String {
    format!(
        "{}/events/{}/exhibitors?lang={}",
        settings.base_url(),
        event.slug,
        lang.code()
    )
}

/// An email `kind` about a meeting, and who the meeting concerns.
#[derive(Clone, Copy)]
pub struct Notice<'a> {
    pub kind: EmailKind,
    pub event: &'a Event,
    pub ex: &'a ExhibitorRow,
    pub reg: &'a RegistrationRow,
    pub m: &'a MeetingRow,
}

/// `meeting_requested` (with links to answer it from its page) or `meeting_cancelled` to the
/// exhibitor of `m`.
fn tell_exhibitor(c: &mut Conn, settings: &Settings, n: Notice) -> AppResult<()> {
    if n.ex.erased_at.is_some() || n.ex.email.is_empty() {
        return Ok(());
    }
    let lang = n.ex.language();
    let token = crate::auth::owner_tokens::EXHIBITORS.mint(
        c,
        n.ex.id,
        crate::auth::owner_tokens::MANAGE,
        None,
    )?;
    let (booth, _) = booth_of(c, n.event, n.ex, lang)?;
    let mut extra = json!({
        "meeting_time": when(n.event, n.m, lang),
        "booth_code": booth,
        "manage_url": exhibitor_url(settings, &token, lang),
    });
    if n.kind == EmailKind::MeetingRequested {
        let base = settings.base_url();
        let page = format!(
            "{base}/exhibitor/{token}/meetings/{}?lang={}",
            n.m.id,
            lang.code()
        );
        let expires = dates::day_time(lang, n.event.wall_clock(n.m.expires_at));
        extra["company_name"] = json!(n.ex.profile.company_name);
        extra["attendee_name"] = json!(n.reg.name.clone().unwrap_or_default());
        extra["attendee_organization"] = json!(n.reg.organization.clone().unwrap_or_default());
        extra["attendee_job_title"] = json!(n.reg.job_title.clone().unwrap_or_default());
        extra["message"] = json!(n.m.message);
        extra["accept_url"] = json!(format!("{page}&do=accept"));
        extra["decline_url"] = json!(format!("{page}&do=decline"));
        extra["expires_at"] = json!(expires);
    } else {
        // An erased attendee's name is gone: the organization, else a dash.
        let other = n.reg.name.clone().or_else(|| n.reg.organization.clone());
        extra["other_party"] = json!(other.unwrap_or_else(|| "—".into()));
    }
    email_exhibitor(c, settings, n.event, n.ex, n.kind, lang, extra)
}

/// Queues the email `kind` to the exhibitor's contact, in `lang` with `extra`.
pub(super) fn email_exhibitor(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    ex: &ExhibitorRow,
    kind: EmailKind,
    lang: Language,
    extra: serde_json::Value,
) -> AppResult<()> {
    let (to, name) = (&ex.email, &ex.profile.contact_name);
    let email = NewEmail::about(event, kind, to, name, lang, extra);
    email::enqueue(c, email, &settings.message_domain())?;
    Ok(())
}

/// An email about `m` to its attendee: accepted (with an iTIP `REQUEST`), or declined,
/// expired or cancelled (with an iTIP `CANCEL`).
pub fn tell_attendee(c: &mut Conn, settings: &Settings, n: Notice) -> AppResult<()> {
    let Some(to) = n.reg.email.clone() else {
        return Ok(());
    };
    let lang = n.reg.language();
    let token = crate::registrations::service::mint_manage(c, n.reg.id)?;
    let (booth, hall) = booth_of(c, n.event, n.ex, lang)?;
    let host = match n.m.host_registration_id {
        Some(id) => crate::registrations::store::find_by_id(c, id)
            .ok()
            .and_then(|r| r.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let extra = json!({
        "company_name": n.ex.profile.company_name,
        "other_party": n.ex.profile.company_name,
        "meeting_time": when(n.event, n.m, lang),
        "booth_code": booth,
        "hall": hall,
        "host_name": host,
        "manage_url": attendee_url(settings, &token, lang),
        "directory_url": directory_url(settings, n.event, lang),
    });
    let name = n.reg.name.clone().unwrap_or_default();
    let mut email = NewEmail::about(n.event, n.kind, &to, &name, lang, extra);
    email.registration_id = Some(n.reg.id);
    let name = n.event.name.get(lang, n.event.default_language).to_string();
    let mut v = vevent(settings, n.event, n.ex, n.m, &booth, lang);
    v.organizer = Some(n.event.contact_email.clone());
    v.attendee = Some(to.clone());
    match n.kind {
        EmailKind::MeetingAccepted => {
            v.status = Some(ics::Status::Confirmed);
            email.attachments.push(itip(Method::Request, name, v));
        }
        // A request the attendee may have put in their calendar, or an accepted meeting that
        // is there: a CANCEL removes it either way (and is ignored where there is none).
        EmailKind::MeetingCancelled | EmailKind::MeetingDeclined | EmailKind::MeetingExpired => {
            v.status = Some(ics::Status::Cancelled);
            email.attachments.push(itip(Method::Cancel, name, v));
        }
        _ => {}
    }
    email::enqueue(c, email, &settings.message_domain())?;
    Ok(())
}

/// Checks settings as sent: blocks on the fair's days, each ending after it starts, slot
/// length 5–240 minutes, lifetime 1 hour–30 days, pending 1–100, reminder hour 0–23.
pub fn check_settings(
    event: &Event,
    s: &MeetingSettings,
) -> Result<(), Vec<crate::error::FieldError>> {
    use crate::error::FieldError;
    let mut errors = Vec::new();
    for (i, b) in s.blocks.iter().enumerate() {
        if b.day < event.starts_on || b.day > event.ends_on {
            errors.push(FieldError::new(
                format!("blocks.{i}.day"),
                "is not a day of the fair",
            ));
        }
        if b.ends <= b.starts {
            errors.push(FieldError::new(
                format!("blocks.{i}.ends"),
                "must be after starts",
            ));
        }
    }
    if !(5..=240).contains(&s.slot_minutes) {
        errors.push(FieldError::new("slot_minutes", "must be between 5 and 240"));
    }
    let ttl = s.request_ttl.num_minutes();
    if !(60..=30 * 24 * 60).contains(&ttl) {
        errors.push(FieldError::new(
            "request_ttl",
            "must be between 1h and 30 days",
        ));
    }
    if !(1..=100).contains(&s.max_pending) {
        errors.push(FieldError::new("max_pending", "must be between 1 and 100"));
    }
    if !(0..=23).contains(&s.reminder_hour) {
        errors.push(FieldError::new("reminder_hour", "must be an hour, 0 to 23"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}
