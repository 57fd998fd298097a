//! The database layer: one binary, two backends, chosen explicitly from `database.url`'s scheme.
//!
//! Query code is written once against [`Conn`], an enum borrowing either a SQLite or a PostgreSQL
//! connection. The [`run!`](crate::run) macro expands a diesel expression once per backend, so
//! each arm is type-checked against its concrete connection and keeps every backend feature
//! (`RETURNING`, `FOR UPDATE`, `BEGIN IMMEDIATE`) that diesel's generic `MultiConnection` lacks.
//!
//! Check-then-write work goes through [`Conn::write_tx`]: `BEGIN IMMEDIATE` on SQLite (the
//! database write lock is taken at the start, so two writers queue on `busy_timeout` instead of
//! failing on upgrade), a plain transaction on PostgreSQL in which the work locks its parent row
//! with `SELECT … FOR UPDATE` through the `lock_*` queries (a no-op lock on SQLite, where the
//! whole database is already held). Handlers never choose between the two.
//!
//! Diesel is synchronous: [`Db::run`] and [`Db::write`] take a pooled connection and run the
//! closure on actix's blocking thread pool, never on the async workers.
//!
//! A write that queues email (an outbox row, see `email::outbox`), a webhook delivery
//! (`webhooks::emit`) or work for a background job tells its connection ([`Conn::queued`]); the
//! transaction keeps what it queued, and once it has committed, [`Db::write`] (or the group
//! writer) signals [`Db::outbox`], [`Db::webhooks`] or [`Db::jobs`], which the workers wait on. So
//! no handler has to remember to wake them, and a rolled-back write wakes nobody.

pub mod backup;
pub mod copy;
pub mod group;
pub mod migrations;
pub mod page;
pub mod queue;
pub mod schema;
pub mod secrets;
pub mod worker;

pub use page::PageRequest;

use std::time::Duration;

use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

use crate::error::{AppError, AppResult};

/// The two supported backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `sqlite://PATH` or `postgres://…` (also `postgresql://`). Anything else is refused: the
    /// backend is never guessed.
    pub fn from_url(url: &str) -> Result<Backend, String> {
        if url.starts_with("sqlite://") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err("must start with sqlite:// or postgres://".into())
        }
    }
}

/// A borrowed connection of either backend, and what its transaction has queued for the
/// workers. Query functions take `&mut Conn`.
pub struct Conn<'a> {
    pub link: Link<'a>,
    queued: Queued,
}

/// The connection itself, of one backend or the other.
pub enum Link<'a> {
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

/// What a write transaction left for the workers, to wake them once it commits.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Queued {
    /// An outbox row (the mail sender).
    pub email: bool,
    /// Work for a background job (today: a release's schedule-change notices).
    pub jobs: bool,
    /// A webhook delivery (the webhook sender).
    pub webhooks: bool,
}

impl Queued {
    fn merge(&mut self, other: Queued) {
        self.email |= other.email;
        self.jobs |= other.jobs;
        self.webhooks |= other.webhooks;
    }

    /// Wakes the workers for what was queued (after the commit).
    fn wake(self, db: &Db) {
        if self.email {
            db.outbox.notify();
        }
        if self.jobs {
            db.jobs.notify();
        }
        if self.webhooks {
            db.webhooks.notify();
        }
    }
}

/// Expands `$body` once per backend with `$c` bound to the concrete connection.
///
/// ```ignore
/// run!(conn, |c| events::table.find(id).first::<Event>(c))
/// ```
#[macro_export]
macro_rules! run {
    ($conn:expr, |$c:ident| $body:expr) => {
        match &mut $conn.link {
            $crate::db::Link::Sqlite(inner) => {
                let $c: &mut ::diesel::sqlite::SqliteConnection = &mut **inner;
                $body
            }
            $crate::db::Link::Pg(inner) => {
                let $c: &mut ::diesel::pg::PgConnection = &mut **inner;
                $body
            }
        }
    };
}

impl<'a> Conn<'a> {
    pub fn new(link: Link<'a>) -> Self {
        Conn {
            link,
            queued: Queued::default(),
        }
    }

    pub fn backend(&self) -> Backend {
        match self.link {
            Link::Sqlite(_) => Backend::Sqlite,
            Link::Pg(_) => Backend::Postgres,
        }
    }

