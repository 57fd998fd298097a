//! Every query of the email area's tables: `outbox_emails` and `email_templates`. The rules
//! (the outbox's states and backoff, what erasure blanks, which overrides are safe) are
//! `outbox.rs`'s and `templates.rs`'s; these functions only read and write what they are given.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Claimed, EmailRow, NewOutboxEmail, Parts, TemplateForm};
use super::EmailKind;
use crate::db::queue::{self, Lease, Queue};
use crate::db::schema::{email_templates, outbox_emails};
use crate::db::{Conn, PageRequest};
use crate::domain::Language;
use crate::{paged, run};

// ---------------------------------------------------------------------------------------------
// The outbox

/// Inserts one email; its id.
pub fn insert_outbox(c: &mut Conn, row: &NewOutboxEmail) -> QueryResult<i64> {
    run!(c, |c| diesel::insert_into(outbox_emails::table)
        .values(row)
        .returning(outbox_emails::id)
        .get_result::<i64>(c))
}

/// The outbox as a leased queue (see `db::queue`).
const OUTBOX: Queue = Queue {
    table: "outbox_emails",
    also: "TRUE",
    on_requeue: "",
};

/// Claims the emails `lease` allows, oldest first: they become `sending` (see
/// `db::queue::claim`). Call inside a write transaction.
pub fn claim_due(c: &mut Conn, lease: Lease) -> QueryResult<Vec<Claimed>> {
    queue::claim(c, &OUTBOX, lease, |c, ids| {
        run!(c, |c| outbox_emails::table
            .filter(outbox_emails::id.eq_any(ids))
            .order(outbox_emails::id.asc())
            .select(Claimed::as_select())
            .load(c))
    })
}

/// Marks the rows `ids` sent at `now`, counting the attempt and dropping their bodies.
pub fn mark_sent(c: &mut Conn, ids: &[i64], now: NaiveDateTime) -> QueryResult<()> {
    run!(c, |c| diesel::update(
        outbox_emails::table.filter(outbox_emails::id.eq_any(ids))
    )
    .set((
        outbox_emails::status.eq("sent"),
        outbox_emails::sent_at.eq(Some(now)),
        outbox_emails::attempts.eq(outbox_emails::attempts + 1),
        outbox_emails::locked_until.eq(None::<NaiveDateTime>),
        outbox_emails::body_text.eq(None::<String>),
        outbox_emails::body_html.eq(None::<String>),
        outbox_emails::attachments.eq(None::<String>),
    ))
    .execute(c))?;
    Ok(())
}

/// Extends the claim on those of `ids` still `sending` until `until`.
pub fn renew_claim(c: &mut Conn, ids: &[i64], until: NaiveDateTime) -> QueryResult<()> {
    run!(c, |c| diesel::update(
        outbox_emails::table
            .filter(outbox_emails::id.eq_any(ids))
            .filter(outbox_emails::status.eq("sending"))
    )
    .set(outbox_emails::locked_until.eq(Some(until)))
    .execute(c))?;
    Ok(())
}

/// Records a failed attempt on row `id`: its new `status`, count of `attempts`, next try and
/// `error`; the claim is released.
pub fn record_failed_attempt(
    c: &mut Conn,
    id: i64,
    status: &str,
    attempts: i32,
    next_attempt_at: NaiveDateTime,
    error: &str,
) -> QueryResult<()> {
    run!(c, |c| diesel::update(outbox_emails::table.find(id))
        .set((
            outbox_emails::status.eq(status),
            outbox_emails::attempts.eq(attempts),
            outbox_emails::next_attempt_at.eq(next_attempt_at),
            outbox_emails::locked_until.eq(None::<NaiveDateTime>),
            outbox_emails::last_error.eq(Some(error)),
        ))
        .execute(c))?;
    Ok(())
}

/// The ids of a registration's emails.
pub fn find_ids_for_registration(c: &mut Conn, registration_id: i64) -> QueryResult<Vec<i64>> {
    run!(c, |c| outbox_emails::table
        .filter(outbox_emails::registration_id.eq(registration_id))
        .select(outbox_emails::id)
        .load(c))
}

/// A registration's emails, newest first.
pub fn of_registration(c: &mut Conn, registration_id: i64) -> QueryResult<Vec<EmailRow>> {
    run!(c, |c| outbox_emails::table
        .filter(outbox_emails::registration_id.eq(registration_id))
        .order(outbox_emails::id.desc())
        .select(EmailRow::as_select())
        .load(c))
}

/// The id and text body of each of an event's emails not sent.
pub fn find_unsent_bodies(c: &mut Conn, event_id: i64) -> QueryResult<Vec<(i64, Option<String>)>> {
    run!(c, |c| outbox_emails::table
        .filter(outbox_emails::event_id.eq(event_id))
        .filter(outbox_emails::status.ne("sent"))
        .select((outbox_emails::id, outbox_emails::body_text))
        .load(c))
}

/// The ids of an event's emails to `address`.
pub fn find_ids_to(c: &mut Conn, event_id: i64, address: &str) -> QueryResult<Vec<i64>> {
    run!(c, |c| outbox_emails::table
        .filter(outbox_emails::event_id.eq(event_id))
        .filter(outbox_emails::recipient.eq(address))
        .select(outbox_emails::id)
        .load(c))
}

