//! The queries of the webhooks area's tables: `webhooks`, `webhook_deliveries` and
//! `webhook_attempts`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{AttemptRow, Claimed, DeliveryRow, Subject, WebhookRow};
use crate::db::queue::{self, Lease, Queue};
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhooks};
use crate::db::{Conn, PageRequest};
use crate::{paged, run};

/// A new endpoint, enabled.
pub fn insert(
    c: &mut Conn,
    event_id: i64,
    url: &str,
    event_types: &str,
    secret: &str,
    now: NaiveDateTime,
) -> QueryResult<WebhookRow> {
    let values = (
        webhooks::event_id.eq(event_id),
        webhooks::url.eq(url),
        webhooks::event_types.eq(event_types),
        webhooks::enabled.eq(true),
        webhooks::secret.eq(secret),
        webhooks::created_at.eq(now),
        webhooks::updated_at.eq(now),
    );
    run!(c, |c| diesel::insert_into(webhooks::table)
        .values(values)
        .returning(WebhookRow::as_returning())
        .get_result(c))
}

/// The event's endpoint `id`.
pub fn find(c: &mut Conn, event_id: i64, id: i64) -> QueryResult<Option<WebhookRow>> {
    run!(c, |c| webhooks::table
        .filter(webhooks::event_id.eq(event_id))
        .filter(webhooks::id.eq(id))
        .select(WebhookRow::as_select())
        .first(c)
        .optional())
}

/// The event's endpoints, oldest first.
pub fn of_event(c: &mut Conn, event_id: i64) -> QueryResult<Vec<WebhookRow>> {
    run!(c, |c| webhooks::table
        .filter(webhooks::event_id.eq(event_id))
        .order(webhooks::id.asc())
        .select(WebhookRow::as_select())
        .load(c))
}

/// The event's enabled endpoints: their ids and the types they receive (a JSON array).
pub fn enabled_of_event(c: &mut Conn, event_id: i64) -> QueryResult<Vec<(i64, String)>> {
    run!(c, |c| webhooks::table
        .filter(webhooks::event_id.eq(event_id))
        .filter(webhooks::enabled.eq(true))
        .select((webhooks::id, webhooks::event_types))
        .load(c))
}