    /// Notes that the running transaction queued something for the workers.
    pub fn queued(&mut self, what: Queued) {
        self.queued.merge(what);
    }

    /// What this connection's committed transactions queued, cleared.
    pub fn take_queued(&mut self) -> Queued {
        std::mem::take(&mut self.queued)
    }

    /// Runs `f` in one write transaction (see the module documentation). Any error rolls back
    /// everything `f` wrote, and forgets what it queued.
    pub fn write_tx<T>(&mut self, f: impl FnOnce(&mut Conn) -> AppResult<T>) -> AppResult<T> {
        self.nested(f, true)
    }

    /// A savepoint inside the current transaction: `f`'s writes are undone if it fails, and
    /// the transaction goes on (see `db::group`).
    pub fn savepoint<T>(&mut self, f: impl FnOnce(&mut Conn) -> AppResult<T>) -> AppResult<T> {
        self.nested(f, false)
    }

    /// A read transaction: one consistent snapshot for multi-query reads.
    pub fn read_tx<T>(&mut self, f: impl FnOnce(&mut Conn) -> AppResult<T>) -> AppResult<T> {
        self.nested(f, false)
    }

    /// `f` in a transaction (`BEGIN IMMEDIATE` on SQLite when `immediate`) or, inside one, a
    /// savepoint; what `f` queued counts only if it succeeded.
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Conn) -> AppResult<T>,
        immediate: bool,
    ) -> AppResult<T> {
        let mut queued = Queued::default();
        let inner = |link: Link| {
            let mut c = Conn::new(link);
            let out = f(&mut c);
            queued = c.queued;
            out
        };
        let out = match &mut self.link {
            Link::Sqlite(c) if immediate => c.immediate_transaction(|c| inner(Link::Sqlite(c))),
            Link::Sqlite(c) => c.transaction(|c| inner(Link::Sqlite(c))),
            Link::Pg(c) => c.transaction(|c| inner(Link::Pg(c))),
        };
        if out.is_ok() {
            self.queued.merge(queued);
        }
        out
    }
}

/// Puts a SQLite file in WAL mode through one connection, before the pool opens its
/// connections all at once: the switch needs the file to itself, and on a new database the
/// pool's connections racing to make it logged `database is locked` at the first start.
fn prepare_sqlite_file(path: &str) -> anyhow::Result<()> {
    use diesel::connection::SimpleConnection;
    let mut conn = SqliteConnection::establish(path)
        .map_err(|e| anyhow::anyhow!("cannot open SQLite database {path}: {e}"))?;
    conn.batch_execute("PRAGMA busy_timeout = 30000; PRAGMA journal_mode = WAL;")
        .map_err(|e| anyhow::anyhow!("cannot put SQLite database {path} in WAL mode: {e}"))
}

