//! The webhooks' rules: what an area's change queues ([`emit`], in the change's own
//! transaction, like an email), an endpoint's life (created, changed, rotated, deleted), and
//! what each attempt's outcome does to its delivery and its endpoint ([`record`]).

use chrono::{NaiveDateTime, TimeDelta};
use serde_json::{json, Value};

use super::model::{stored_types, Claimed, DeliveryStatus, EventType, Subject, WebhookRow};
use super::{signature, store, target};
use crate::config::Settings;
use crate::db::{Conn, Queued};
use crate::domain::text::Check;
use crate::email::{self, EmailKind, NewEmail};
use crate::error::{AppError, AppResult, FieldError};

/// Queues a delivery of `kind` to every enabled endpoint of `event_id` that receives it, in the
/// caller's write transaction: a rolled-back change sends nothing, a committed one is
/// delivered even if the process dies right after. `subject` is whom the change is about, so
/// that an erasure forgets its deliveries. `data` builds the resource as the API shows
/// it to an organizer; it is called only when some endpoint receives `kind`, so a fair without
/// webhooks pays one indexed read.
pub fn emit(
    c: &mut Conn,
    event_id: i64,
    kind: EventType,
    subject: Subject,
    data: impl FnOnce(&mut Conn) -> AppResult<Value>,
) -> AppResult<()> {
    let quoted = format!("\"{}\"", kind.as_str());
    let receivers: Vec<i64> = store::enabled_of_event(c, event_id)?
        .into_iter()
        .filter(|(_, types)| types.contains(&quoted))
        .map(|(id, _)| id)
        .collect();
    if receivers.is_empty() {
        return Ok(());
    }
    let now = crate::db::now();
    let body = json!({
        "type": kind.as_str(),
        "timestamp": now.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data(c)?,
    });
    let payload = serde_json::to_string(&body).map_err(anyhow::Error::from)?;
    let message_id = signature::new_message_id();
    for webhook_id in receivers {
        let delivery = store::NewDelivery {
            webhook_id,
            message_id: &message_id,
            event_type: kind.as_str(),
            payload: &payload,
            subject,
        };
        store::insert_delivery(c, &delivery, now)?;
    }
    c.queued(Queued {
        webhooks: true,
        ..Default::default()
    });
    Ok(())
}

/// What an endpoint is made of, checked by the edge.
#[derive(Debug, Clone)]
pub struct EndpointForm {
    pub url: String,
    pub event_types: Vec<EventType>,
    pub enabled: bool,
}

/// The endpoint's form once checked: the URL parsed and its addresses allowed (unless it is
/// the `stored` one), the types given, without repeats. Every bad member is named at once
/// (422).
pub async fn checked(
    settings: &Settings,
    mut check: Check,
    url: Option<String>,
    types: Option<Vec<EventType>>,
    enabled: bool,
    stored: Option<&str>,
) -> AppResult<EndpointForm> {
    let url = match url {
        Some(url) => match target::parse(&url) {
            // The stored URL is not resolved again: an admin turning off an endpoint whose
            // host is gone must not be refused. Every delivery checks its addresses anyway.
            Ok(parsed) if stored == Some(parsed.as_str()) => Some(parsed.to_string()),
            Ok(parsed) => match target::resolve(&parsed, settings.webhooks.allow_private).await {
                Ok(_) => Some(parsed.to_string()),
                Err(e) => {
                    check.push(FieldError::new("url", e));
                    None
                }
            },
            Err(e) => {
                check.push(FieldError::new("url", e));
                None
            }
        },
        None => check.required("url", None),
    };
    let mut types = check.required("event_types", types).unwrap_or_default();
    if types.is_empty() && !check.has("event_types") {
        check.push(FieldError::new(
            "event_types",
            "must list at least one type",
        ));
    }
    let mut seen = std::collections::HashSet::new();
    types.retain(|t| seen.insert(*t));
    check.done().map_err(AppError::Validation)?;
    Ok(EndpointForm {
        url: url.unwrap_or_default(),
        event_types: types,
        enabled,
    })
}

