//! `/api/v1/events[/{slug}]` and `/api/v1/events/{slug}/publish`.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{ClockTime, EventOut, EventStatus};
use super::queries::{self, EventFields};
use crate::audit;
use crate::domain::text::short_text;
use crate::domain::{EmailAddress, Language, Role, Slug, Translatable};
use crate::error::{AppError, AppResult, FieldError};
use crate::web::identity::{OptionalOrganizer, Organizer};
use crate::web::json::{double_option, Json};
use crate::web::list::{ListParams, Page};
use crate::web::query::Query;
use crate::web::AppState;

/// The longest fair Salon accepts, in days.
const MAX_DAYS: i64 = 31;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    #[schema(value_type = String, example = "siccam-2026")]
    pub slug: Slug,
    pub name: Translatable,
    #[serde(default)]
    pub description: Option<Translatable>,
    #[schema(example = "Africa/Casablanca")]
    pub timezone: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub venue: String,
    pub city: String,
    pub languages: Vec<Language>,
    pub default_language: Language,
    #[serde(default)]
    pub capacity: Option<i32>,
    pub opens_at: ClockTime,
    pub closes_at: ClockTime,
    #[schema(value_type = String, format = "email")]
    pub contact_email: EmailAddress,
    #[serde(default)]
    pub registration_opens_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub registration_closes_at: Option<DateTime<FixedOffset>>,
}

/// Every member optional; `null` clears the nullable ones.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    pub name: Option<Translatable>,
    pub description: Option<Translatable>,
    pub timezone: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub venue: Option<String>,
    pub city: Option<String>,
    pub languages: Option<Vec<Language>>,
    pub default_language: Option<Language>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    pub capacity: Option<Option<i32>>,
    pub opens_at: Option<ClockTime>,
    pub closes_at: Option<ClockTime>,
    #[schema(value_type = Option<String>, format = "email")]
    pub contact_email: Option<EmailAddress>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<FixedOffset>>)]
    pub registration_opens_at: Option<Option<DateTime<FixedOffset>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<FixedOffset>>)]
    pub registration_closes_at: Option<Option<DateTime<FixedOffset>>>,
}

fn parse_timezone(tz: &str, errors: &mut Vec<FieldError>) -> chrono_tz::Tz {
    tz.parse::<chrono_tz::Tz>().unwrap_or_else(|_| {
        errors.push(FieldError::new(
            "timezone",
            "must be an IANA timezone like Africa/Casablanca",
        ));
        chrono_tz::UTC
    })
}

/// The rules an event's fields must satisfy together.
fn check(f: &EventFields, errors: &mut Vec<FieldError>) {
    if f.ends_on < f.starts_on {
        errors.push(FieldError::new("ends_on", "must be on or after starts_on"));
    } else if (f.ends_on - f.starts_on).num_days() >= MAX_DAYS {
        errors.push(FieldError::new(
            "ends_on",
            format!("the fair may last at most {MAX_DAYS} days"),
        ));
    }
    if f.closes_at <= f.opens_at {
        errors.push(FieldError::new("closes_at", "must be after opens_at"));
    }
    if f.languages.is_empty() {
        errors.push(FieldError::new(
            "languages",
            "must list at least one of ar, fr, en",
        ));
    }
    let mut seen = f.languages.clone();
    seen.sort();
    seen.dedup();
    if seen.len() != f.languages.len() {
        errors.push(FieldError::new("languages", "must not repeat a language"));
    }
    if !f.languages.contains(&f.default_language) {
        errors.push(FieldError::new(
            "default_language",
            "must be one of the event's languages",
        ));
    }
    if let Some(cap) = f.capacity {
        if cap < 1 {
            errors.push(FieldError::new(
                "capacity",
                "must be 1 or more, or null for unlimited",
            ));
        }
    }
    if let (Some(o), Some(c)) = (f.registration_opens_at, f.registration_closes_at) {
        if c <= o {
            errors.push(FieldError::new(
                "registration_closes_at",
                "must be after registration_opens_at",
            ));
        }
    }
}

fn into_fields(body: NewEvent) -> Result<(Slug, EventFields), AppError> {
    let mut errors = Vec::new();
    let timezone = parse_timezone(&body.timezone, &mut errors);
    let fields = EventFields {
        name: body.name,
        description: body
            .description
            .unwrap_or(Translatable::Same(String::new())),
        timezone,
        starts_on: body.starts_on,
        ends_on: body.ends_on,
        venue: short_text("venue", &body.venue, 200, &mut errors),
        city: short_text("city", &body.city, 100, &mut errors),
        languages: body.languages,
        default_language: body.default_language,
        capacity: body.capacity,
        opens_at: body.opens_at.0,
        closes_at: body.closes_at.0,
        contact_email: body.contact_email.to_string(),
        registration_opens_at: body.registration_opens_at.map(|t| t.naive_utc()),
        registration_closes_at: body.registration_closes_at.map(|t| t.naive_utc()),
    };
    check(&fields, &mut errors);
    if errors.is_empty() {
        Ok((body.slug, fields))
    } else {
        Err(AppError::Validation(errors))
    }
}