/// Sets each SQLite connection up as Salon needs it. `busy_timeout` comes first so that the
/// following PRAGMAs already wait for a lock instead of failing. `temp_store = MEMORY` keeps
/// the journal of each grouped write's savepoint (`db::group`) in memory instead of a temporary
/// file. `secure_delete = ON` overwrites what a delete or an erasure frees with zeros, so an
/// erased attendee's email cannot be read back from the file's free pages (the WAL's old
/// frames are overwritten as checkpoints recycle it; see `docs/security.md`).
#[derive(Debug)]
struct SqliteSetup;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqliteSetup {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute(
            "PRAGMA busy_timeout = 30000;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA wal_autocheckpoint = 10000;
             PRAGMA temp_store = MEMORY;
             PRAGMA secure_delete = ON;",
        )
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Sets each PostgreSQL connection up as Salon needs it: every statement is planned with its
/// own parameters (`plan_cache_mode = force_custom_plan`). Diesel keeps statements prepared,
/// and PostgreSQL switches a prepared statement to a generic plan after five runs; on a table
/// without statistics yet (a new fair's first minute) that plan ties the indexes and may pick
/// `registrations_event_status` for the lookup of `(event_id, email)`, scanning every
/// registration of the event for each new one until autovacuum analyses the table. Measured in
/// `bench/README.md`: planning each statement costs less than that scan.
#[derive(Debug)]
struct PgSetup;

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for PgSetup {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        use diesel::connection::SimpleConnection;
        conn.batch_execute("SET plan_cache_mode = force_custom_plan")
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

enum PoolKind {
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    Pg(Pool<ConnectionManager<PgConnection>>),
}

/// Committed outbox rows are waiting: the mail sender sleeps on this between rounds.
#[derive(Default)]
pub struct OutboxSignal {
    pending: std::sync::Mutex<bool>,
    wake: std::sync::Condvar,
}

impl OutboxSignal {
    pub fn notify(&self) {
        if let Ok(mut pending) = self.pending.lock() {
            *pending = true;
            self.wake.notify_all();
        }
    }

    /// Waits until notified or `timeout` passes; clears the signal.
    pub fn wait(&self, timeout: Duration) {
        let Ok(mut pending) = self.pending.lock() else {
            return;
        };
        if !*pending {
            pending = match self.wake.wait_timeout(pending, timeout) {
                Ok((guard, _)) => guard,
                Err(_) => return,
            };
        }
        *pending = false;
    }
}

/// The connection pool of this instance. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: std::sync::Arc<PoolKind>,
    outbox: std::sync::Arc<OutboxSignal>,
    jobs: std::sync::Arc<OutboxSignal>,
    webhooks: std::sync::Arc<OutboxSignal>,
    /// On SQLite, this instance's writers queue here before `BEGIN IMMEDIATE`. Correctness
    /// does not depend on it (the database lock does that, across processes too); it only
    /// spares writers SQLite's busy-wait sleeps, which otherwise dominate tail latency.
    write_gate: std::sync::Arc<std::sync::Mutex<()>>,
    /// The queue of [`Db::write_grouped`].
    group: std::sync::Arc<group::Group>,
}

/// A connection checked out of the pool.
pub enum PooledConn {
    Sqlite(PooledConnection<ConnectionManager<SqliteConnection>>),
    Pg(PooledConnection<ConnectionManager<PgConnection>>),
}

impl PooledConn {
    pub fn conn(&mut self) -> Conn<'_> {
        Conn::new(match self {
            PooledConn::Sqlite(c) => Link::Sqlite(&mut *c),
            PooledConn::Pg(c) => Link::Pg(&mut *c),
        })
    }
}

impl Db {
    /// Opens the pool for `url`. A SQLite file's folder is created if missing.
    pub fn connect(url: &str, pool_size: u32, timeout: Duration) -> anyhow::Result<Db> {
        let pool = match Backend::from_url(url).map_err(anyhow::Error::msg)? {
            Backend::Sqlite => {
                let path = sqlite_path(url);
                if let Some(dir) = std::path::Path::new(path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir).map_err(|e| {
                            anyhow::anyhow!("cannot create database folder {}: {e}", dir.display())
                        })?;
                    }
                }
                prepare_sqlite_file(path)?;
                let manager = ConnectionManager::<SqliteConnection>::new(path);
                let pool = Pool::builder()
                    .max_size(pool_size)
                    .connection_timeout(timeout)
                    .connection_customizer(Box::new(SqliteSetup))
                    .build(manager)
                    .map_err(|e| anyhow::anyhow!("cannot open SQLite database {path}: {e}"))?;
                PoolKind::Sqlite(pool)
            }
            Backend::Postgres => {
                let manager = ConnectionManager::<PgConnection>::new(url);
                let pool = Pool::builder()
                    .max_size(pool_size)
                    .connection_timeout(timeout)
                    .connection_customizer(Box::new(PgSetup))
                    .build(manager)
                    .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL: {e}"))?;
                PoolKind::Pg(pool)
            }
        };
        let pool = std::sync::Arc::new(pool);
        if let PoolKind::Sqlite(_) = &*pool {
            checkpoint_in_background(std::sync::Arc::downgrade(&pool));
        }
        Ok(Db {
            pool,
            outbox: std::sync::Arc::new(OutboxSignal::default()),
            jobs: std::sync::Arc::new(OutboxSignal::default()),
            webhooks: std::sync::Arc::new(OutboxSignal::default()),
            write_gate: std::sync::Arc::new(std::sync::Mutex::new(())),
            group: std::sync::Arc::default(),
        })
    }

    /// Signalled after each commit that queued email.
    pub fn outbox(&self) -> &OutboxSignal {
        &self.outbox
    }

    /// Signalled after each commit that left work for a background job.
    pub fn jobs(&self) -> &OutboxSignal {
        &self.jobs
    }

    /// Committed webhook deliveries are waiting: the webhook sender sleeps on this.
    pub fn webhooks(&self) -> &OutboxSignal {
        &self.webhooks
    }

    pub fn backend(&self) -> Backend {
        match &*self.pool {
            PoolKind::Sqlite(_) => Backend::Sqlite,
            PoolKind::Pg(_) => Backend::Postgres,
        }
    }

    /// A connection from the pool, for synchronous callers (CLI, workers, tests).
    pub fn get(&self) -> Result<PooledConn, diesel::r2d2::PoolError> {
        Ok(match &*self.pool {
            PoolKind::Sqlite(p) => PooledConn::Sqlite(p.get()?),
            PoolKind::Pg(p) => PooledConn::Pg(p.get()?),
        })
    }

    /// [`Db::write`] on the calling thread: for the background jobs, which run on threads of
    /// their own. What the transaction queued wakes its workers once it has committed.
    pub fn write_here<T>(&self, f: impl FnOnce(&mut Conn) -> AppResult<T>) -> AppResult<T> {
        // Queue on the gate before taking a connection, so waiting writers hold none.
        let _queued = match &*self.pool {
            PoolKind::Sqlite(_) => Some(
                self.write_gate
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner()),
            ),
            PoolKind::Pg(_) => None,
        };
        let mut pooled = self.get()?;
        let mut conn = pooled.conn();
        let result = conn.write_tx(f);
        conn.take_queued().wake(self);
        result
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> AppResult<T> + Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || {
            let mut pooled = db.get()?;
            f(&mut pooled.conn())
        })
        .await
        .map_err(AppError::from)?
    }

    /// Runs `f` in a write transaction ([`Conn::write_tx`]) on the blocking thread pool.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> AppResult<T> + Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.write_here(f))
            .await
            .map_err(AppError::from)?
    }
}

