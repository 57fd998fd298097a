//! The outbox: every email is a row written in the same transaction as the change that causes
//! it, so a rolled-back change sends nothing and a committed one loses nothing. The sender
//! (`sender.rs`) claims due rows, sends them and records the outcome.
//!
//! States: `pending` (due at `next_attempt_at`) → `sending` (claimed until `locked_until`; a
//! crashed sender's claim expires and the row is due again) → `sent` (bodies dropped, metadata
//! kept) or back to `pending` with exponential backoff, or `failed` (permanent error or
//! `mail.max_attempts` reached). On PostgreSQL several workers claim with `FOR UPDATE SKIP
//! LOCKED`; on SQLite the claim runs in a `BEGIN IMMEDIATE` transaction.

use chrono::TimeDelta;
use diesel::QueryResult;
use serde::{Deserialize, Serialize};

use super::model::{Claimed, NewOutboxEmail, Parts};
use super::{store, templates, EmailKind};
use crate::db::queue::Lease;
use crate::db::Conn;
use crate::domain::Language;
use crate::error::AppResult;

/// A file sent with an email (base64 in the outbox row).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    /// Shown inline in the HTML part under this Content-ID (`cid:…`) when set.
    pub content_id: Option<String>,
    pub base64: String,
}

impl Attachment {
    pub fn new(filename: &str, content_type: &str, content_id: Option<&str>, bytes: &[u8]) -> Self {
        use base64::Engine;
        Attachment {
            filename: filename.into(),
            content_type: content_type.into(),
            content_id: content_id.map(str::to_string),
            base64: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(&self.base64)
            .unwrap_or_default()
    }
}

/// An email to queue.
pub struct NewEmail<'a> {
    pub event_id: Option<i64>,
    pub registration_id: Option<i64>,
    pub kind: EmailKind,
    pub to: &'a str,
    pub language: Language,
    pub context: serde_json::Value,
    pub attachments: Vec<Attachment>,
}

impl<'a> NewEmail<'a> {
    /// `kind` about `event` to `to`, who is `name`, in `lang`: the variables every email gets
    /// ([`super::common_context`]) and the members of `extra`; of no registration, with no
    /// attachment.
    pub fn about(
        event: &crate::events::Event,
        kind: EmailKind,
        to: &'a str,
        name: &str,
        lang: Language,
        extra: serde_json::Value,
    ) -> Self {
        let mut context = super::common_context(event, lang, name);
        if let serde_json::Value::Object(extra) = extra {
            context.extend(extra);
        }
        NewEmail {
            event_id: Some(event.id),
            registration_id: None,
            kind,
            to,
            language: lang,
            context: serde_json::Value::Object(context),
            attachments: vec![],
        }
    }
}

/// Renders and inserts one email. Call inside the write transaction of the change.
pub fn enqueue(c: &mut Conn, email: NewEmail, message_domain: &str) -> AppResult<i64> {
    let registration_id = email.registration_id;
    let rendered = render(c, email, message_domain)?;
    enqueue_rendered(c, &rendered, registration_id)
}

/// An email rendered and given its Message-ID, not yet queued: a write that queues on a lock
/// renders its email before taking it ([`render`]) and only inserts it inside
/// ([`enqueue_rendered`]).
#[derive(Debug, Clone)]
pub struct RenderedEmail {
    pub event_id: Option<i64>,
    pub kind: EmailKind,
    pub to: String,
    pub language: Language,
    pub subject: String,
    pub text: String,
    pub html: String,
    attachments: Option<String>,
    message_id: String,
    /// Why the built-in text stood in for the event's override, if it did.
    fallback: Option<String>,
    /// `Reply-To:` the fair's contact address, when the email is about a fair.
    reply_to: Option<String>,
    /// The name `From:` shows: the fair's, in the recipient's language.
    from_name: Option<String>,
}

/// Renders `email` (reading the event's template override, if any) without queuing it.
/// `email.registration_id` is not used: the row gets it from [`enqueue_rendered`].
pub fn render(c: &mut Conn, email: NewEmail, message_domain: &str) -> AppResult<RenderedEmail> {
    let custom = match email.event_id {
        Some(id) => store::find_override(c, id, email.kind, email.language)?,
        None => None,
    };
    render_with(custom, email, message_domain)
}

/// [`render`] with the event's override already read (`custom`; `None`: it has none).
pub fn render_with(
    custom: Option<Parts>,
    email: NewEmail,
    message_domain: &str,
) -> AppResult<RenderedEmail> {
    let rendered = templates::render_with(custom, email.kind, email.language, &email.context)?;
    let Parts {
        subject,
        text,
        html,
    } = rendered.parts;
    let message_id = new_message_id(message_domain);
    let attachments = if email.attachments.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&email.attachments).map_err(anyhow::Error::from)?)
    };
    Ok(RenderedEmail {
        event_id: email.event_id,
        kind: email.kind,
        to: email.to.to_string(),
        language: email.language,
        subject,
        text,
        html,
        attachments,
        message_id,
        fallback: rendered.fallback,
        reply_to: context_text(&email.context, "contact_email"),
        from_name: context_text(&email.context, "event_name"),
    })
}

