//! Background jobs of each `salon serve`: the mail sender (`email::sender`, woken by commits
//! that queue email), the webhook sender (`webhooks::sender`, woken by commits that queue a
//! delivery), the schedule-change notices (`registrations::notices`, woken by the
//! commit of a release that left some, and every minute for another instance's) with, on the
//! same thread each minute, the meetings' expiry and reminders (`meetings::jobs`), and a
//! scheduler thread for periodic work — today the retention purges (`registrations::purge`,
//! `exhibitors::purge`, webhook deliveries older than 30 days), hourly. All stop, and are
//! joined, before the process exits.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::worker::Worker;
use crate::db::Db;
use crate::{email, exhibitors, meetings, registrations, webhooks};

/// How often the scheduler runs the purge.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

pub struct Jobs {
    sender: Option<Worker>,
    webhooks: Option<Worker>,
    scheduler: Option<Scheduler>,
    notices: Option<Notices>,
}

/// How often the notices job looks for work it was not woken for (another instance's
/// release, or a batch a crash interrupted).
const NOTICES_EVERY: Duration = Duration::from_secs(60);

struct Notices {
    stopping: Arc<std::sync::atomic::AtomicBool>,
    db: Db,
    thread: std::thread::JoinHandle<()>,
}

struct Scheduler {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: std::thread::JoinHandle<()>,
}

impl Jobs {
    /// Starts the jobs; `mail.worker = false` leaves the mail jobs out — the sender and the
    /// notices (tests run them by hand).
    pub fn start(db: &Db, settings: &Arc<Settings>, clock: &Arc<Clock>) -> anyhow::Result<Jobs> {
        let sender = if settings.mail.worker {
            Some(email::sender::spawn(db.clone(), settings.clone())?)
        } else {
            None
        };
        let webhooks = if settings.webhooks.worker {
            Some(webhooks::sender::spawn(db.clone(), settings.clone())?)
        } else {
            None
        };
        let notices = if settings.mail.worker {
            let stopping = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let (job_db, settings, flag) = (db.clone(), settings.clone(), stopping.clone());
            let thread = std::thread::Builder::new()
                .name("salon-notices".into())
                .spawn(move || write_notices(job_db, settings, flag))?;
            Some(Notices {
                stopping,
                db: db.clone(),
                thread,
            })
        } else {
            None
        };
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let (db, settings, clock, flag) =
            (db.clone(), settings.clone(), clock.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("salon-jobs".into())
            .spawn(move || schedule(db, settings, clock, flag))?;
        Ok(Jobs {
            sender,
            webhooks,
            scheduler: Some(Scheduler { stop, thread }),
            notices,
        })
    }

    /// Stops every job and waits for it.
    pub fn stop(mut self) {
        if let Some(n) = self.notices.take() {
            n.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
            n.db.jobs().notify();
            let _ = n.thread.join();
        }
        if let Some(sender) = self.sender.take() {
            sender.stop();
        }
        if let Some(sender) = self.webhooks.take() {
            sender.stop();
        }
        if let Some(s) = self.scheduler.take() {
            if let Ok(mut stopping) = s.stop.0.lock() {
                *stopping = true;
                s.stop.1.notify_all();
            }
            let _ = s.thread.join();
        }
    }
}

fn write_notices(db: Db, settings: Arc<Settings>, stopping: Arc<std::sync::atomic::AtomicBool>) {
    while !stopping.load(std::sync::atomic::Ordering::SeqCst) {
        match registrations::notices::write_due(&db, &settings) {
            Ok(n) if n > 0 => tracing::info!(emails = n, "schedule change emails queued"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "schedule change notices failed"),
        }
        let now = crate::db::now();
        match meetings::jobs::expire_due(&db, &settings, now) {
            Ok(n) if n > 0 => tracing::info!(expired = n, "meeting requests expired"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "meeting expiry failed"),
        }
        match meetings::jobs::cancel_orphans(&db, &settings, now) {
            Ok(n) if n > 0 => tracing::info!(
                cancelled = n,
                "meetings of departed attendees or exhibitors cancelled"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "meeting sweep failed"),
        }
        let started = std::time::Instant::now();
        match meetings::jobs::send_reminders(&db, &settings, now) {
            Ok(n) if n > 0 => tracing::info!(
                emails = n,
                ms = started.elapsed().as_millis() as u64,
                "meeting reminders queued"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "meeting reminders failed"),
        }
        db.jobs().wait(NOTICES_EVERY);
    }
}

fn schedule(db: Db, settings: Arc<Settings>, clock: Arc<Clock>, stop: Arc<(Mutex<bool>, Condvar)>) {
    loop {
        let today = clock.now().date_naive();
        match registrations::purge::run(&db, &settings, today) {
            Ok(n) if n > 0 => tracing::info!(erased = n, "privacy purge erased registrations"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "privacy purge failed"),
        }
        match exhibitors::purge::run(&db, &settings, today) {
            Ok(n) if n > 0 => tracing::info!(erased = n, "privacy purge erased exhibitors"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "privacy purge of exhibitors failed"),
        }
        let now = clock.now().naive_utc();
        match db.write_here(|c| webhooks::service::purge(c, now)) {
            Ok(n) if n > 0 => tracing::info!(deleted = n, "old webhook deliveries deleted"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "webhook deliveries purge failed"),
        }
        let Ok(guard) = stop.0.lock() else { return };
        match stop
            .1
            .wait_timeout_while(guard, PURGE_EVERY, |stopping| !*stopping)
        {
            Ok((stopping, _)) if !*stopping => {}
            _ => return,
        }
    }
}
