//! The audit log: who changed what, when. Every organizer write records an entry in the same
//! transaction as the change, so the log and the data never disagree. The whole log is
//! `GET /api/v1/audit`; an event's own is served by the events area from [`page`].

use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::schema::audit_entries;
use crate::db::Conn;
use crate::db::PageRequest;
use crate::domain::Role;
use crate::error::AppResult;
use crate::web::identity::Organizer;
use crate::web::list::{ListParams, Page};
use crate::web::AppState;
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
    let now = crate::db::now();
    let details = details.to_string();
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

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = audit_entries)]
struct AuditRow {
    id: i64,
    event_id: Option<i64>,
    organizer_id: Option<i64>,
    action: String,
    entity: String,
    entity_id: Option<i64>,
    details: String,
    created_at: NaiveDateTime,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub event_id: Option<i64>,
    /// Null for changes made from the command line or by the demo loader.
    pub organizer_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// One page of the log, everything or one event's (`event_id`).
pub fn page(c: &mut Conn, event_id: Option<i64>, req: &PageRequest) -> AppResult<Page<AuditEntry>> {
    let desc = req.sort.as_ref().is_some_and(|(_, d)| *d);
    let (rows, total) = paged!(
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
    )?;
    let items = rows
        .into_iter()
        .map(|r| AuditEntry {
            id: r.id,
            event_id: r.event_id,
            organizer_id: r.organizer_id,
            action: r.action,
            entity: r.entity,
            entity_id: r.entity_id,
            details: serde_json::from_str(&r.details).unwrap_or(serde_json::Value::Null),
            created_at: r.created_at.and_utc(),
        })
        .collect();
    Ok(Page::new(items, total, req))
}

/// The sort keys of the audit log.
pub const SORTS: &[&str] = &["created_at"];

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(ListParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 401), (status = 403)),
    security(("bearer" = [])))]
pub async fn list_all(
    state: web::Data<AppState>,
    who: Organizer,
    params: crate::web::query::Query<ListParams>,
) -> AppResult<HttpResponse> {
    who.require(Role::Admin)?;
    let req = params.validate(SORTS)?;
    let page = state.db.run(move |c| page(c, None, &req)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The audit log of the whole instance (an event's own is under `events`).
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.list(__path_list_all, list_all, SORTS);
}