/// How often the background checkpoint runs (SQLite).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// SQLite writes each commit to its write-ahead log, and a checkpoint copies the log back into
/// the database file. By default the commit that finds the log over 1 000 pages does that
/// copy itself, inside the write lock, so every writer queued behind it waits. Here a thread
/// of its own runs a passive checkpoint (it takes no write lock and waits for nobody) every
/// [`CHECKPOINT_EVERY`]; the connections' own automatic checkpoint stays as a backstop at
/// 10 000 pages (about 40 MB of log). The thread ends with the pool.
fn checkpoint_in_background(pool: std::sync::Weak<PoolKind>) {
    use diesel::connection::SimpleConnection;
    let spawned = std::thread::Builder::new()
        .name("salon-checkpoint".into())
        .spawn(move || loop {
            std::thread::sleep(CHECKPOINT_EVERY);
            let Some(pool) = pool.upgrade() else {
                return;
            };
            if let PoolKind::Sqlite(p) = &*pool {
                if let Ok(mut c) = p.get() {
                    if let Err(e) = c.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
                        tracing::warn!(error = %e, "background checkpoint failed");
                    }
                }
            }
        });
    if let Err(e) = spawned {
        tracing::warn!(error = %e, "no background checkpoint thread; commits will checkpoint");
    }
}

/// The file path of a `sqlite://PATH` URL.
pub fn sqlite_path(url: &str) -> &str {
    url.trim_start_matches("sqlite://")
}

/// Locks the event row for the rest of the write transaction (PostgreSQL), so that every
/// check-then-write on the same event's programme queues behind it. On SQLite the transaction
/// already holds the database write lock.
pub fn lock_event(c: &mut Conn, event_id: i64) -> AppResult<()> {
    use diesel::prelude::*;
    use schema::events;
    if let Link::Pg(pg) = &mut c.link {
        events::table
            .find(event_id)
            .select(events::id)
            .for_update()
            .first::<i64>(&mut **pg)?;
    }
    Ok(())
}

/// UTC now, truncated to microseconds (both backends keep that precision).
pub fn now() -> chrono::NaiveDateTime {
    let now = chrono::Utc::now().naive_utc();
    chrono::DurationRound::duration_trunc(now, chrono::TimeDelta::microseconds(1)).unwrap_or(now)
}