/// Who changes an endpoint, for the audit log: organizer `by` of fair `event_id`.
#[derive(Debug, Clone, Copy)]
pub struct Admin {
    pub by: i64,
    pub event_id: i64,
}

impl Admin {
    fn audit(self, c: &mut Conn, action: &str, id: i64, details: Value) -> AppResult<()> {
        crate::audit::record(
            c,
            Some(self.by),
            Some(self.event_id),
            action,
            "webhook",
            Some(id),
            details,
        )?;
        Ok(())
    }
}

/// A new endpoint of the fair and its secret.
pub fn create(c: &mut Conn, admin: Admin, form: &EndpointForm) -> AppResult<(WebhookRow, String)> {
    let secret = signature::new_secret();
    let now = crate::db::now();
    let row = store::insert(
        c,
        admin.event_id,
        &form.url,
        &stored_types(&form.event_types),
        &secret,
        now,
    )?;
    if !form.enabled {
        store::update(c, row.id, &row.url, &row.event_types, false, None, now)?;
    }
    admin.audit(
        c,
        "create",
        row.id,
        json!({"url": row.url, "event_types": form.event_types}),
    )?;
    Ok((find(c, admin.event_id, row.id)?, secret))
}

/// The event's endpoint `id`, or 404.
pub fn find(c: &mut Conn, event_id: i64, id: i64) -> AppResult<WebhookRow> {
    store::find(c, event_id, id)?.ok_or_else(|| AppError::not_found(format!("no webhook {id}")))
}

/// Saves `form` over the fair's endpoint `id`. Turning an endpoint on again clears why Salon
/// had disabled it and its failing spell.
pub fn update(c: &mut Conn, admin: Admin, id: i64, form: &EndpointForm) -> AppResult<WebhookRow> {
    let row = find(c, admin.event_id, id)?;
    // Enabling clears Salon's reason; an admin's disabling needs none; an endpoint that stays
    // disabled keeps the reason it has.
    let reason = (!form.enabled && !row.enabled)
        .then(|| row.disabled_reason.clone())
        .flatten();
    store::update(
        c,
        row.id,
        &form.url,
        &stored_types(&form.event_types),
        form.enabled,
        reason.as_deref(),
        crate::db::now(),
    )?;
    if form.enabled && !row.enabled {
        store::set_failures(c, row.id, None)?;
    }
    admin.audit(
        c,
        "update",
        row.id,
        json!({"url": form.url, "event_types": form.event_types, "enabled": form.enabled}),
    )?;
    find(c, row.event_id, row.id)
}

/// A new secret for the fair's endpoint `id`; the old one keeps signing for a day, so a
/// receiver can switch without losing a delivery.
pub fn rotate(c: &mut Conn, admin: Admin, id: i64) -> AppResult<(WebhookRow, String)> {
    let row = find(c, admin.event_id, id)?;
    let secret = signature::new_secret();
    let now = crate::db::now();
    store::rotate(
        c,
        row.id,
        &secret,
        &row.secret,
        now + TimeDelta::hours(24),
        now,
    )?;
    admin.audit(c, "rotate", row.id, json!({}))?;
    Ok((find(c, row.event_id, row.id)?, secret))
}

/// Deletes the fair's endpoint `id` with its deliveries.
pub fn delete(c: &mut Conn, admin: Admin, id: i64) -> AppResult<()> {
    let row = find(c, admin.event_id, id)?;
    store::delete(c, row.id)?;
    admin.audit(c, "delete", row.id, json!({"url": row.url}))
}

