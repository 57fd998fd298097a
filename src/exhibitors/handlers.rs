//! The public application and confirmation, the directory and the organizers' review:
//! `POST …/exhibitors`, `POST /exhibitors/confirm`, `GET …/exhibitors`,
//! `POST …/exhibitors/{id}/approve|reject`, `PUT …/exhibitors/{id}/booth`, `PATCH …/exhibitors/{id}`.

use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::booths::{self, BoothKind};
use super::model::{ExhibitorOut, ExhibitorRow, PaymentStatus, PublicExhibitor, Status};
use super::service::{self, Application};
use crate::audit;
use crate::db::schema::exhibitors;
use crate::domain::text::{optional_text, short_text};
use crate::domain::{EmailAddress, Language, Role, Translatable};
use crate::error::{AppError, AppResult, FieldError};
use crate::events::queries as events;
use crate::run;
use crate::web::identity::{OptionalOrganizer, Organizer};
use crate::web::json::Json;
use crate::web::list::{ListParams, Page};
use crate::web::query::Query;
use crate::web::AppState;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewExhibitor {
    pub company_name: String,
    pub contact_name: String,
    #[schema(value_type = String, format = "email")]
    pub email: EmailAddress,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub website: Option<String>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub sector: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub booth_kind: BoothKind,
    pub booth_area_m2: i32,
    #[serde(default)]
    pub language: Option<Language>,
    #[serde(default)]
    pub consent: bool,
}

pub fn application(body: NewExhibitor, event: &crate::events::Event) -> AppResult<Application> {
    let mut errors = Vec::new();
    let company_name = short_text("company_name", &body.company_name, 200, &mut errors);
    let contact_name = short_text("contact_name", &body.contact_name, 200, &mut errors);
    let website = optional_text("website", body.website.as_deref(), 300, &mut errors);
    let website = crate::domain::text::website(website, &mut errors);
    let description = body
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 2000)
    {
        errors.push(FieldError::new(
            "description",
            "must be at most 2000 characters",
        ));
    }
    if !(1..=10_000).contains(&body.booth_area_m2) {
        errors.push(FieldError::new(
            "booth_area_m2",
            "must be between 1 and 10000",
        ));
    }
    if !body.consent {
        errors.push(FieldError::new(
            "consent",
            "must be true: applying needs your consent to the processing of your data",
        ));
    }
    let a = Application {
        company_name,
        contact_name,
        email: body.email,
        phone: optional_text("phone", body.phone.as_deref(), 30, &mut errors),
        website,
        country: optional_text("country", body.country.as_deref(), 100, &mut errors),
        sector: optional_text("sector", body.sector.as_deref(), 100, &mut errors),
        description,
        booth_kind: body.booth_kind,
        booth_area_m2: body.booth_area_m2,
        language: event.language_for(body.language),
    };
    if errors.is_empty() {
        Ok(a)
    } else {
        Err(AppError::Validation(errors))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub status: &'static str,
    pub detail: &'static str,
}

const ACCEPTED: Accepted = Accepted {
    status: "accepted",
    detail: "Thank you. Please check your email to confirm your application.",
};

#[utoipa::path(post, path = "/api/v1/events/{slug}/exhibitors", tag = "exhibitors",
    params(("slug" = String, Path)), request_body = NewExhibitor,
    responses((status = 202, body = Accepted, description = "the same answer whether or not the email already applied"), (status = 404), (status = 422), (status = 429)))]
pub async fn apply(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    Json(body): Json<NewExhibitor>,
) -> AppResult<HttpResponse> {
    state.limiter.check(&req)?;
    submit(&state, slug.into_inner(), body).await?;
    Ok(HttpResponse::Accepted().json(ACCEPTED))
}

/// Shared by the API and the `/events/{slug}/exhibit` form.
pub async fn submit(
    state: &web::Data<AppState>,
    slug: String,
    body: NewExhibitor,
) -> AppResult<()> {
    let settings = state.settings.clone();
    state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            if !event.is_published() {
                return Err(AppError::not_found(format!("no event `{slug}`")));
            }
            let a = application(body, &event)?;
            service::apply(c, &settings, &event, &a)
        })
        .await?;
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    pub token: String,
}

#[utoipa::path(post, path = "/api/v1/exhibitors/confirm", tag = "exhibitors",
    request_body = ConfirmRequest,
    responses((status = 200, body = ExhibitorOut, description = "submitted; the event's contact is emailed"),
        (status = 404), (status = 409), (status = 410), (status = 429)))]
pub async fn confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    Json(body): Json<ConfirmRequest>,
) -> AppResult<HttpResponse> {
    state.limiter.check(&req)?;
    let out = confirm_token(&state, body.token).await?;
    Ok(HttpResponse::Ok().json(out))
}

pub async fn confirm_token(state: &web::Data<AppState>, token: String) -> AppResult<ExhibitorOut> {
    let settings = state.settings.clone();
    let out = state
        .db
        .write(move |c| {
            let (event, ex) = service::confirm(c, &settings, &token)?;
            service::out(c, &event, &ex)
        })
        .await?;
    Ok(out)
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExhibitorFilters {
    /// Organizers only.
    pub status: Option<Status>,
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/exhibitors", tag = "exhibitors",
    params(("slug" = String, Path), ListParams, ExhibitorFilters),
    responses((status = 200, body = Page<PublicExhibitor>, description = "the public: approved exhibitors, public fields only; organizers: every application (`ExhibitorOut`). sort: company_name, created_at"), (status = 404)))]