fn apply_patch(mut f: EventFields, p: EventPatch) -> Result<EventFields, AppError> {
    let mut errors = Vec::new();
    if let Some(v) = p.name {
        f.name = v;
    }
    if let Some(v) = p.description {
        f.description = v;
    }
    if let Some(v) = p.timezone {
        f.timezone = parse_timezone(&v, &mut errors);
    }
    if let Some(v) = p.starts_on {
        f.starts_on = v;
    }
    if let Some(v) = p.ends_on {
        f.ends_on = v;
    }
    if let Some(v) = p.venue {
        f.venue = short_text("venue", &v, 200, &mut errors);
    }
    if let Some(v) = p.city {
        f.city = short_text("city", &v, 100, &mut errors);
    }
    if let Some(v) = p.languages {
        f.languages = v;
    }
    if let Some(v) = p.default_language {
        f.default_language = v;
    }
    if let Some(v) = p.capacity {
        f.capacity = v;
    }
    if let Some(v) = p.opens_at {
        f.opens_at = v.0;
    }
    if let Some(v) = p.closes_at {
        f.closes_at = v.0;
    }
    if let Some(v) = p.contact_email {
        f.contact_email = v.to_string();
    }
    if let Some(v) = p.registration_opens_at {
        f.registration_opens_at = v.map(|t| t.naive_utc());
    }
    if let Some(v) = p.registration_closes_at {
        f.registration_closes_at = v.map(|t| t.naive_utc());
    }
    check(&f, &mut errors);
    if errors.is_empty() {
        Ok(f)
    } else {
        Err(AppError::Validation(errors))
    }
}

#[utoipa::path(post, path = "/api/v1/events", tag = "events",
    request_body = NewEvent,
    responses((status = 201, body = EventOut), (status = 401), (status = 403), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    who: Organizer,
    Json(body): Json<NewEvent>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let (slug, fields) = into_fields(body)?;
    let event = state
        .db
        .write(move |c| {
            let event = queries::insert(c, slug.as_str(), &fields)?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "create",
                "event",
                Some(event.id),
                serde_json::json!({"slug": event.slug}),
            )?;
            Ok(event)
        })
        .await?;
    Ok(HttpResponse::Created().json(EventOut::from(&event)))
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    params(ListParams),
    responses((status = 200, body = Page<EventOut>, description = "published events; organizers also see drafts. sort: starts_on, slug, created_at")))]
pub async fn list(
    state: web::Data<AppState>,
    who: OptionalOrganizer,
    params: crate::web::query::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let req = params.validate(&["starts_on", "slug", "created_at"])?;
    let drafts = who.can_view();
    let page = state
        .db
        .run(move |c| {
            let (events, total) = queries::list(c, &req, drafts)?;
            Ok(Page::new(
                events.iter().map(EventOut::from).collect(),
                total,
                &req,
            ))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}", tag = "events",
    params(("slug" = String, Path)),
    responses((status = 200, body = EventOut), (status = 404, description = "unknown, or a draft and the caller is not an organizer")))]
pub async fn get(
    state: web::Data<AppState>,
    who: OptionalOrganizer,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let drafts = who.can_view();
    let event = state
        .db
        .run(move |c| queries::visible(c, &slug, drafts))
        .await?;
    Ok(HttpResponse::Ok().json(EventOut::from(&event)))
}

#[utoipa::path(patch, path = "/api/v1/events/{slug}", tag = "events",
    params(("slug" = String, Path)),
    request_body = EventPatch,
    responses((status = 200, body = EventOut), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "the new days or hours would put scheduled sessions outside the event (`conflicts`)"),
        (status = 422)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    hooks: web::Data<super::Hooks>,
    who: Organizer,
    slug: web::Path<String>,
    Json(patch): Json<EventPatch>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let settings = state.settings.clone();
    let hooks = hooks.into_inner();
    let event = state
        .db
        .write(move |c| {
            let event = queries::lock(c, &slug)?;
            let fields = apply_patch(EventFields::of(&event), patch)?;
            let updated = queries::update(c, &event, &fields)?;
            hooks.run(c, &settings, &event, &updated)?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "update",
                "event",
                Some(event.id),
                serde_json::json!({}),
            )?;
            Ok(updated)
        })
        .await?;
    Ok(HttpResponse::Ok().json(EventOut::from(&event)))
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/publish", tag = "events",
    params(("slug" = String, Path)),
    responses((status = 200, body = EventOut), (status = 401), (status = 403), (status = 404), (status = 409, description = "already published")),
    security(("bearer" = [])))]
pub async fn publish(
    state: web::Data<AppState>,
    who: Organizer,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let event = state
        .db
        .write(move |c| {
            let event = queries::lock(c, &slug)?;
            let next = EventStatus::Published;
            if !event.status.can_become(next) {
                return Err(AppError::Conflict(format!(
                    "an event cannot go from {} to {}",
                    event.status.as_str(),
                    next.as_str()
                )));
            }
            queries::set_status(c, event.id, next)?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "publish",
                "event",
                Some(event.id),
                serde_json::json!({}),
            )?;
            Ok(queries::find(c, event.id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(EventOut::from(&event)))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/audit", tag = "audit",
    params(("slug" = String, Path), ListParams),
    responses((status = 200, body = Page<audit::AuditEntry>), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn audit_log(
    state: web::Data<AppState>,
    who: Organizer,
    slug: web::Path<String>,
    params: Query<ListParams>,
) -> AppResult<HttpResponse> {
    who.require(Role::Admin)?;
    let req = params.validate(&["created_at"])?;
    let page = state
        .db
        .run(move |c| {
            let event = queries::visible(c, &slug, true)?;
            audit::page(c, Some(event.id), &req)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
