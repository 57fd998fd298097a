//! The queries of the audit log's table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::AuditEntry;
use crate::db::schema::audit_entries;
use crate::db::{Conn, PageRequest};
use crate::{paged, run};

/// Records one entry. `organizer_id` is `None` for the CLI and the demo loader.
pub fn record(
    c: &mut Conn,
    organizer_id: Option<i64>,
    event_id: Option<i64>,
    action: &str,
    entity: &str,
    entity_id: Option<i64>,
    details: serde_json::Value,
) -> QueryResult<()> {
    let (details, now) = (details.to_string(), crate::db::now());
    run!(c, |c| diesel::insert_into(audit_entries::table)
        .values((
            audit_entries::event_id.eq(event_id),
            audit_entries::organizer_id.eq(organizer_id),
            audit_entries::action.eq(action),
            audit_entries::entity.eq(entity),
            audit_entries::entity_id.eq(entity_id),
            audit_entries::details.eq(&details),
            audit_entries::created_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// One page of the log, everything or one event's, oldest first (newest with `-created_at`),
/// and the total.
/// What the console's audit page filters on: who, which action, from and to (UTC, inclusive).
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Only this fair's entries.
    pub event_id: Option<i64>,
    pub organizer_id: Option<i64>,
    pub action: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

/// The newest `limit` entries that pass `filter`.
pub fn filtered(c: &mut Conn, filter: &Filter, limit: i64) -> QueryResult<Vec<AuditEntry>> {
    run!(c, |c| {
        let mut q = audit_entries::table.into_boxed();
        if let Some(id) = filter.event_id {
            q = q.filter(audit_entries::event_id.eq(id));
        }
        if let Some(id) = filter.organizer_id {
            q = q.filter(audit_entries::organizer_id.eq(id));
        }
        if let Some(action) = &filter.action {
            q = q.filter(audit_entries::action.eq(action.clone()));
        }
        if let Some(from) = filter.from {
            q = q.filter(audit_entries::created_at.ge(from));
        }
        if let Some(to) = filter.to {
            q = q.filter(audit_entries::created_at.le(to));
        }
        q.order(audit_entries::id.desc())
            .limit(limit)
            .select(AuditEntry::as_select())
            .load(c)
    })
}

/// The actions the log holds, for the page's filter.
pub fn actions(c: &mut Conn) -> QueryResult<Vec<String>> {
    run!(c, |c| audit_entries::table
        .select(audit_entries::action)
        .distinct()
        .order(audit_entries::action.asc())
        .load(c))
}

pub fn page(
    c: &mut Conn,
    event_id: Option<i64>,
    req: &PageRequest,
) -> QueryResult<(Vec<AuditEntry>, i64)> {
    let desc = req.sort.as_ref().is_some_and(|(_, d)| *d);
    paged!(
        c,
        req,
        AuditEntry,
        || {
            let mut q = audit_entries::table.into_boxed();
            if let Some(id) = event_id {
                q = q.filter(audit_entries::event_id.eq(id));
            }
            q
        },
        |q| if desc {
            q.order(audit_entries::id.desc())
        } else {
            q.order(audit_entries::id.asc())
        }
    )
}
