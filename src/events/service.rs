//! The shape of an organizer's change to something of an event: one write transaction that
//! locks the event (so every check-then-write on it queues), does the change, and records who
//! did it in the audit log — the log and the data never disagree.

use crate::audit;
use crate::config::Settings;
use crate::db::{Conn, Db};
use crate::domain::Role;
use crate::error::AppResult;
use crate::web::identity::Organizer;
use crate::web::AppState;

use super::{store, Event};

/// What the audit log records of a change: `action` on an `entity`…
#[derive(Debug, Clone, Copy)]
pub struct Change {
    pub action: &'static str,
    pub entity: &'static str,
}

impl Change {
    pub fn new(action: &'static str, entity: &'static str) -> Change {
        Change { action, entity }
    }
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

/// Something of an event whose personal data organizers erase by id (an attendee's
/// registration, an exhibitor's application): only counts remain.
#[derive(Clone, Copy)]
pub struct Erasure {
    /// For the audit log (`registration`).
    pub entity: &'static str,
    /// Erases the event's `id` (404 when it is not the event's).
    pub erase: fn(&mut Conn, &Settings, &Event, i64) -> AppResult<()>,
}

impl Erasure {
    pub fn new(
        entity: &'static str,
        erase: fn(&mut Conn, &Settings, &Event, i64) -> AppResult<()>,
    ) -> Erasure {
        Erasure { entity, erase }
    }
}

/// An editor erases `id` of the event `slug`, audited.
pub async fn erase(
    state: &AppState,
    who: &Organizer,
    (slug, id): (String, i64),
    erasure: Erasure,
) -> AppResult<()> {
    who.require(Role::Editor)?;
    let settings = state.settings.clone();
    let change = Change::new("erase", erasure.entity);
    self::change(&state.db, who, slug, change, move |c, event| {
        (erasure.erase)(c, &settings, event, id)?;
        Ok(((), Record::of(id)))
    })
    .await
}