pub async fn list(
    state: web::Data<AppState>,
    who: OptionalOrganizer,
    slug: web::Path<String>,
    params: Query<ListParams>,
    filters: Query<ExhibitorFilters>,
) -> AppResult<HttpResponse> {
    let req = params.validate(&["company_name", "created_at"])?;
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
            let (mut rows, total) = run!(c, |c| {
                let filtered = || {
                    let mut q = exhibitors::table
                        .filter(exhibitors::event_id.eq(event.id))
                        .into_boxed();
                    if let Some(s) = status {
                        q = q.filter(exhibitors::status.eq(s.as_str()));
                    }
                    if let Some(like) = &sql_like {
                        q = q.filter(exhibitors::search_text.like(like.clone()).escape('\\'));
                    }
                    q
                };
                let q = match req.sort.as_ref().map(|(k, d)| (k.as_str(), *d)) {
                    Some(("company_name", false)) => {
                        filtered().order((exhibitors::company_name.asc(), exhibitors::id.asc()))
                    }
                    Some(("company_name", true)) => {
                        filtered().order((exhibitors::company_name.desc(), exhibitors::id.desc()))
                    }
                    Some((_, true)) => filtered().order(exhibitors::id.desc()),
                    _ => filtered().order(exhibitors::id.asc()),
                };
                let q = q.select(ExhibitorRow::as_select());
                let rows: Vec<ExhibitorRow> = if public_needle.is_some() {
                    q.load(c)?
                } else {
                    q.limit(req.per_page).offset(req.offset()).load(c)?
                };
                let total: i64 = filtered().count().get_result(c)?;
                QueryResult::Ok((rows, total))
            })?;
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
                    r.company_name.to_lowercase().contains(needle.as_str())
                        || hit(&r.sector)
                        || hit(&r.description)
                        || hit(&r.country)
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
            let mut items = Vec::new();
            for r in rows {
                let booth = match r.booth_id {
                    Some(id) => Some(booths::find(c, event.id, id)?),
                    None => None,
                };
                items.push(PublicExhibitor {
                    company_name: r.company_name,
                    website: r.website,
                    country: r.country,
                    sector: r.sector,
                    description: r.description,
                    booth_code: booth.as_ref().map(|b| b.code.clone()),
                    hall: booth.as_ref().map(|b| Translatable::from_db(&b.hall)),
                });
            }
            Ok(serde_json::to_value(Page::new(items, total, &req)).map_err(anyhow::Error::from)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    #[serde(default)]
    pub booth_code: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BoothRequest {
    pub booth_code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExhibitorPatch {
    pub payment_status: PaymentStatus,
}

/// Runs one review step on an exhibitor in a write transaction, with its audit entry.
async fn review(
    state: web::Data<AppState>,
    who: Organizer,
    slug: String,
    id: i64,
    action: &'static str,
    step: impl FnOnce(
            &mut crate::db::Conn,
            &crate::config::Settings,
            &crate::events::Event,
            &ExhibitorRow,
        ) -> AppResult<ExhibitorRow>
        + Send
        + 'static,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let settings = state.settings.clone();
    let out = state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            let ex = service::find(c, event.id, id)?;
            let ex = step(c, &settings, &event, &ex)?;
            audit::record(c, Some(who.id), Some(event.id), action, "exhibitor", Some(id), serde_json::json!({"status": ex.status, "booth_id": ex.booth_id, "payment_status": ex.payment_status}))?;
            service::out(c, &event, &ex)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/exhibitors/{id}/approve", tag = "exhibitors",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = ApproveRequest,
    responses((status = 200, body = ExhibitorOut), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "not submitted, or the booth is taken"), (status = 422)),
    security(("bearer" = [])))]
pub async fn approve(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
    Json(body): Json<ApproveRequest>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    review(state, who, slug, id, "approve", move |c, s, e, ex| {
        service::approve(c, s, e, ex, body.booth_code.as_deref())
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/exhibitors/{id}/reject", tag = "exhibitors",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = RejectRequest,
    responses((status = 200, body = ExhibitorOut), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn reject(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
    Json(body): Json<RejectRequest>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let mut errors = Vec::new();
    let reason = short_text("reason", &body.reason, 2000, &mut errors);
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    review(state, who, slug, id, "reject", move |c, s, e, ex| {
        service::reject(c, s, e, ex, &reason)
    })
    .await
}

#[utoipa::path(put, path = "/api/v1/events/{slug}/exhibitors/{id}/booth", tag = "exhibitors",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = BoothRequest,
    responses((status = 200, body = ExhibitorOut), (status = 401), (status = 403), (status = 404), (status = 409, description = "booth taken, or not approved"), (status = 422)),
    security(("bearer" = [])))]
pub async fn set_booth(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
    Json(body): Json<BoothRequest>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    review(state, who, slug, id, "assign_booth", move |c, s, e, ex| {
        service::reassign(c, s, e, ex, &body.booth_code)
    })
    .await
}

#[utoipa::path(patch, path = "/api/v1/events/{slug}/exhibitors/{id}", tag = "exhibitors",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = ExhibitorPatch,
    responses((status = 200, body = ExhibitorOut), (status = 401), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
    Json(body): Json<ExhibitorPatch>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    review(state, who, slug, id, "payment", move |c, _, _, ex| {
        run!(c, |c| diesel::update(exhibitors::table.find(ex.id))
            .set((
                exhibitors::payment_status.eq(body.payment_status.as_str()),
                exhibitors::updated_at.eq(crate::db::now())
            ))
            .execute(c))?;
        Ok(service::find_by_id(c, ex.id)?)
    })
    .await
}
