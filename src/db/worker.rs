//! A background worker: a thread that does rounds of work while there is some, and otherwise
//! sleeps on one of the database's signals ([`super::Db::outbox`], [`super::Db::webhooks`]) —
//! woken by a commit that queued work for it — or until its poll interval passes (work another
//! instance wrote, retries coming due). The mail and webhook senders are workers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use super::{Db, OutboxSignal};

/// A running worker, to stop at shutdown.
pub struct Worker {
    stopping: Arc<AtomicBool>,
    db: Db,
    signal: fn(&Db) -> &OutboxSignal,
    thread: std::thread::JoinHandle<()>,
}

impl Worker {
    /// Starts thread `name`, running `round` (which returns how much it did) again at once
    /// while it does something, else after `signal` or `poll`.
    pub fn spawn(
        name: &str,
        db: Db,
        signal: fn(&Db) -> &OutboxSignal,
        poll: Duration,
        mut round: impl FnMut(&Db) -> usize + Send + 'static,
    ) -> std::io::Result<Worker> {
        let stopping = Arc::new(AtomicBool::new(false));
        let (flag, thread_db) = (stopping.clone(), db.clone());
        let thread = std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                while !flag.load(Ordering::SeqCst) {
                    if round(&thread_db) == 0 {
                        signal(&thread_db).wait(poll);
                    }
                }
            })?;
        Ok(Worker {
            stopping,
            db,
            signal,
            thread,
        })
    }

    /// Asks the worker to stop after its round, and waits for it, so that no connection is
    /// in use while the process exits.
    pub fn stop(self) {
        self.stopping.store(true, Ordering::SeqCst);
        (self.signal)(&self.db).notify();
        let _ = self.thread.join();
    }
}