/// Queues delivery `delivery_id` of the fair's endpoint `id` again, due now, with the same
/// `webhook-id`; 409 while the endpoint is disabled or the delivery is being sent.
pub fn replay(c: &mut Conn, admin: Admin, id: i64, delivery_id: i64) -> AppResult<()> {
    let row = find(c, admin.event_id, id)?;
    let delivery = store::find_delivery(c, row.id, delivery_id)?
        .ok_or_else(|| AppError::not_found(format!("no delivery {delivery_id} of this webhook")))?;
    if !row.enabled {
        return Err(AppError::Conflict(
            "the webhook is disabled: enable it before replaying its deliveries".into(),
        ));
    }
    if DeliveryStatus::parse(&delivery.status) == DeliveryStatus::Sending {
        return Err(AppError::Conflict("the delivery is being sent".into()));
    }
    store::requeue(c, delivery_id, crate::db::now())?;
    c.queued(Queued {
        webhooks: true,
        ..Default::default()
    });
    admin.audit(c, "replay", row.id, json!({"delivery_id": delivery_id}))
}

/// The longest quiet gap within a spell of failures: more than the longest wait between two
/// attempts (an hour), and a crashed sender's claim.
const SPELL_GAP: TimeDelta = TimeDelta::hours(2);

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The answer's status, if one came.
    pub status: Option<u16>,
    /// Why there was no answer (refused, timed out, a private address).
    pub error: Option<String>,
    /// The first KiB of the answer's body.
    pub response: String,
    pub duration_ms: i32,
}

