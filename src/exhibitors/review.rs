//! The organizers' side of applications, and the directory: `GET …/exhibitors` (every
//! application for organizers, the approved ones' public fields for the public),
//! `POST …/exhibitors/{id}/approve|reject`, `PUT …/exhibitors/{id}/booth`,
//! `PATCH …/exhibitors/{id}` (payment) and `DELETE …/exhibitors/{id}` (erasure).

use actix_web::HttpResponse;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::booths::{booth_code, booth_code_or_null};
use super::model::{ExhibitorRow, PaymentStatus, PublicExhibitor, ReviewedExhibitor, Status};
use super::{service, store};
use crate::audit;
use crate::config::Settings;
use crate::db::{Conn, PageRequest};
use crate::domain::text::{Check, Rule};
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::events::service::Erasure;
use crate::events::store as events;
use crate::events::Event;
use crate::web::identity::{OnItem, OptionalOrganizer, Organizer};
use crate::web::json::Json;
use crate::web::list::{ListParams, Page};
use crate::web::query::Query;
use crate::web::{ItemPath, Reply, SlugPath, State};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExhibitorFilters {
    /// Organizers only.
    pub status: Option<Status>,
}

/// The sort keys of the exhibitor list.
pub const SORTS: &[&str] = &["company_name", "created_at"];

#[utoipa::path(get, path = "/api/v1/events/{slug}/exhibitors", tag = "exhibitors",
    params(("slug" = String, Path), ListParams, ExhibitorFilters),
    responses((status = 200, body = Page<PublicExhibitor>, description = "the public: approved exhibitors, public fields only; organizers: every application (`ExhibitorOut`). sort: company_name, created_at"), (status = 404)))]
