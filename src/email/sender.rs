//! The mail sender: sends what the outbox holds, and nothing else. One runs in every
//! `salon serve` (started by the app's jobs), on its own thread. It sleeps until a commit that
//! queued email signals the database's outbox ([`crate::db::Db::outbox`]) or
//! `mail.poll_interval` passes (rows written by another instance, retries coming due), then
//! delivers in rounds: claim a batch (a short write transaction), send it with no pooled
//! connection held, record the outcomes (another short transaction).

use super::model::Claimed;
use super::outbox;
use super::transport::{build_message, Batch, SendError, Transport};
use crate::config::Settings;
use crate::db::worker::Worker;
use crate::db::Db;

/// Starts the sender thread.
pub fn spawn(db: Db, settings: std::sync::Arc<Settings>) -> anyhow::Result<Worker> {
    let transport = Transport::from_url(settings.mail.url.expose())?;
    let poll = settings.mail.poll_interval;
    Ok(Worker::spawn(
        "salon-mail",
        db,
        Db::outbox,
        poll,
        move |db| match deliver_due(db, &settings, &transport) {
            Ok(done) => done.len(),
            Err(e) => {
                tracing::warn!(error = %e, "mail sender could not read the outbox");
                0
            }
        },
    )?)
}

/// One email a round tried to send.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub id: i64,
    pub kind: String,
    pub message_id: String,
    pub sent: bool,
}

/// How many emails a round claims per connection: enough that a round is worth its two short
/// transactions, few enough that an instance does not hold what another could be sending.
const BATCH_PER_CONNECTION: usize = 32;

/// Sends one round of due email; returns what it tried (empty: nothing was due).
///
/// A claimed batch is sent over `mail.concurrency` connections at once: an SMTP exchange is
/// mostly waiting on the relay, so one connection at a time caps a sender at the relay's round
/// trips. While the batch is being sent its claim is renewed every third of `mail.claim_lease`,
/// so a slow relay never lets another instance send the same email, and a crash frees the
/// batch within one lease.
pub fn deliver_due(
    db: &Db,
    settings: &Settings,
    transport: &Transport,
) -> anyhow::Result<Vec<Attempt>> {
    let concurrency = settings.mail.concurrency.max(1) as usize;
    let lease = chrono::TimeDelta::from_std(settings.mail.claim_lease)
        .unwrap_or(chrono::TimeDelta::seconds(60));
    let rows = {
        let mut pooled = db.get()?;
        outbox::claim(
            &mut pooled.conn(),
            (concurrency * BATCH_PER_CONNECTION) as i64,
            lease,
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?
    };
    if rows.is_empty() {
        transport.rest();
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let renew = || match db.get() {
        Ok(mut pooled) => {
            if let Err(e) = outbox::renew(&mut pooled.conn(), &ids, lease) {
                tracing::warn!(error = %e, "mail sender could not renew its claim");
            }
        }
        Err(e) => tracing::warn!(error = %e, "mail sender could not renew its claim"),
    };
    let messages = rows
        .iter()
        .map(|row| build_message(row, &settings.mail.from))
        .collect();
    let results = transport.send_batch(Batch {
        messages,
        connections: concurrency,
        keepalive: &renew,
        every: settings.mail.claim_lease / 3,
    });
    let outcomes: Vec<(Claimed, Result<(), SendError>)> = rows.into_iter().zip(results).collect();
    let mut pooled = db.get()?;
    pooled
        .conn()
        .write_tx(|c| {
            let sent: Vec<i64> = outcomes
                .iter()
                .filter(|(_, outcome)| outcome.is_ok())
                .map(|(row, _)| row.id)
                .collect();
            outbox::mark_sent(c, &sent)?;
            for (row, outcome) in &outcomes {
                match outcome {
                    Ok(()) => {
                        tracing::info!(email_id = row.id, kind = %row.kind, "email sent");
                    }
                    Err(SendError::Transient(e)) => {
                        let delay = outbox::backoff(settings.mail.retry_base, row.attempts);
                        outbox::mark_attempt_failed(
                            c,
                            row,
                            e,
                            false,
                            settings.mail.max_attempts,
                            delay,
                        )?;
                        tracing::warn!(email_id = row.id, kind = %row.kind, attempt = row.attempts + 1, error = %e, "email not sent; will retry");
                    }
                    Err(SendError::Permanent(e)) => {
                        outbox::mark_attempt_failed(
                            c,
                            row,
                            e,
                            true,
                            settings.mail.max_attempts,
                            chrono::TimeDelta::zero(),
                        )?;
                        tracing::warn!(email_id = row.id, kind = %row.kind, error = %e, "email failed permanently");
                    }
                }
            }
            Ok(())
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(outcomes
        .into_iter()
        .map(|(row, outcome)| Attempt {
            id: row.id,
            kind: row.kind,
            message_id: row.message_id,
            sent: outcome.is_ok(),
        })
        .collect())
}
