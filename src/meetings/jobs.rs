//! The meetings' background work, run by every instance's notices thread (each minute) and
//! safe to run on several at once:
//!
//! - [`expire_due`]: pending requests past their `expires_at` become `expired` and their
//!   attendee is emailed (`meeting_expired`). The rules already read such a request as
//!   expired; this writes it and tells the attendee. A conditional update decides which
//!   instance does each one.
//! - [`cancel_orphans`]: the meetings of a registration that is no longer confirmed
//!   (cancelled, erased) or of an exhibitor no longer approved (withdrawn, erased) are
//!   cancelled and the other side is told. The registrations and exhibitors areas know
//!   nothing of meetings; this sweep is how their changes reach them, within a minute.
//! - [`send_reminders`]: from `reminder_hour` (the fair's local time) the day before each fair
//!   day that has meeting blocks, one `meetings_reminder` to each attendee and each exhibitor
//!   with accepted meetings that day — the attendee's lists their booked sessions of that day
//!   too and carries the badge QR. A row in `meeting_reminders` (unique per person and day,
//!   inserted before the email in the same transaction) makes it once, whatever the number of
//!   instances or crashes; someone whose first meeting is accepted later that evening gets
//!   theirs at the next run.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde_json::json;

use super::model::MeetingStatus;
use super::{service, store};
use crate::config::Settings;
use crate::db::{Conn, Db};
use crate::domain::Language;
use crate::email::{self, Attachment, EmailKind, NewEmail};
use crate::error::AppResult;
use crate::events::Event;

/// Requests expired per transaction.
const BATCH: i64 = 50;

/// Expires the pending requests due at `now`, emailing each attendee; how many.
pub fn expire_due(db: &Db, settings: &Settings, now: NaiveDateTime) -> AppResult<usize> {
    let mut expired = 0;
    loop {
        let mut pooled = db.get()?;
        let n = pooled.conn().write_tx(|c| expire_batch(c, settings, now))?;
        expired += n.0;
        if n.0 > 0 {
            db.outbox().notify();
        }
        if n.1 < BATCH as usize {
            return Ok(expired);
        }
    }
}

/// One transaction: (expired here, due found).
fn expire_batch(
    c: &mut Conn,
    settings: &Settings,
    now: NaiveDateTime,
) -> AppResult<(usize, usize)> {
    let due = store::due_to_expire(c, now, BATCH)?;
    let mut events: Vec<i64> = due.iter().map(|d| d.1).collect();
    events.dedup();
    let mut loaded = BTreeMap::new();
    for id in events {
        loaded.insert(id, crate::events::store::lock_by_id(c, id)?);
    }
    let mut n = 0;
    for (id, event_id) in &due {
        // The update decides who owns it: another instance that expired it first leaves
        // nothing to update here.
        if !store::expire(c, *id, now)? {
            continue;
        }
        let Some(event) = loaded.get(event_id) else {
            continue;
        };
        let Some(m) = store::find(c, *id)? else {
            continue;
        };
        let ex = crate::exhibitors::store::find_by_id(c, m.exhibitor_id)?;
        let reg = crate::registrations::store::find_by_id(c, m.registration_id)?;
        let notice = service::Notice {
            kind: EmailKind::MeetingExpired,
            event,
            ex: &ex,
            reg: &reg,
            m: &m,
        };
        service::tell_attendee(c, settings, notice)?;
        n += 1;
    }
    Ok((n, due.len()))
}

/// Cancels the meetings whose attendee or exhibitor is gone (see the module's doc); how many.
pub fn cancel_orphans(db: &Db, settings: &Settings, now: NaiveDateTime) -> AppResult<usize> {
    // Looked for without a lock first: most minutes nobody has left, and no fair is locked.
    let mut departed = Vec::new();
    {
        let mut pooled = db.get()?;
        let c = &mut pooled.conn();
        for (id, event_id, registration_id, exhibitor_id) in store::open_ahead(c, now)? {
            let reg = crate::registrations::store::find_by_id(c, registration_id)?;
            let ex = crate::exhibitors::store::find_by_id(c, exhibitor_id)?;
            if reg.status() != crate::registrations::Status::Confirmed {
                departed.push((id, event_id, service::Side::Attendee));
            } else if ex.status() != crate::exhibitors::model::Status::Approved {
                departed.push((id, event_id, service::Side::Exhibitor));
            }
        }
    }
    if departed.is_empty() {
        return Ok(0);
    }
    let mut pooled = db.get()?;
    let n = pooled.conn().write_tx(|c| {
        let mut events: Vec<i64> = departed.iter().map(|d| d.1).collect();
        events.sort_unstable();
        events.dedup();
        let mut loaded = BTreeMap::new();
        for id in events {
            loaded.insert(id, crate::events::store::lock_by_id(c, id)?);
        }
        let mut n = 0;
        for (id, event_id, side) in &departed {
            // Read again under the lock: another instance may have cancelled it meanwhile.
            let (Some(event), Some(m)) = (loaded.get(event_id), store::find(c, *id)?) else {
                continue;
            };
            if !matches!(
                m.status_at(now),
                MeetingStatus::Pending | MeetingStatus::Accepted
            ) {
                continue;
            }
            service::cancel(c, settings, event, &m, *side, now)?;
            n += 1;
        }
        Ok(n)
    })?;
    if n > 0 {
        db.outbox().notify();
    }
    Ok(n)
}

