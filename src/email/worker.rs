//! The email worker: one per `salon serve`, on its own thread. It wakes when a request queues
//! mail (or every second), claims due outbox rows, sends them and records the outcome. It also
//! runs the privacy purge once an hour (SPEC §8).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::outbox;
use super::transport::{build_message, SendError, Transport};
use crate::config::Settings;
use crate::db::Db;

/// Wakes the worker after a commit that queued mail.
#[derive(Clone)]
pub struct Kick(Sender<()>, Arc<AtomicBool>);

impl Kick {
    pub fn now(&self) {
        let _ = self.0.send(());
    }
}

/// The running worker, to stop it at shutdown.
pub struct Worker {
    kick: Kick,
    thread: std::thread::JoinHandle<()>,
}

impl Worker {
    /// Asks the worker to stop after the batch it is sending, and waits for it, so that no
    /// database or SMTP connection is in use while the process exits.
    pub fn stop(self) {
        self.kick.1.store(true, Ordering::SeqCst);
        self.kick.now();
        let _ = self.thread.join();
    }
}

/// Starts the worker thread.
pub fn spawn(db: Db, settings: Arc<Settings>) -> anyhow::Result<(Kick, Worker)> {
    let transport = Transport::from_url(settings.mail.url.expose())?;
    let (tx, rx) = std::sync::mpsc::channel();
    let kick = Kick(tx, Arc::new(AtomicBool::new(false)));
    let stopping = kick.1.clone();
    let thread = std::thread::Builder::new()
        .name("salon-mail".into())
        .spawn(move || run(db, settings, transport, rx, stopping))?;
    Ok((kick.clone(), Worker { kick, thread }))
}

fn run(
    db: Db,
    settings: Arc<Settings>,
    transport: Transport,
    wake: Receiver<()>,
    stopping: Arc<AtomicBool>,
) {
    let mut last_purge: Option<Instant> = None;
    loop {
        if stopping.load(Ordering::SeqCst) {
            return;
        }
        let sent = match deliver_due(&db, &settings, &transport) {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "mail worker could not read the outbox");
                0
            }
        };
        if last_purge.is_none_or(|t| t.elapsed() > Duration::from_secs(3600)) {
            match crate::registrations::purge::run(&db, &settings) {
                Ok(n) if n > 0 => tracing::info!(erased = n, "privacy purge erased registrations"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "privacy purge failed"),
            }
            last_purge = Some(Instant::now());
        }
        if sent > 0 {
            continue; // there may be more due right away
        }
        match wake.recv_timeout(Duration::from_millis(
            settings.mail.poll_interval.as_millis() as u64,
        )) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

/// Sends every due email once; returns how many were attempted.
///
/// A claimed batch is sent over `mail.concurrency` connections at once: an SMTP exchange is
/// mostly waiting (a server's delayed acknowledgement alone costs tens of milliseconds per
/// message), so one connection at a time caps a worker at a few dozen emails a second.
pub fn deliver_due(db: &Db, settings: &Settings, transport: &Transport) -> anyhow::Result<usize> {
    let mut pooled = db.get()?;
    let mut c = pooled.conn();
    let concurrency = settings.mail.concurrency.max(1) as usize;
    let rows =
        outbox::claim(&mut c, (concurrency * 4) as i64).map_err(|e| anyhow::anyhow!("{e}"))?;
    let n = rows.len();
    if n == 0 {
        return Ok(0);
    }
    let chunk = n.div_ceil(concurrency);
    let outcomes: Vec<(outbox::Claimed, Result<(), SendError>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = rows
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|row| {
                            let outcome = build_message(row, &settings.mail.from)
                                .map_err(SendError::Permanent)
                                .and_then(|m| transport.send(&m));
                            (row.clone(), outcome)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    c.write_tx(|c| {
        for (row, outcome) in &outcomes {
            match outcome {
                Ok(()) => {
                    outbox::mark_sent(c, row.id)?;
                    tracing::info!(email_id = row.id, kind = %row.kind, "email sent");
                }
                Err(SendError::Transient(e)) => {
                    let delay = outbox::backoff(settings.mail.retry_base, row.attempts);
                    outbox::mark_attempt_failed(c, row, e, false, settings.mail.max_attempts, delay)?;
                    tracing::warn!(email_id = row.id, kind = %row.kind, attempt = row.attempts + 1, error = %e, "email not sent; will retry");
                }
                Err(SendError::Permanent(e)) => {
                    outbox::mark_attempt_failed(c, row, e, true, settings.mail.max_attempts, chrono::TimeDelta::zero())?;
                    tracing::warn!(email_id = row.id, kind = %row.kind, error = %e, "email failed permanently");
                }
            }
        }
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(n)
}