impl Outcome {
    fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The wait before attempt `attempts + 1`: `base` doubled per attempt made, at most an hour,
/// then drawn between half and all of it (jitter, so that the deliveries of an endpoint that
/// came back do not all retry at once).
pub fn backoff(base: std::time::Duration, attempts: i32) -> TimeDelta {
    use rand::Rng;
    let base = TimeDelta::from_std(base).unwrap_or(TimeDelta::seconds(5));
    let factor = 1i32 << attempts.clamp(0, 20);
    let full = std::cmp::min(base * factor, TimeDelta::hours(1));
    let millis = full.num_milliseconds().max(2);
    TimeDelta::milliseconds(rand::thread_rng().gen_range(millis / 2..=millis))
}

/// Records an attempt and what follows from it, in one write transaction: a 2xx delivers (and
/// ends the endpoint's failing spell); a 410 fails the delivery and disables the endpoint;
/// anything else is retried after [`backoff`] until `webhooks.give_up_after` has passed since
/// the change, and an endpoint failing without a success for that long is disabled. Each
/// disabling emails the fair's contact.
pub fn record(
    c: &mut Conn,
    settings: &Settings,
    claimed: &Claimed,
    outcome: &Outcome,
    now: NaiveDateTime,
) -> AppResult<()> {
    let d = &claimed.delivery;
    if !store::delivery_exists(c, d.id)? {
        // Deleted while it was being sent (its endpoint, an erasure, the purge).
        return Ok(());
    }
    store::insert_attempt(
        c,
        d.id,
        now,
        outcome.status.map(i32::from),
        outcome.error.as_deref(),
        &outcome.response,
        outcome.duration_ms,
    )?;
    if outcome.delivered() {
        store::finish(c, d.id, "delivered", now, Some(now))?;
        store::set_failures(c, d.webhook_id, None)?;
        return Ok(());
    }
    if outcome.status == Some(410) {
        store::finish(c, d.id, "failed", now, None)?;
        return disable(c, settings, claimed, Why::Gone);
    }
    let give_up =
        TimeDelta::from_std(settings.webhooks.give_up_after).unwrap_or(TimeDelta::days(3));
    if now - d.retry_from >= give_up {
        store::finish(c, d.id, "failed", now, None)?;
    } else {
        let next = now + backoff(settings.webhooks.retry_base, d.attempts);
        store::finish(c, d.id, "pending", next, None)?;
    }
    // A spell of failures goes on while failed attempts follow one another; a quiet gap longer
    // than any wait between two attempts ends it, so an old failure never counts.
    let since = match store::failures(c, d.webhook_id)? {
        (Some(since), Some(last)) if now - last <= SPELL_GAP => since,
        _ => now,
    };
    store::set_failures(c, d.webhook_id, Some((since, now)))?;
    if now - since >= give_up {
        return disable(c, settings, claimed, Why::Failing(since));
    }
    Ok(())
}

/// Why Salon disables an endpoint.
enum Why {
    /// It answered 410 Gone.
    Gone,
    /// Its attempts have failed, one after another, since then.
    Failing(NaiveDateTime),
}

/// Disables the endpoint of `claimed` and tells the fair's contact, once, in the fair's
/// language. The reason the API shows is in English, as its other messages.
fn disable(c: &mut Conn, settings: &Settings, claimed: &Claimed, why: Why) -> AppResult<()> {
    let reason = match why {
        Why::Gone => "the endpoint answered 410 Gone: it asked not to receive more".to_string(),
        Why::Failing(since) => format!(
            "no delivery succeeded since {} UTC",
            since.format("%Y-%m-%d %H:%M")
        ),
    };
    if !store::disable(c, claimed.delivery.webhook_id, &reason, crate::db::now())? {
        return Ok(());
    }
    tracing::warn!(
        webhook_id = claimed.delivery.webhook_id,
        reason,
        "webhook disabled"
    );
    let event = crate::events::store::find(c, claimed.event_id)?;
    if event.contact_email.trim().is_empty() {
        return Ok(());
    }
    let lang = event.default_language;
    let console_url = format!(
        "{}/console/events/{}/webhooks",
        settings.base_url(),
        event.slug
    );
    // The contact may not be an admin: the address without its query, which may carry the
    // receiving system's key.
    let url = target::without_query(&claimed.url);
    let extra = match why {
        Why::Gone => json!({"url": url, "gone": true, "console_url": console_url}),
        Why::Failing(since) => json!({
            "url": url,
            "gone": false,
            "failing_since": crate::domain::dates::day_time(lang, event.wall_clock(since)),
            "console_url": console_url,
        }),
    };
    let to = event.contact_email.clone();
    let team = email::organizing_team(lang);
    let mail = NewEmail::about(&event, EmailKind::WebhookDisabled, &to, team, lang, extra);
    email::enqueue(c, mail, &settings.message_domain())?;
    Ok(())
}

/// A page of endpoint `webhook_id`'s deliveries, newest first, each with its attempts.
pub fn deliveries(
    c: &mut Conn,
    webhook_id: i64,
    req: &crate::db::PageRequest,
) -> AppResult<(Vec<super::model::DeliveryOut>, i64)> {
    let (rows, total) = store::deliveries_page(c, webhook_id, req)?;
    let ids: Vec<i64> = rows.iter().map(|d| d.id).collect();
    let mut attempts = store::attempts_of(c, &ids)?;
    let items = rows
        .into_iter()
        .map(|d| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                attempts.drain(..).partition(|a| a.delivery_id == d.id);
            attempts = rest;
            super::model::DeliveryOut::of(d, mine)
        })
        .collect();
    Ok((items, total))
}

/// Forgets what the fair's deliveries said about an erased registration or exhibitor (SPEC
/// §8): every delivery about `subject`, and every other one whose body holds its `email` (an
/// exhibitor's staff list names its staff), is deleted with its attempts, sent or not.
pub fn forget(c: &mut Conn, event_id: i64, subject: Subject, email: &str) -> AppResult<()> {
    store::delete_about(c, subject)?;
    let quoted = serde_json::to_string(email).map_err(anyhow::Error::from)?;
    store::delete_mentioning(c, event_id, &format!("\"email\":{quoted}"))?;
    Ok(())
}

/// How long deliveries (and their attempts) are kept: the retention purge deletes older ones.
pub const KEEP_DELIVERIES: TimeDelta = TimeDelta::days(30);

/// The retention purge of deliveries older than [`KEEP_DELIVERIES`]; returns how many went.
pub fn purge(c: &mut Conn, now: NaiveDateTime) -> AppResult<usize> {
    Ok(store::purge_before(c, now - KEEP_DELIVERIES)?)
}