/// The fair days whose reminders are due at `now`: from `reminder_hour` the day before, until
/// the day begins (the fair's local time).
fn days_due(
    tz: chrono_tz::Tz,
    days: &[NaiveDate],
    hour: i32,
    now: NaiveDateTime,
) -> Vec<NaiveDate> {
    let local = |d: NaiveDate, h: u32| {
        crate::domain::schedule::to_utc(tz, d.and_hms_opt(h, 0, 0).unwrap_or_default())
    };
    days.iter()
        .copied()
        .filter(|d| {
            let from = local(*d - TimeDelta::days(1), hour.clamp(0, 23) as u32);
            from <= now && now < local(*d, 0)
        })
        .collect()
}

/// Sends the reminders due at `now`; how many.
pub fn send_reminders(db: &Db, settings: &Settings, now: NaiveDateTime) -> AppResult<usize> {
    let events = {
        let mut pooled = db.get()?;
        store::events_with_settings(&mut pooled.conn())?
    };
    let mut sent = 0;
    for event_id in events {
        let mut pooled = db.get()?;
        // Whether a day is due is read without a lock: most minutes none is, and no fair is
        // locked for nothing.
        let due = {
            let c = &mut pooled.conn();
            let event = crate::events::store::find(c, event_id)?;
            let rules = store::settings(c, event_id)?;
            let days: Vec<NaiveDate> = rules.blocks.iter().map(|b| b.day).collect();
            event.is_published()
                && !days_due(event.timezone, &days, rules.reminder_hour, now).is_empty()
        };
        if due {
            sent += pooled
                .conn()
                .write_tx(|c| remind_event(c, settings, event_id, now))?;
        }
    }
    if sent > 0 {
        db.outbox().notify();
    }
    Ok(sent)
}

fn remind_event(
    c: &mut Conn,
    settings: &Settings,
    event_id: i64,
    now: NaiveDateTime,
) -> AppResult<usize> {
    let event = crate::events::store::lock_by_id(c, event_id)?;
    if !event.is_published() {
        return Ok(0);
    }
    let rules = store::settings(c, event.id)?;
    let mut days: Vec<NaiveDate> = rules.blocks.iter().map(|b| b.day).collect();
    days.sort();
    days.dedup();
    let mut sent = 0;
    for day in days_due(event.timezone, &days, rules.reminder_hour, now) {
        let (from, to) = (
            crate::domain::schedule::to_utc(
                event.timezone,
                day.and_hms_opt(0, 0, 0).unwrap_or_default(),
            ),
            crate::domain::schedule::to_utc(
                event.timezone,
                (day + TimeDelta::days(1))
                    .and_hms_opt(0, 0, 0)
                    .unwrap_or_default(),
            ),
        );
        let accepted: Vec<super::MeetingRow> = store::list(c, store::Of::Event(event.id))?
            .into_iter()
            .filter(|m| {
                MeetingStatus::parse(&m.status) == MeetingStatus::Accepted
                    && m.starts_at >= from
                    && m.starts_at < to
            })
            .collect();
        let mut attendees: BTreeMap<i64, Vec<&super::MeetingRow>> = BTreeMap::new();
        let mut exhibitors: BTreeMap<i64, Vec<&super::MeetingRow>> = BTreeMap::new();
        for m in &accepted {
            attendees.entry(m.registration_id).or_default().push(m);
            exhibitors.entry(m.exhibitor_id).or_default().push(m);
        }
        for (reg_id, list) in attendees {
            if store::claim_reminder(c, event.id, day, (Some(reg_id), None), now)? {
                remind_attendee(c, settings, &event, day, reg_id, &list)?;
                sent += 1;
            }
        }
        for (ex_id, list) in exhibitors {
            if store::claim_reminder(c, event.id, day, (None, Some(ex_id)), now)? {
                remind_exhibitor(c, settings, &event, day, ex_id, &list)?;
                sent += 1;
            }
        }
    }
    Ok(sent)
}

