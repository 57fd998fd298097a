//! Group commit for the writes that queue on one lock: public registrations, confirmations and
//! bookings. Each is a short transaction behind the SQLite database lock (or an event's row lock
//! on PostgreSQL), so one at a time they spend most of their time beginning and committing.
//! [`Db::write_grouped`] queues the work instead; one writer takes everything queued, runs each
//! piece in its own savepoint of a single transaction, commits once, and only then answers each
//! caller. So:
//!
//! - a caller is answered after its work is committed, exactly as with [`Db::write`]: an
//!   acknowledged registration is durable (SPEC §8);
//! - a piece that fails (a closed registration window, a used link, a full session) rolls back
//!   to its savepoint and is answered with its own error; the others commit;
//! - the pieces run one after the other in the order they were queued, each seeing what the
//!   ones before it wrote, so capacity checks stay exact;
//! - if the commit itself fails, every caller of the batch gets the error and nothing of it is
//!   kept.
//!
//! There is no writer thread waiting in the background: the caller that finds the queue idle
//! starts a writer on the blocking pool, which drains the queue batch after batch and ends when
//! it is empty. Requests that arrive while a batch commits form the next batch, so a batch is
//! as large as the load makes it (at most [`MAX_BATCH`]) and a lone request waits for nobody.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;

use tokio::sync::oneshot;

use super::{Conn, Db, PoolKind};
use crate::error::{AppError, AppResult};

/// The most pieces of work committed in one transaction.
pub const MAX_BATCH: usize = 256;

/// Batches written at once on PostgreSQL.
pub const PG_WRITERS: usize = 4;

/// The queue of one [`Db`].
#[derive(Default)]
pub struct Group {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    queued: Vec<Box<dyn Work>>,
    /// How many writers are draining the queue.
    writing: usize,
}

/// One caller's work, type-erased so that one batch can hold work of any result type.
trait Work: Send {
    /// Runs the work in a savepoint of the batch's transaction and keeps its result.
    fn run(&mut self, c: &mut Conn);
    /// Answers the caller: its own result if the batch committed, else the commit's error.
    fn answer(self: Box<Self>, committed: Result<(), &AppError>);
}

struct Piece<T, F> {
    work: Option<F>,
    result: Option<AppResult<T>>,
    reply: oneshot::Sender<AppResult<T>>,
}

impl<T, F> Work for Piece<T, F>
where
    T: Send + 'static,
    F: FnOnce(&mut Conn) -> AppResult<T> + Send + 'static,
{
    fn run(&mut self, c: &mut Conn) {
        let Some(work) = self.work.take() else {
            return;
        };
        self.result = Some(c.savepoint(|c| {
            catch_unwind(AssertUnwindSafe(|| work(c))).unwrap_or_else(|_| {
                Err(AppError::Internal(anyhow::anyhow!(
                    "a grouped write panicked"
                )))
            })
        }));
    }

    fn answer(self: Box<Self>, committed: Result<(), &AppError>) {
        let result = match (committed, self.result) {
            (Ok(()), Some(result)) => result,
            (Ok(()), None) => Err(AppError::Internal(anyhow::anyhow!(
                "a grouped write was not run"
            ))),
            // A piece that failed on its own keeps its error; the others share the commit's.
            (Err(_), Some(Err(own))) => Err(own),
            (Err(e), _) => Err(AppError::Internal(anyhow::anyhow!(
                "the batch could not be committed: {e}"
            ))),
        };
        // The caller may have gone (a closed connection): nothing to answer then.
        let _ = self.reply.send(result);
    }
}

impl Db {
    /// Runs `f` as part of the next grouped transaction (see the module documentation) and
    /// answers once that transaction has committed. `f` must not begin a transaction of its
    /// own (it already runs in a savepoint); it may lock rows like any write.
    pub async fn write_grouped<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> AppResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let piece = Box::new(Piece {
            work: Some(f),
            result: None,
            reply,
        });
        let start = {
            let mut state = self.lock_group();
            state.queued.push(piece);
            let start = state.writing < self.writers();
            if start {
                state.writing += 1;
            }
            start
        };
        if start {
            let db = self.clone();
            actix_web::rt::task::spawn_blocking(move || db.drain());
        }
        answer.await.map_err(|_| {
            AppError::Internal(anyhow::anyhow!("the group writer stopped before answering"))
        })?
    }

    /// How many batches may be written at once: one on SQLite, where the database lock lets
    /// only one write at a time anyway; [`PG_WRITERS`] on PostgreSQL, where a batch spends
    /// most of its time waiting on round trips and the rows it locks are the event's own.
    fn writers(&self) -> usize {
        match &*self.pool {
            PoolKind::Sqlite(_) => 1,
            PoolKind::Pg(_) => PG_WRITERS,
        }
    }

    fn lock_group(&self) -> std::sync::MutexGuard<'_, State> {
        self.group
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Commits batch after batch until the queue is empty, then lets the next caller start a
    /// writer again.
    fn drain(&self) {
        // Should anything below panic, the queue must not stay marked as being drained.
        struct Idle<'a>(&'a Db);
        impl Drop for Idle<'_> {
            fn drop(&mut self) {
                if std::thread::panicking() {
                    self.0.lock_group().writing -= 1;
                }
            }
        }
        let _idle = Idle(self);
        loop {
            let batch: Vec<Box<dyn Work>> = {
                let mut state = self.lock_group();
                if state.queued.is_empty() {
                    state.writing -= 1;
                    return;
                }
                let n = state.queued.len().min(MAX_BATCH);
                state.queued.drain(..n).collect()
            };
            self.commit(batch);
        }
    }

    /// One transaction for the whole batch, each piece in its savepoint.
    fn commit(&self, mut batch: Vec<Box<dyn Work>>) {
        let outcome = self.write_here(|c| {
            for piece in batch.iter_mut() {
                piece.run(c);
            }
            Ok(())
        });
        if batch.len() > 1 {
            tracing::trace!(size = batch.len(), "group commit");
        }
        for piece in batch {
            piece.answer(outcome.as_ref().map(|_| ()));
        }
    }
}
