//! The shape of an organizer's change to something of an event: one write transaction that
//! locks the event (so every check-then-write on it queues), does the change, and records who
//! did it in the audit log — the log and the data never disagree.

use crate::audit;
use crate::db::{Conn, Db};
use crate::error::AppResult;
use crate::web::identity::Organizer;

use super::{store, Event};

/// What the audit log records of a change: `action` on an `entity`…
#[derive(Debug, Clone, Copy)]
pub struct Change {
    pub action: &'static str,
    pub entity: &'static str,
}

/// …which one, and the details worth keeping.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: Option<i64>,
    pub details: serde_json::Value,
}

impl Record {
    /// Entity `id`, no details.
    pub fn of(id: i64) -> Record {
        Record {
            id: Some(id),
            details: serde_json::json!({}),
        }
    }
}

/// Runs `f` on the locked event `slug` in one write transaction, then records `change` by `who`
/// as `f` says (which entity, what details) beside its output.
pub async fn change<T, F>(
    db: &Db,
    who: &Organizer,
    slug: String,
    change: Change,
    f: F,
) -> AppResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut Conn, &Event) -> AppResult<(T, Record)> + Send + 'static,
{
    let who = who.id;
    db.write(move |c| {
        let event = store::lock(c, &slug)?;
        let (out, record) = f(c, &event)?;
        audit::record(
            c,
            Some(who),
            Some(event.id),
            change.action,
            change.entity,
            record.id,
            record.details,
        )?;
        Ok(out)
    })
    .await
}