fn line(
    c: &mut Conn,
    event: &Event,
    m: &super::MeetingRow,
    with: String,
    lang: Language,
) -> AppResult<serde_json::Value> {
    let ex = crate::exhibitors::store::find_by_id(c, m.exhibitor_id)?;
    let (booth, hall) = match ex.booth_id {
        Some(id) => {
            let b = crate::exhibitors::store::find_booth(c, event.id, id)?;
            let hall = crate::domain::Translatable::from_db(&b.form.hall)
                .get(lang, event.default_language)
                .to_string();
            (b.form.code, hall)
        }
        None => (String::new(), String::new()),
    };
    let host = match m.host_registration_id {
        Some(id) => crate::registrations::store::find_by_id(c, id)?
            .name
            .unwrap_or_default(),
        None => String::new(),
    };
    let time = format!(
        "{}–{}",
        event.wall_clock(m.starts_at).format("%H:%M"),
        event.wall_clock(m.ends_at).format("%H:%M")
    );
    Ok(json!({"time": time, "with": with, "booth_code": booth, "hall": hall, "host_name": host}))
}

fn remind_attendee(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    day: NaiveDate,
    reg_id: i64,
    list: &[&super::MeetingRow],
) -> AppResult<()> {
    let reg = crate::registrations::store::find_by_id(c, reg_id)?;
    let Some(to) = reg.email.clone() else {
        return Ok(());
    };
    let lang = reg.language();
    let mut meetings = Vec::new();
    for m in list {
        let company = crate::exhibitors::store::find_by_id(c, m.exhibitor_id)?
            .profile
            .company_name;
        meetings.push(line(c, event, m, company, lang)?);
    }
    let release = crate::schedule::releases::latest(c, event.id)?;
    let sessions: Vec<serde_json::Value> = crate::registrations::store::bookings_of(c, reg.id)?
        .iter()
        .filter(|b| event.wall_clock(b.starts_at).date() == day)
        .filter(|b| b.status() == crate::registrations::model::BookingStatus::Booked)
        .map(|b| {
            let out = crate::registrations::bookings::BookingOut::of(event, release.as_ref(), b, lang);
            json!({
                "time": format!("{}–{}", out.starts_at.format("%H:%M"), out.ends_at.format("%H:%M")),
                "title": out.title, "room": out.room.unwrap_or_default(),
            })
        })
        .collect();
    let token = crate::registrations::service::mint_manage(c, reg.id)?;
    let domain = settings.message_domain();
    let extra = json!({
        "day": crate::domain::dates::day(lang, day),
        "meetings": meetings,
        "sessions": sessions,
        "badge_code": reg.badge_code,
        "qr_src": format!("cid:badge-qr@{domain}"),
        "manage_url": format!("{}/r/{token}?lang={}#meetings", settings.base_url(), lang.code()),
    });
    let name = reg.display_name().to_string();
    let mut email = NewEmail::about(event, EmailKind::MeetingsReminder, &to, &name, lang, extra);
    email.registration_id = Some(reg.id);
    email.attachments.push(Attachment::new(
        "badge.png",
        "image/png",
        Some(&format!("badge-qr@{domain}")),
        &crate::badges::qr_png(&reg.badge_code),
    ));
    email::enqueue(c, email, &domain)?;
    Ok(())
}

fn remind_exhibitor(
    c: &mut Conn,
    settings: &Settings,
    event: &Event,
    day: NaiveDate,
    ex_id: i64,
    list: &[&super::MeetingRow],
) -> AppResult<()> {
    let ex = crate::exhibitors::store::find_by_id(c, ex_id)?;
    if ex.erased_at.is_some() || ex.email.is_empty() {
        return Ok(());
    }
    let lang = ex.language();
    let mut meetings = Vec::new();
    for m in list {
        let who = crate::registrations::store::find_by_id(c, m.registration_id)?;
        let with = match who.organization {
            Some(org) => format!("{} ({org})", who.name.unwrap_or_default()),
            None => who.name.unwrap_or_default(),
        };
        meetings.push(line(c, event, m, with, lang)?);
    }
    let token = crate::auth::owner_tokens::EXHIBITORS.mint(
        c,
        ex.id,
        crate::auth::owner_tokens::MANAGE,
        None,
    )?;
    let extra = json!({
        "day": crate::domain::dates::day(lang, day),
        "meetings": meetings,
        "sessions": [],
        "badge_code": "",
        "qr_src": "",
        "manage_url": format!("{}/exhibitor/{token}/meetings?lang={}", settings.base_url(), lang.code()),
    });
    super::service::email_exhibitor(
        c,
        settings,
        event,
        &ex,
        EmailKind::MeetingsReminder,
        lang,
        extra,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_are_due_from_the_hour_the_day_before_until_the_day_begins() {
        let tz = chrono_tz::Africa::Casablanca;
        let day = NaiveDate::from_ymd_opt(2027, 5, 3).expect("day");
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
        // Casablanca is UTC+1 in May: 17:00 local the day before is 16:00 UTC.
        assert!(days_due(tz, &[day], 17, at("2027-05-02 15:59")).is_empty());
        assert_eq!(days_due(tz, &[day], 17, at("2027-05-02 16:00")), [day]);
        assert_eq!(days_due(tz, &[day], 17, at("2027-05-02 22:59")), [day]);
        assert!(days_due(tz, &[day], 17, at("2027-05-02 23:00")).is_empty());
    }
}
