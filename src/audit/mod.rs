//! The audit log: who changed what, when. Every organizer write records an entry in the same
//! transaction as the change, so the log and the data never disagree. The whole log is
//! `GET /api/v1/audit`; an event's own is served by the events area from [`page`].

mod store;

use actix_web::{web, HttpResponse};
use diesel::QueryResult;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Conn;
use crate::db::PageRequest;
use crate::domain::Role;
use crate::error::AppResult;
use crate::web::identity::Organizer;
use crate::web::list::{ListParams, Page};
use crate::web::AppState;

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
    store::insert(
        c,
        &store::NewEntry {
            event_id,
            organizer_id,
            action,
            entity,
            entity_id,
            details: details.to_string(),
            created_at: crate::db::now(),
        },
    )
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
    let (rows, total) = store::page(c, event_id, req)?;
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