/// Marks those of `ids` not sent `failed` with `error`: they will not be sent.
pub fn fail_unsent(c: &mut Conn, ids: &[i64], error: &str) -> QueryResult<()> {
    run!(c, |c| diesel::update(
        outbox_emails::table
            .filter(outbox_emails::id.eq_any(ids))
            .filter(outbox_emails::status.ne("sent"))
    )
    .set((
        outbox_emails::status.eq("failed"),
        outbox_emails::last_error.eq(Some(error))
    ))
    .execute(c))?;
    Ok(())
}

/// Blanks the recipient, subject, bodies and attachments of the rows `ids`.
pub fn blank(c: &mut Conn, ids: &[i64]) -> QueryResult<()> {
    run!(c, |c| diesel::update(
        outbox_emails::table.filter(outbox_emails::id.eq_any(ids))
    )
    .set((
        outbox_emails::recipient.eq(None::<String>),
        outbox_emails::subject.eq(None::<String>),
        outbox_emails::body_text.eq(None::<String>),
        outbox_emails::body_html.eq(None::<String>),
        outbox_emails::attachments.eq(None::<String>),
    ))
    .execute(c))?;
    Ok(())
}

/// One page of an event's emails (only those in `status`, when given), by id, newest first
/// with `-created_at`; and how many there are.
pub fn page_for_event(
    c: &mut Conn,
    event_id: i64,
    status: Option<&str>,
    req: &PageRequest,
) -> QueryResult<(Vec<EmailRow>, i64)> {
    let desc = req.sort.as_ref().is_some_and(|(_, d)| *d);
    paged!(
        c,
        req,
        EmailRow,
        || {
            let mut q = outbox_emails::table
                .filter(outbox_emails::event_id.eq(event_id))
                .into_boxed();
            if let Some(s) = status {
                q = q.filter(outbox_emails::status.eq(s.to_string()));
            }
            q
        },
        |q| if desc {
            q.order(outbox_emails::id.desc())
        } else {
            q.order(outbox_emails::id.asc())
        }
    )
}

/// The status and text body of the event's email `id`, if it has one.
pub fn find_email(
    c: &mut Conn,
    event_id: i64,
    id: i64,
) -> QueryResult<Option<(String, Option<String>)>> {
    run!(c, |c| outbox_emails::table
        .filter(outbox_emails::event_id.eq(event_id))
        .filter(outbox_emails::id.eq(id))
        .select((outbox_emails::status, outbox_emails::body_text))
        .first(c)
        .optional())
}

/// Makes email `id` pending again, due at `now`, with a fresh count of attempts.
pub fn requeue(c: &mut Conn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    queue::requeue(c, &OUTBOX, id, now).map(drop)
}

// ---------------------------------------------------------------------------------------------
// Template overrides

/// The event's override of `kind`/`lang`, if any: its id and parts.
pub fn find_template(
    c: &mut Conn,
    event_id: i64,
    kind: EmailKind,
    lang: Language,
) -> QueryResult<Option<(i64, Parts)>> {
    let row: Option<(i64, String, String, String)> = run!(c, |c| email_templates::table
        .filter(email_templates::event_id.eq(event_id))
        .filter(email_templates::kind.eq(kind.as_str()))
        .filter(email_templates::language.eq(lang.code()))
        .select((
            email_templates::id,
            email_templates::subject,
            email_templates::body_text,
            email_templates::body_html
        ))
        .first(c)
        .optional())?;
    Ok(row.map(|(id, subject, text, html)| {
        (
            id,
            Parts {
                subject,
                text,
                html,
            },
        )
    }))
}

/// The override of `kind`/`lang` for an event, if any.
pub fn find_override(
    c: &mut Conn,
    event_id: i64,
    kind: EmailKind,
    lang: Language,
) -> QueryResult<Option<Parts>> {
    Ok(find_template(c, event_id, kind, lang)?.map(|(_, parts)| parts))
}

/// Removes the event's override of `kind`/`lang`, if any: the built-in text is sent again.
pub fn delete_template(
    c: &mut Conn,
    event_id: i64,
    kind: EmailKind,
    lang: Language,
) -> QueryResult<()> {
    run!(c, |c| diesel::delete(
        email_templates::table
            .filter(email_templates::event_id.eq(event_id))
            .filter(email_templates::kind.eq(kind.as_str()))
            .filter(email_templates::language.eq(lang.code()))
    )
    .execute(c))?;
    Ok(())
}

/// Saves the event's override of `kind`/`lang`, replacing the one it has, if any.
pub fn upsert_template(
    c: &mut Conn,
    event_id: i64,
    kind: EmailKind,
    lang: Language,
    parts: &Parts,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let form = TemplateForm {
        subject: &parts.subject,
        body_text: &parts.text,
        body_html: &parts.html,
        updated_at: now,
    };
    match find_template(c, event_id, kind, lang)? {
        Some((id, _)) => run!(c, |c| diesel::update(email_templates::table.find(id))
            .set(&form)
            .execute(c))?,
        None => run!(c, |c| diesel::insert_into(email_templates::table)
            .values((
                email_templates::event_id.eq(event_id),
                email_templates::kind.eq(kind.as_str()),
                email_templates::language.eq(lang.code()),
                &form,
            ))
            .execute(c))?,
    };
    Ok(())
}