/// A non-empty text of an email's context (every email about a fair has its name and contact
/// address there: `email::common_context`).
fn context_text(context: &serde_json::Value, key: &str) -> Option<String> {
    context[key]
        .as_str()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

/// A new Message-ID: `<salon.` + the time in microseconds (16 hex digits) + `.` + 128 random
/// bits + `@domain>`. Unique by its random part; led by the time so that the outbox's unique
/// index on it grows at its end, as the rows do, instead of dirtying a random page of the index
/// for every email written (a page written to disk twice per registration on SQLite).
fn new_message_id(domain: &str) -> String {
    use rand::RngCore;
    let micros = chrono::Utc::now().timestamp_micros().max(0) as u64;
    let mut random = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut random);
    let random: String = random.iter().map(|b| format!("{b:02x}")).collect();
    format!("<salon.{micros:016x}.{random}@{domain}>")
}

/// Queues an email rendered by [`render`]. Call inside the write transaction of the change.
pub fn enqueue_rendered(
    c: &mut Conn,
    email: &RenderedEmail,
    registration_id: Option<i64>,
) -> AppResult<i64> {
    let now = crate::db::now();
    let id = store::insert_outbox(
        c,
        &NewOutboxEmail {
            event_id: email.event_id,
            registration_id,
            kind: email.kind.as_str(),
            recipient: Some(&email.to),
            language: email.language.code(),
            subject: Some(&email.subject),
            body_text: Some(&email.text),
            body_html: Some(&email.html),
            attachments: email.attachments.as_deref(),
            message_id: &email.message_id,
            status: "pending",
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
            last_error: email.fallback.as_deref(),
            reply_to: email.reply_to.as_deref(),
            from_name: email.from_name.as_deref(),
        },
    )?;
    c.queued(crate::db::Queued {
        email: true,
        ..Default::default()
    });
    Ok(id)
}

/// Claims up to `limit` due rows for this sender, for `lease` (`mail.claim_lease`): after a
/// crash, a claimed row is due again when its lease ends.
pub fn claim(c: &mut Conn, limit: i64, lease: TimeDelta) -> AppResult<Vec<Claimed>> {
    let now = crate::db::now();
    let lease = Lease {
        now,
        limit,
        until: now + lease,
    };
    c.write_tx(|c| Ok(store::claim_due(c, lease)?))
}

/// Sent: keep the metadata (and the last problem met, e.g. an override that fell back to
/// the built-in text), drop the bodies (they hold tokens).
pub fn mark_sent(c: &mut Conn, ids: &[i64]) -> QueryResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    store::mark_sent(c, ids, crate::db::now())
}

/// Extends the claim on rows still being sent by another `lease`.
pub fn renew(c: &mut Conn, ids: &[i64], lease: TimeDelta) -> QueryResult<()> {
    store::renew_claim(c, ids, crate::db::now() + lease)
}

/// A failed attempt: retried after `delay`, or `failed` for good when `permanent` or out of
/// attempts.
pub fn mark_attempt_failed(
    c: &mut Conn,
    row: &Claimed,
    error: &str,
    permanent: bool,
    max_attempts: u32,
    delay: TimeDelta,
) -> QueryResult<()> {
    let now = crate::db::now();
    let attempts = row.attempts + 1;
    let give_up = permanent || attempts as u32 >= max_attempts;
    let error: String = error.chars().take(500).collect();
    let status = if give_up { "failed" } else { "pending" };
    store::record_failed_attempt(c, row.id, status, attempts, now + delay, &error)
}

/// Exponential backoff: `base`, `2·base`, `4·base`… capped at one hour.
pub fn backoff(base: std::time::Duration, attempts: i32) -> TimeDelta {
    let base = TimeDelta::from_std(base).unwrap_or(TimeDelta::seconds(30));
    let factor = 1i32 << attempts.clamp(0, 16);
    std::cmp::min(base * factor, TimeDelta::hours(1))
}

/// Forgets the recipient and bodies of a registration's emails (erasure).
pub fn erase_for_registration(c: &mut Conn, registration_id: i64) -> QueryResult<()> {
    let ids = store::find_ids_for_registration(c, registration_id)?;
    forget(c, &ids)
}

/// Forgets the emails of an event to or about `address` (an erased exhibitor contact): their
/// recipient and bodies are blanked, and those not sent are not sent. That is every email to
/// the address, and the unsent ones whose body names it (the event contact's notice of an
/// application).
pub fn erase_for_address(c: &mut Conn, event_id: i64, address: &str) -> QueryResult<()> {
    let about = store::find_unsent_bodies(c, event_id)?;
    let mut ids: Vec<i64> = about
        .into_iter()
        .filter(|(_, body)| body.as_deref().is_some_and(|b| b.contains(address)))
        .map(|(id, _)| id)
        .collect();
    let to = store::find_ids_to(c, event_id, address)?;
    ids.extend(to);
    forget(c, &ids)
}

/// Blanks the recipient and bodies of the rows `ids`; those not sent are not sent (`failed`,
/// "recipient erased").
fn forget(c: &mut Conn, ids: &[i64]) -> QueryResult<()> {
    for chunk in ids.chunks(500) {
        store::fail_unsent(c, chunk, "recipient erased")?;
        store::blank(c, chunk)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_are_distinct_and_sort_by_time() {
        let a = new_message_id("fair.example");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = new_message_id("fair.example");
        assert_ne!(a, b);
        assert!(a < b, "{a} should sort before {b}");
        assert!(
            a.starts_with("<salon.") && a.ends_with("@fair.example>"),
            "{a}"
        );
        // 7 + 16 + 1 + 32 + 14: the time in full, 128 random bits.
        assert_eq!(
            a.len(),
            "<salon.".len() + 16 + 1 + 32 + "@fair.example>".len()
        );
    }
}
