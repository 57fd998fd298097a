//! The shape of an organizer's change to something of an event: one write transaction that
//! locks the event (so every check-then-write on it queues), does the change, and records who
//! did it in the audit log — the log and the data never disagree.

use crate::audit;
use crate::config::Settings;
use crate::db::{Conn, Db};
use crate::domain::{Role, Slug};
use crate::error::{AppError, AppResult};
use crate::web::identity::Organizer;
use crate::web::AppState;

use super::model::EventStatus;
use super::store::{self, EventFields};
use super::Event;

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

/// The version of an event as a writer names it (`If-Match`, a console form's `version`): its
/// last change, to the microsecond.
pub fn version(event: &Event) -> String {
    event.updated_at.and_utc().timestamp_micros().to_string()
}

/// 412 unless the event is still at `expected` (no expectation: any version).
pub fn check_version(event: &Event, expected: Option<&str>) -> AppResult<()> {
    match expected {
        Some(v) if v != version(event) => Err(AppError::PreconditionFailed(format!(
            "the event was changed at {} UTC since this version",
            event.updated_at.format("%Y-%m-%d %H:%M:%S")
        ))),
        _ => Ok(()),
    }
}

/// An editor creates a fair, as a draft.
pub async fn create(db: &Db, who: &Organizer, slug: Slug, fields: EventFields) -> AppResult<Event> {
    who.require(Role::Editor)?;
    let who = who.id;
    db.write(move |c| {
        let event = store::insert(c, slug.as_str(), &fields)?;
        audit::record(
            c,
            Some(who),
            Some(event.id),
            "create",
            "event",
            Some(event.id),
            serde_json::json!({"slug": event.slug}),
        )?;
        Ok(event)
    })
    .await
}

/// An editor changes the fair `slug` (at version `expected`, when given): `edit` makes the new
/// fields from the event as it is, and every area's hook checks or follows the change in the same
/// transaction.
pub async fn update<F>(
    db: &Db,
    hooks: std::sync::Arc<super::Hooks>,
    settings: std::sync::Arc<Settings>,
    who: &Organizer,
    slug: String,
    expected: Option<String>,
    edit: F,
) -> AppResult<Event>
where
    F: FnOnce(&Event) -> AppResult<EventFields> + Send + 'static,
{
    who.require(Role::Editor)?;
    let change = Change::new("update", "event");
    self::change(db, who, slug, change, move |c, event| {
        check_version(event, expected.as_deref())?;
        let fields = edit(event)?;
        let updated = store::update(c, event, &fields)?;
        let edit = super::Edit {
            before: event,
            after: &updated,
        };
        hooks.run(c, &settings, edit)?;
        Ok((updated, Record::of(event.id)))
    })
    .await
}

/// An editor publishes the draft `slug`; 409 when it is published already.
pub async fn publish(db: &Db, who: &Organizer, slug: String) -> AppResult<Event> {
    who.require(Role::Editor)?;
    let change = Change::new("publish", "event");
    self::change(db, who, slug, change, move |c, event| {
        let next = EventStatus::Published;
        if !event.status.can_become(next) {
            return Err(AppError::Conflict(format!(
                "an event cannot go from {} to {}",
                event.status.as_str(),
                next.as_str()
            )));
        }
        store::set_status(c, event.id, next)?;
        Ok((store::find(c, event.id)?, Record::of(event.id)))
    })
    .await
}

/// An editor deletes the draft `slug` and everything in it (its rooms, sessions, registrations
/// and the rest go with it); 409 for a published fair, which stays for its attendees.
pub async fn delete_draft(
    db: &Db,
    who: &Organizer,
    slug: String,
    expected: Option<String>,
) -> AppResult<()> {
    who.require(Role::Editor)?;
    let who = who.id;
    db.write(move |c| {
        let event = store::lock(c, &slug)?;
        check_version(&event, expected.as_deref())?;
        if event.is_published() {
            return Err(AppError::Conflict(
                "a published event cannot be deleted; only a draft can".into(),
            ));
        }
        store::delete(c, event.id)?;
        audit::record(
            c,
            Some(who),
            None,
            "delete",
            "event",
            Some(event.id),
            serde_json::json!({"slug": event.slug}),
        )?;
        Ok(())
    })
    .await
}