/// Saves an endpoint's url, types and state.
pub fn update(
    c: &mut Conn,
    id: i64,
    url: &str,
    event_types: &str,
    enabled: bool,
    disabled_reason: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    run!(c, |c| diesel::update(webhooks::table.find(id))
        .set((
            webhooks::url.eq(url),
            webhooks::event_types.eq(event_types),
            webhooks::enabled.eq(enabled),
            webhooks::disabled_reason.eq(disabled_reason),
            webhooks::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// The endpoint's spell of failures: when it began and its latest failed attempt.
pub fn failures(
    c: &mut Conn,
    id: i64,
) -> QueryResult<(Option<NaiveDateTime>, Option<NaiveDateTime>)> {
    run!(c, |c| webhooks::table
        .find(id)
        .select((webhooks::failing_since, webhooks::last_failure_at))
        .first(c))
}

/// Disables an endpoint for `reason`; false when it already was.
pub fn disable(c: &mut Conn, id: i64, reason: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let changed = run!(c, |c| diesel::update(
        webhooks::table
            .filter(webhooks::id.eq(id))
            .filter(webhooks::enabled.eq(true))
    )
    .set((
        webhooks::enabled.eq(false),
        webhooks::disabled_reason.eq(Some(reason)),
        webhooks::updated_at.eq(now),
    ))
    .execute(c))?;
    Ok(changed > 0)
}

/// Sets the endpoint's spell of failures: `None` ends it (a success, or an admin turning the
/// endpoint on again); `Some((since, last))` is a spell begun at `since` whose latest failed
/// attempt was at `last`.
pub fn set_failures(
    c: &mut Conn,
    id: i64,
    spell: Option<(NaiveDateTime, NaiveDateTime)>,
) -> QueryResult<()> {
    let (since, last) = (spell.map(|s| s.0), spell.map(|s| s.1));
    run!(c, |c| diesel::update(webhooks::table.find(id))
        .set((
            webhooks::failing_since.eq(since),
            webhooks::last_failure_at.eq(last),
        ))
        .execute(c))?;
    Ok(())
}

/// A new secret; the old one keeps signing until `until`.
pub fn rotate(
    c: &mut Conn,
    id: i64,
    secret: &str,
    previous: &str,
    until: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    run!(c, |c| diesel::update(webhooks::table.find(id))
        .set((
            webhooks::secret.eq(secret),
            webhooks::previous_secret.eq(Some(previous)),
            webhooks::previous_secret_until.eq(Some(until)),
            webhooks::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// Deletes an endpoint with its deliveries and their attempts.
pub fn delete(c: &mut Conn, id: i64) -> QueryResult<()> {
    let deliveries = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(id))
        .select(webhook_deliveries::id);
    run!(c, |c| diesel::delete(
        webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(deliveries))
    )
    .execute(c))?;
    run!(c, |c| diesel::delete(
        webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(id))
    )
    .execute(c))?;
    run!(c, |c| diesel::delete(webhooks::table.find(id)).execute(c))?;
    Ok(())
}

/// A delivery to queue: its message, and whom it is about.
pub struct NewDelivery<'a> {
    pub webhook_id: i64,
    pub message_id: &'a str,
    pub event_type: &'a str,
    pub payload: &'a str,
    pub subject: Subject,
}

/// Queues a delivery, due now.
pub fn insert_delivery(c: &mut Conn, d: &NewDelivery, now: NaiveDateTime) -> QueryResult<()> {
    let values = (
        webhook_deliveries::webhook_id.eq(d.webhook_id),
        webhook_deliveries::message_id.eq(d.message_id),
        webhook_deliveries::event_type.eq(d.event_type),
        webhook_deliveries::payload.eq(d.payload),
        webhook_deliveries::status.eq("pending"),
        webhook_deliveries::attempts.eq(0),
        webhook_deliveries::next_attempt_at.eq(now),
        webhook_deliveries::retry_from.eq(now),
        webhook_deliveries::created_at.eq(now),
        webhook_deliveries::registration_id.eq(d.subject.registration_id),
        webhook_deliveries::exhibitor_id.eq(d.subject.exhibitor_id),
    );
    run!(c, |c| diesel::insert_into(webhook_deliveries::table)
        .values(values)
        .execute(c))?;
    Ok(())
}

/// A page of an endpoint's deliveries, newest first.
pub fn deliveries_page(
    c: &mut Conn,
    webhook_id: i64,
    req: &PageRequest,
) -> QueryResult<(Vec<DeliveryRow>, i64)> {
    paged!(
        c,
        req,
        DeliveryRow,
        || webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(webhook_id))
            .into_boxed(),
        |q| q.order(webhook_deliveries::id.desc())
    )
}

/// The attempts of `deliveries`, oldest first.
pub fn attempts_of(c: &mut Conn, deliveries: &[i64]) -> QueryResult<Vec<AttemptRow>> {
    run!(c, |c| webhook_attempts::table
        .filter(webhook_attempts::delivery_id.eq_any(deliveries))
        .order(webhook_attempts::id.asc())
        .select(AttemptRow::as_select())
        .load(c))
}

/// The endpoint's delivery `id`.
pub fn find_delivery(c: &mut Conn, webhook_id: i64, id: i64) -> QueryResult<Option<DeliveryRow>> {
    run!(c, |c| webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .filter(webhook_deliveries::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(c)
        .optional())
}

/// Makes a delivery due again now, its retries starting afresh (a replay).
pub fn requeue(c: &mut Conn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    queue::requeue(c, &DELIVERIES, id, now).map(drop)
}

/// Whether delivery `id` is still there (an endpoint's deletion, an erasure or the purge may
/// have taken it while it was being sent).
pub fn delivery_exists(c: &mut Conn, id: i64) -> QueryResult<bool> {
    let found: Option<i64> = run!(c, |c| webhook_deliveries::table
        .find(id)
        .select(webhook_deliveries::id)
        .first(c)
        .optional())?;
    Ok(found.is_some())
}

/// Deletes the deliveries (and their attempts) about a registration or an exhibitor.
pub fn delete_about(c: &mut Conn, subject: Subject) -> QueryResult<usize> {
    let ids: Vec<i64> = match subject {
        Subject {
            registration_id: Some(id),
            ..
        } => run!(c, |c| webhook_deliveries::table
            .filter(webhook_deliveries::registration_id.eq(id))
            .select(webhook_deliveries::id)
            .load(c))?,
        Subject {
            exhibitor_id: Some(id),
            ..
        } => run!(c, |c| webhook_deliveries::table
            .filter(webhook_deliveries::exhibitor_id.eq(id))
            .select(webhook_deliveries::id)
            .load(c))?,
        _ => return Ok(0),
    };
    delete_deliveries(c, &ids)
}

fn delete_deliveries(c: &mut Conn, ids: &[i64]) -> QueryResult<usize> {
    if ids.is_empty() {
        return Ok(0);
    }
    run!(c, |c| diesel::delete(
        webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(ids))
    )
    .execute(c))?;
    run!(c, |c| diesel::delete(
        webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(ids))
    )
    .execute(c))
}

/// The deliveries as a leased queue (see `db::queue`): only those of enabled endpoints are due.
const DELIVERIES: Queue = Queue {
    table: "webhook_deliveries",
    also: "webhook_id IN (SELECT id FROM webhooks WHERE enabled = TRUE)",
    on_requeue: ", retry_from = $1",
};

/// Claims the due deliveries of enabled endpoints that `lease` allows, oldest first: they
/// become `sending` (see `db::queue::claim`). Call inside a write transaction.
pub fn claim_due(c: &mut Conn, lease: Lease) -> QueryResult<Vec<Claimed>> {
    let rows: Vec<DeliveryRow> = queue::claim(c, &DELIVERIES, lease, |c, ids| {
        run!(c, |c| webhook_deliveries::table
            .filter(webhook_deliveries::id.eq_any(ids))
            .order(webhook_deliveries::id.asc())
            .select(DeliveryRow::as_select())
            .load(c))
    })?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let mut endpoint_ids: Vec<i64> = rows.iter().map(|r| r.webhook_id).collect();
    endpoint_ids.sort_unstable();
    endpoint_ids.dedup();
    let endpoints: Vec<WebhookRow> = run!(c, |c| webhooks::table
        .filter(webhooks::id.eq_any(&endpoint_ids))
        .select(WebhookRow::as_select())
        .load(c))?;
    Ok(rows
        .into_iter()
        .filter_map(|delivery| {
            let w = endpoints.iter().find(|w| w.id == delivery.webhook_id)?;
            Some(Claimed {
                url: w.url.clone(),
                secrets: w
                    .signing_secrets(lease.now)
                    .into_iter()
                    .map(str::to_string)
                    .collect(),
                event_id: w.event_id,
                delivery,
            })
        })
        .collect())
}

/// Logs an attempt.
pub fn insert_attempt(
    c: &mut Conn,
    delivery_id: i64,
    at: NaiveDateTime,
    status_code: Option<i32>,
    error: Option<&str>,
    response: &str,
    duration_ms: i32,
) -> QueryResult<()> {
    let values = (
        webhook_attempts::delivery_id.eq(delivery_id),
        webhook_attempts::attempted_at.eq(at),
        webhook_attempts::status_code.eq(status_code),
        webhook_attempts::error.eq(error),
        webhook_attempts::response.eq(response),
        webhook_attempts::duration_ms.eq(duration_ms),
    );
    run!(c, |c| diesel::insert_into(webhook_attempts::table)
        .values(values)
        .execute(c))?;
    Ok(())
}

/// Records a delivery's outcome: `status` (`delivered`, `pending` again or `failed`), one more
/// attempt, and when it is next due.
pub fn finish(
    c: &mut Conn,
    id: i64,
    status: &str,
    next_attempt_at: NaiveDateTime,
    delivered_at: Option<NaiveDateTime>,
) -> QueryResult<()> {
    run!(c, |c| diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(status),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::next_attempt_at.eq(next_attempt_at),
            webhook_deliveries::locked_until.eq(None::<NaiveDateTime>),
            webhook_deliveries::delivered_at.eq(delivered_at),
        ))
        .execute(c))?;
    Ok(())
}

/// Deletes the deliveries (and their attempts) created before `before`: the retention purge.
pub fn purge_before(c: &mut Conn, before: NaiveDateTime) -> QueryResult<usize> {
    let old = webhook_deliveries::table
        .filter(webhook_deliveries::created_at.lt(before))
        .select(webhook_deliveries::id);
    run!(c, |c| diesel::delete(
        webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(old))
    )
    .execute(c))?;
    run!(c, |c| diesel::delete(
        webhook_deliveries::table.filter(webhook_deliveries::created_at.lt(before))
    )
    .execute(c))
}

/// Deletes the deliveries (and their attempts) of the fair's endpoints whose body holds
/// `needle`: an erased person's deliveries.
pub fn delete_mentioning(c: &mut Conn, event_id: i64, needle: &str) -> QueryResult<usize> {
    let escaped = needle
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let endpoints = webhooks::table
        .filter(webhooks::event_id.eq(event_id))
        .select(webhooks::id);
    let ids: Vec<i64> = run!(c, |c| webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq_any(endpoints))
        .filter(webhook_deliveries::payload.like(&pattern).escape('\\'))
        .select(webhook_deliveries::id)
        .load(c))?;
    delete_deliveries(c, &ids)
}
