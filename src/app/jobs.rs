//! Background jobs of each `salon serve`: the mail sender (`email::sender`, woken by commits
//! that queue email) and a scheduler thread for periodic work — today the retention purge
//! (`registrations::purge`), hourly. Both stop, and are joined, before the process exits.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::{email, registrations};

/// How often the scheduler runs the purge.
const PURGE_EVERY: Duration = Duration::from_secs(3600);

pub struct Jobs {
    sender: Option<email::sender::Sender>,
    scheduler: Option<Scheduler>,
}

struct Scheduler {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: std::thread::JoinHandle<()>,
}

impl Jobs {
    /// Starts the jobs; `mail.worker = false` leaves the sender out (tests deliver by hand).
    pub fn start(db: &Db, settings: &Arc<Settings>, clock: &Arc<Clock>) -> anyhow::Result<Jobs> {
        let sender = if settings.mail.worker {
            Some(email::sender::spawn(db.clone(), settings.clone())?)
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
            scheduler: Some(Scheduler { stop, thread }),
        })
    }

    /// Stops every job and waits for it.
    pub fn stop(mut self) {
        if let Some(sender) = self.sender.take() {
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

fn schedule(db: Db, settings: Arc<Settings>, clock: Arc<Clock>, stop: Arc<(Mutex<bool>, Condvar)>) {
    loop {
        match registrations::purge::run(&db, &settings, clock.now().date_naive()) {
            Ok(n) if n > 0 => tracing::info!(erased = n, "privacy purge erased registrations"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "privacy purge failed"),
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