pub async fn list(
    state: State,
    who: OptionalOrganizer,
    slug: SlugPath,
    params: Query<ListParams>,
    filters: Query<ExhibitorFilters>,
) -> Reply {
    let req = params.validate(SORTS)?;
    let organizer = who.can_view();
    let status = if organizer {
        filters.status
    } else {
        Some(Status::Approved)
    };
    let body = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, organizer)?;
            // The public searches only the directory's own fields (never contact names or
            // emails), in memory: approved exhibitors are few.
            let sql_like = if organizer { req.like.clone() } else { None };
            let public_needle = if organizer { None } else { req.needle.clone() };
            // A public search reads every approved exhibitor, then pages what it found.
            let everything = PageRequest {
                page: 1,
                per_page: i64::from(u32::MAX),
                ..req.clone()
            };
            let whole = if public_needle.is_some() {
                &everything
            } else {
                &req
            };
            let (mut rows, total) = store::page(c, event.id, whole, status, sql_like.as_deref())?;
            if organizer {
                let items = rows
                    .iter()
                    .map(|r| service::out(c, &event, r))
                    .collect::<AppResult<Vec<_>>>()?;
                return Ok(serde_json::to_value(Page::new(items, total, &req))
                    .map_err(anyhow::Error::from)?);
            }
            if let Some(needle) = &public_needle {
                let hit = |v: &Option<String>| {
                    v.as_ref()
                        .is_some_and(|t| t.to_lowercase().contains(needle.as_str()))
                };
                rows.retain(|r| {
                    r.profile
                        .company_name
                        .to_lowercase()
                        .contains(needle.as_str())
                        || hit(&r.profile.sector)
                        || hit(&r.profile.description)
                        || hit(&r.profile.country)
                });
            }
            let total = if public_needle.is_some() {
                rows.len() as i64
            } else {
                total
            };
            let rows: Vec<ExhibitorRow> = if public_needle.is_some() {
                rows.into_iter()
                    .skip(req.offset() as usize)
                    .take(req.per_page as usize)
                    .collect()
            } else {
                rows
            };
            let items = rows
                .into_iter()
                .map(|r| service::public_view(c, r))
                .collect::<AppResult<Vec<_>>>()?;
            Ok(serde_json::to_value(Page::new(items, total, &req)).map_err(anyhow::Error::from)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    #[schema(schema_with = booth_code_or_null)]
    pub booth_code: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    #[schema(required = true, nullable = false)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoothRequest {
    #[schema(required = true, schema_with = booth_code)]
    pub booth_code: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExhibitorPatch {
    #[schema(nullable = false)]
    pub payment_status: Option<PaymentStatus>,
    /// How many meetings the exhibitor holds at once at its booth (SPEC §4.4); 0 takes none.
    #[schema(nullable = false, minimum = 0, maximum = 50)]
    pub meeting_tables: Option<i32>,
}

/// A review step's own work: given the fair (locked) and the exhibitor, the exhibitor as it
/// leaves it.
pub trait Step:
    FnOnce(&mut Conn, &Settings, &Event, &ExhibitorRow) -> AppResult<ExhibitorRow>
{
}

impl<F> Step for F where
    F: FnOnce(&mut Conn, &Settings, &Event, &ExhibitorRow) -> AppResult<ExhibitorRow>
{
}

/// Runs one review step on an exhibitor in a write transaction, with its audit entry, once
/// the caller's role and the request's fields (`check`) are found good.
async fn review(
    on: OnItem,
    check: Check,
    action: &'static str,
    step: impl Step + Send + 'static,
) -> Reply {
    check.done().map_err(AppError::Validation)?;
    on.who.require(Role::Editor)?;
    let (settings, by, slug, id) = (on.state.settings.clone(), on.who.id, on.slug, on.id);
    let out = (on.state.db)
        .write(move |c| {
            let ex = review_step(c, &settings, by, &slug, id, action, step)?;
            let event = events::find(c, ex.event_id)?;
            Ok(ReviewedExhibitor {
                warnings: service::booth_warnings(c, &ex)?,
                exhibitor: service::out(c, &event, &ex)?,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// One review step (`action`: approve, reject, assign_booth, payment) by organizer `who` on
/// exhibitor `id` of the fair `slug`, the event locked, with its audit entry: the API's routes
/// and the console's forms both come here. The exhibitor as the step left it.
pub fn review_step(
    c: &mut Conn,
    settings: &Settings,
    who: i64,
    slug: &str,
    id: i64,
    action: &'static str,
    step: impl Step,
) -> AppResult<ExhibitorRow> {
    let event = events::lock(c, slug)?;
    let ex = store::find(c, event.id, id)?;
    let ex = step(c, settings, &event, &ex)?;
    audit::record(
        c,
        Some(who),
        Some(event.id),
        action,
        "exhibitor",
        Some(id),
        serde_json::json!({"status": ex.status, "booth_id": ex.booth_id, "payment_status": ex.payment_status}),
    )?;
    Ok(ex)
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/exhibitors/{id}/approve", tag = "exhibitors",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = ApproveRequest,
    responses((status = 200, body = ReviewedExhibitor, description = "approved and emailed; `warnings` says when the booth is smaller than the area asked for, or of another kind"), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "not submitted, or the booth is taken"), (status = 422)),
    security(("bearer" = [])))]
pub async fn approve(on: OnItem, body: Json<ApproveRequest>) -> Reply {
    let body = body.into_checked().await?;
    review(on, Check::default(), "approve", move |c, s, e, ex| {
        service::approve(c, s, e, ex, body.booth_code.as_deref())
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/exhibitors/{id}/reject", tag = "exhibitors",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = RejectRequest,
    responses((status = 200, body = ReviewedExhibitor), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn reject(on: OnItem, body: Json<RejectRequest>) -> Reply {
    let (body, mut check) = body.into_parts().await?;
    let reason = check.required("reason", body.reason);
    let reason = check.long_text("reason", reason.as_deref(), 2000);
    if reason.is_none() && !check.has("reason") {
        check.push(crate::domain::FieldError::rule("reason", Rule::Empty));
    }
    review(on, check, "reject", move |c, s, e, ex| {
        service::reject(c, s, e, ex, &reason.unwrap_or_default())
    })
    .await
}

#[utoipa::path(put, path = "/api/v1/events/{slug}/exhibitors/{id}/booth", tag = "exhibitors",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = BoothRequest,
    responses((status = 200, body = ReviewedExhibitor, description = "moved and emailed; `warnings` as for an approval"), (status = 401), (status = 403), (status = 404), (status = 409, description = "booth taken, or not approved"), (status = 422)),
    security(("bearer" = [])))]
pub async fn set_booth(on: OnItem, body: Json<BoothRequest>) -> Reply {
    let (body, mut check) = body.into_parts().await?;
    let code = check.text("booth_code", body.booth_code, 16);
    review(on, check, "assign_booth", move |c, s, e, ex| {
        service::reassign(c, s, e, ex, &code.unwrap_or_default())
    })
    .await
}

#[utoipa::path(patch, path = "/api/v1/events/{slug}/exhibitors/{id}", tag = "exhibitors",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = ExhibitorPatch,
    responses((status = 200, body = ReviewedExhibitor), (status = 401), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn update(on: OnItem, body: Json<ExhibitorPatch>) -> Reply {
    let (body, mut check) = body.into_parts().await?;
    let tables = check
        .range("meeting_tables", body.meeting_tables.map(i64::from), 0, 50)
        .map(|t| t as i32);
    let payment = body.payment_status;
    let action = if payment.is_some() {
        "payment"
    } else {
        "update"
    };
    review(on, check, action, move |c, _, _, ex| {
        if let Some(payment) = payment {
            store::set_payment(c, ex.id, payment)?;
        }
        if let Some(tables) = tables {
            store::set_meeting_tables(c, ex.id, tables)?;
        }
        Ok(store::find_by_id(c, ex.id)?)
    })
    .await
}

#[utoipa::path(delete, path = "/api/v1/events/{slug}/exhibitors/{id}", tag = "exhibitors",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 204, description = "the contact's personal data is erased (withdrawn first if still in the running: booth freed, staff passes cancelled); the company profile stays"),
        (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn erase(state: State, who: Organizer, path: ItemPath) -> Reply {
    let erasure = Erasure::new("exhibitor", service::erase_by_id);
    crate::events::service::erase(&state, &who, path.into_inner(), erasure).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The exhibitor list and the organizers' review.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.list(__path_list, list, SORTS);
    r.add(__path_update, update);
    r.add(__path_erase, erase);
    r.add(__path_approve, approve);
    r.add(__path_reject, reject);
    r.add(__path_set_booth, set_booth);
}
