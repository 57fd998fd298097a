//! The audit log: who changed what, when. Every organizer write records an entry in the same
//! transaction as the change, so the log and the data never disagree. The whole log is
//! `GET /api/v1/audit`; an event's own is served by the events area from [`page`].

mod model;
mod store;

use actix_web::HttpResponse;

use crate::db::{Conn, PageRequest};
use crate::domain::Role;
use crate::error::AppResult;
use crate::web::identity::Organizer;
use crate::web::list::{ListParams, Page};
use crate::web::{Reply, State};

pub use model::AuditEntry;
pub use store::{actions, filtered, record, Filter};

/// One page of the log, everything or one event's (`event_id`).
pub fn page(c: &mut Conn, event_id: Option<i64>, req: &PageRequest) -> AppResult<Page<AuditEntry>> {
    let (items, total) = store::page(c, event_id, req)?;
    Ok(Page::new(items, total, req))
}

/// The sort keys of the audit log.
pub const SORTS: &[&str] = &["created_at"];

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(ListParams),
    responses((status = 200, body = Page<AuditEntry>), (status = 401), (status = 403)),
    security(("bearer" = [])))]
pub async fn list_all(
    state: State,
    who: Organizer,
    params: crate::web::query::Query<ListParams>,
) -> Reply {
    who.require(Role::Admin)?;
    let req = params.validate(SORTS)?;
    let page = state.db.run(move |c| page(c, None, &req)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The audit log of the whole instance (an event's own is under `events`).
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.list(__path_list_all, list_all, SORTS);
}
