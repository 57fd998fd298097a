//! The queries of the audit log's table.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::audit_entries;
use crate::db::{Conn, PageRequest};
use crate::{paged, run};

/// An entry to store.
#[derive(Insertable)]
#[diesel(table_name = audit_entries)]
pub struct NewEntry<'a> {
    pub event_id: Option<i64>,
    pub organizer_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub details: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(c: &mut Conn, entry: &NewEntry) -> QueryResult<()> {
    run!(c, |c| diesel::insert_into(audit_entries::table)
        .values(entry)
        .execute(c))?;
    Ok(())
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_entries)]
pub struct AuditRow {
    pub id: i64,
    pub event_id: Option<i64>,
    pub organizer_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub details: String,
    pub created_at: NaiveDateTime,
}

/// One page of the log, everything or one event's, oldest first (newest with `-created_at`),
/// and the total.
pub fn page(
    c: &mut Conn,
    event_id: Option<i64>,
    req: &PageRequest,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    let desc = req.sort.as_ref().is_some_and(|(_, d)| *d);
    paged!(
        c,
        req,
        AuditRow,
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
