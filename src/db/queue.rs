//! Leased work queues: the outbox's emails and the webhooks' deliveries are rows that a sender
//! claims for a while, sends, then marks done or due again.
//!
//! A queue table has an `id`, a `status` (`pending`, `sending`, then the area's own end
//! states), a `next_attempt_at` and a `locked_until`. A row is due when it is pending and its
//! time has come, or when it is `sending` under a lease that ran out (its sender died). The
//! area's `store.rs` names its table and reads the rows it claimed; the claim itself is the same
//! for every queue, and is here.

use chrono::NaiveDateTime;
use diesel::sql_types::{BigInt, Timestamp};
use diesel::{QueryableByName, RunQueryDsl};

use super::{Conn, Link};

/// One queue table, named by its area's store.
pub struct Queue {
    /// The table's name: a constant, never input.
    pub table: &'static str,
    /// A further SQL condition on a due row (`TRUE` for none): a constant, never input.
    pub also: &'static str,
    /// Further assignments made when a row is queued again, with `$1` for the time (empty for
    /// none): a constant, never input.
    pub on_requeue: &'static str,
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The terms of a claim: the rows due at `now`, at most `limit` of them, leased until `until`.
#[derive(Debug, Clone, Copy)]
pub struct Lease {
    pub now: NaiveDateTime,
    pub limit: i64,
    pub until: NaiveDateTime,
}

/// Claims the rows of `queue` that `lease` allows, oldest first: they become `sending`, leased
/// until `lease.until`, and `load` reads them by their ids (ascending; never called with none).
/// Call inside a write transaction: on PostgreSQL the rows are read `FOR UPDATE SKIP LOCKED`,
/// so that senders running at once claim different rows; on SQLite the transaction holds the
/// database.
pub fn claim<T>(
    c: &mut Conn,
    queue: &Queue,
    lease: Lease,
    load: impl FnOnce(&mut Conn, &[i64]) -> diesel::QueryResult<Vec<T>>,
) -> diesel::QueryResult<Vec<T>> {
    let lock = match c.link {
        Link::Pg(_) => " FOR UPDATE SKIP LOCKED",
        Link::Sqlite(_) => "",
    };
    // `$1`, `$2`, `$3` stand first in that order: PostgreSQL numbers them, and SQLite gives a
    // named parameter the next number where it first stands.
    let sql = format!(
        "UPDATE {t} SET status = 'sending', locked_until = $1 WHERE id IN (\
         SELECT id FROM {t} WHERE ((status = 'pending' AND next_attempt_at <= $2) \
         OR (status = 'sending' AND locked_until < $2)) AND ({also}) \
         ORDER BY id LIMIT $3{lock}) RETURNING id",
        t = queue.table,
        also = queue.also,
    );
    let query = diesel::sql_query(sql)
        .bind::<Timestamp, _>(lease.until)
        .bind::<Timestamp, _>(lease.now)
        .bind::<BigInt, _>(lease.limit);
    let claimed: Vec<Claimed> = crate::run!(c, |c| query.load(c))?;
    let mut ids: Vec<i64> = claimed.into_iter().map(|r| r.id).collect();
    if ids.is_empty() {
        return Ok(vec![]);
    }
    ids.sort_unstable();
    load(c, &ids)
}

/// Queues row `id` of `queue` again, due at `now`, its attempts counted afresh and its lease
/// dropped (an organizer's retry or replay).
pub fn requeue(
    c: &mut Conn,
    queue: &Queue,
    id: i64,
    now: NaiveDateTime,
) -> diesel::QueryResult<usize> {
    let sql = format!(
        "UPDATE {t} SET status = 'pending', attempts = 0, next_attempt_at = $1, \
         locked_until = NULL{more} WHERE id = $2",
        t = queue.table,
        more = queue.on_requeue,
    );
    let query = diesel::sql_query(sql)
        .bind::<Timestamp, _>(now)
        .bind::<BigInt, _>(id);
    crate::run!(c, |c| query.execute(c))
}
