//! `/api/v1/events[/{slug}]` and `/api/v1/events/{slug}/publish`.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use chrono::{DateTime, FixedOffset, NaiveDate};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{ClockTime, Event};
use super::service;
use super::store::{self, EventFields};
use crate::audit;
use crate::db::{Conn, PageRequest};
use crate::domain::text::{short_text, Check, Rule};
use crate::domain::{EmailAddress, Language, Role, Slug, Translatable};
use crate::error::{AppError, AppResult, FieldError};
use crate::web::identity::{OptionalOrganizer, Organizer};
use crate::web::json::{double_option, Json};
use crate::web::list::{ListParams, Page};
use crate::web::query::Query;
use crate::web::{Reply, SlugPath, State};

/// The longest fair Salon accepts, in days.
const MAX_DAYS: i64 = 31;

/// A new event, as sent: every member is read as it comes and checked by [`new_event`], which
/// reports every bad one at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    #[schema(required = true, nullable = false, example = "siccam-2026")]
    pub slug: Option<String>,
    #[schema(required = true, nullable = false)]
    pub name: Option<Translatable>,
    pub description: Option<Translatable>,
    pub payment_instructions: Option<Translatable>,
    #[schema(required = true, nullable = false, example = "Africa/Casablanca")]
    pub timezone: Option<String>,
    #[schema(required = true, nullable = false)]
    pub starts_on: Option<NaiveDate>,
    #[schema(required = true, nullable = false)]
    pub ends_on: Option<NaiveDate>,
    #[schema(required = true, nullable = false)]
    pub venue: Option<String>,
    #[schema(required = true, nullable = false)]
    pub city: Option<String>,
    #[schema(required = true, nullable = false)]
    pub languages: Option<Vec<Language>>,
    #[schema(required = true, nullable = false)]
    pub default_language: Option<Language>,
    /// Attendees; null or absent is unlimited.
    #[schema(minimum = 1, maximum = 10_000_000)]
    pub capacity: Option<i32>,
    /// Daily opening, `HH:MM` local time.
    #[schema(required = true, nullable = false, example = "09:00")]
    pub opens_at: Option<String>,
    #[schema(required = true, nullable = false, example = "18:00")]
    pub closes_at: Option<String>,
    #[schema(required = true, nullable = false, format = "email")]
    pub contact_email: Option<String>,
    pub registration_opens_at: Option<DateTime<FixedOffset>>,
    pub registration_closes_at: Option<DateTime<FixedOffset>>,
}

/// Every member optional; `null` clears the nullable ones.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    pub name: Option<Translatable>,
    pub description: Option<Translatable>,
    pub payment_instructions: Option<Translatable>,
    pub timezone: Option<String>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub venue: Option<String>,
    pub city: Option<String>,
    pub languages: Option<Vec<Language>>,
    pub default_language: Option<Language>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>)]
    #[schema(minimum = 1, maximum = 10_000_000)]
    pub capacity: Option<Option<i32>>,
    #[schema(example = "09:00")]
    pub opens_at: Option<String>,
    #[schema(example = "18:00")]
    pub closes_at: Option<String>,
    #[schema(format = "email")]
    pub contact_email: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<FixedOffset>>)]
    pub registration_opens_at: Option<Option<DateTime<FixedOffset>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<FixedOffset>>)]
    pub registration_closes_at: Option<Option<DateTime<FixedOffset>>>,
}

fn timezone(check: &mut Check, tz: Option<&str>) -> Option<chrono_tz::Tz> {
    check.parse("timezone", Rule::Invalid, tz, |tz| {
        tz.parse::<chrono_tz::Tz>()
            .map_err(|_| "must be an IANA timezone like Africa/Casablanca".to_string())
    })
}

fn clock(check: &mut Check, field: &str, value: Option<&str>) -> Option<chrono::NaiveTime> {
    check.parse(field, Rule::Invalid, value, ClockTime::parse)
}

fn contact_email(check: &mut Check, value: Option<&str>) -> Option<EmailAddress> {
    check.parse("contact_email", Rule::Email, value, EmailAddress::parse)
}

/// The rules an event's fields must satisfy together.
fn check_together(f: &EventFields, errors: &mut Vec<FieldError>) {
    f.name.check("name", 200, errors);
    f.description.check_optional("description", 10_000, errors);
    f.payment_instructions
        .check_optional("payment_instructions", 4_000, errors);
    let first = chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default();
    let last = chrono::NaiveDate::from_ymd_opt(2199, 12, 31).unwrap_or_default();
    if !(first..=last).contains(&f.starts_on) {
        errors.push(FieldError::new(
            "starts_on",
            "must be between 2000-01-01 and 2199-12-31",
        ));
    }
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
        if !(1..=10_000_000).contains(&cap) {
            errors.push(FieldError::rule("capacity", Rule::Range(1, 10_000_000)));
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

/// The parse step of a new event: every member checked, every error reported. A member that
/// is missing or bad is reported once; the rules between members (dates, hours, languages)
/// are checked on the others.
/// A text the API was sent for an optional member must say something, as its schema states
/// (`Translatable`: one text, or one per language, at least one, none blank); leaving it out
/// leaves it as it is. (The console's form clears a blank one.)
fn written_if_sent(field: &str, text: Option<&Translatable>, check: &mut Check) {
    if let Some(text) = text {
        text.check(field, usize::MAX, check.errors());
    }
}

pub fn new_event(body: NewEvent, mut check: Check) -> AppResult<(Slug, EventFields)> {
    let slug = check.required("slug", body.slug);
    let slug = check.parse("slug", Rule::Invalid, slug.as_deref(), Slug::parse);
    let name = check.required("name", body.name);
    let tz = check.required("timezone", body.timezone);
    let timezone = timezone(&mut check, tz.as_deref());
    let starts_on = check.required("starts_on", body.starts_on);
    let ends_on = check.required("ends_on", body.ends_on);
    let venue = check.text("venue", body.venue, 200);
    let city = check.text("city", body.city, 100);
    let languages = check.required("languages", body.languages);
    let default_language = check.required("default_language", body.default_language);
    let opens = check.required("opens_at", body.opens_at);
    let opens_at = clock(&mut check, "opens_at", opens.as_deref());
    let closes = check.required("closes_at", body.closes_at);
    let closes_at = clock(&mut check, "closes_at", closes.as_deref());
    let email = check.required("contact_email", body.contact_email);
    let contact_email = contact_email(&mut check, email.as_deref());
    let day = starts_on.or(ends_on).unwrap_or_default();
    let fields = EventFields {
        name: name.unwrap_or(Translatable::Same(String::new())),
        description: body
            .description
            .unwrap_or(Translatable::Same(String::new())),
        payment_instructions: body
            .payment_instructions
            .unwrap_or(Translatable::Same(String::new())),
        timezone: timezone.unwrap_or(chrono_tz::UTC),
        starts_on: starts_on.unwrap_or(day),
        ends_on: ends_on.unwrap_or(day),
        venue: venue.unwrap_or_default(),
        city: city.unwrap_or_default(),
        languages: languages.unwrap_or_default(),
        default_language: default_language.unwrap_or(Language::Fr),
        capacity: body.capacity,
        opens_at: opens_at.unwrap_or_default(),
        closes_at: closes_at.unwrap_or(chrono::NaiveTime::MIN),
        contact_email: contact_email.map(|e| e.to_string()).unwrap_or_default(),
        registration_opens_at: body.registration_opens_at.map(|t| t.naive_utc()),
        registration_closes_at: body.registration_closes_at.map(|t| t.naive_utc()),
    };
    together(&fields, &mut check);
    check.done().map_err(AppError::Validation)?;
    let slug = slug.ok_or_else(|| AppError::internal("event checked without a slug"))?;
    Ok((slug, fields))
}

/// The rules between members, each reported unless a member it reads is already reported.
fn together(fields: &EventFields, check: &mut Check) {
    let mut found = Vec::new();
    check_together(fields, &mut found);
    let reads: &[(&str, &[&str])] = &[
        ("ends_on", &["starts_on", "ends_on"]),
        ("starts_on", &["starts_on"]),
        ("closes_at", &["opens_at", "closes_at"]),
        ("default_language", &["languages", "default_language"]),
        ("languages", &["languages"]),
        ("name", &["name"]),
    ];
    for e in found {
        let top = e.field.split('.').next().unwrap_or("").to_string();
        let inputs: &[&str] = reads
            .iter()
            .find(|(f, _)| *f == top)
            .map(|(_, r)| *r)
            .unwrap_or(&[]);
        if !check.has(&top) && !inputs.iter().any(|i| check.has(i)) {
            check.push(e);
        }
    }
}

/// The parse step of a change: the event as it would be, checked as a whole.
pub fn apply_patch(e: &Event, p: EventPatch, mut check: Check) -> AppResult<EventFields> {
    let utc = |t: Option<DateTime<FixedOffset>>| t.map(|t| t.naive_utc());
    let f = EventFields {
        name: p.name.unwrap_or_else(|| e.name.clone()),
        description: p.description.unwrap_or_else(|| e.description.clone()),
        payment_instructions: p
            .payment_instructions
            .unwrap_or_else(|| e.payment_instructions.clone()),
        timezone: timezone(&mut check, p.timezone.as_deref()).unwrap_or(e.timezone),
        starts_on: p.starts_on.unwrap_or(e.starts_on),
        ends_on: p.ends_on.unwrap_or(e.ends_on),
        venue: match p.venue {
            Some(v) => short_text("venue", &v, 200, check.errors()),
            None => e.venue.clone(),
        },
        city: match p.city {
            Some(v) => short_text("city", &v, 100, check.errors()),
            None => e.city.clone(),
        },
        languages: p.languages.unwrap_or_else(|| e.languages.clone()),
        default_language: p.default_language.unwrap_or(e.default_language),
        capacity: p.capacity.unwrap_or(e.capacity),
        opens_at: clock(&mut check, "opens_at", p.opens_at.as_deref()).unwrap_or(e.opens_at),
        closes_at: clock(&mut check, "closes_at", p.closes_at.as_deref()).unwrap_or(e.closes_at),
        contact_email: match contact_email(&mut check, p.contact_email.as_deref()) {
            Some(v) => v.to_string(),
            None => e.contact_email.clone(),
        },
        registration_opens_at: p.registration_opens_at.map_or(e.registration_opens_at, utc),
        registration_closes_at: p
            .registration_closes_at
            .map_or(e.registration_closes_at, utc),
    };
    together(&f, &mut check);
    check.done().map_err(AppError::Validation)?;
    Ok(f)
}

#[utoipa::path(post, path = "/api/v1/events", tag = "events",
    request_body = NewEvent,
    responses((status = 201, body = Event), (status = 401), (status = 403), (status = 409), (status = 422)),
    security(("bearer" = [])))]
pub async fn create(state: State, who: Organizer, body: Json<NewEvent>) -> Reply {
    who.require(Role::Editor)?;
    let (body, mut check) = body.into_parts().await?;
    written_if_sent("description", body.description.as_ref(), &mut check);
    written_if_sent(
        "payment_instructions",
        body.payment_instructions.as_ref(),
        &mut check,
    );
    let (slug, fields) = new_event(body, check)?;
    let event = service::create(&state.db, &who, slug, fields).await?;
    Ok(HttpResponse::Created().json(&event))
}

/// The sort keys of the event list.
pub const SORTS: &[&str] = &["starts_on", "slug", "created_at"];

#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    params(ListParams),
    responses((status = 200, body = Page<Event>, description = "published events; organizers also see drafts. sort: starts_on, slug, created_at")))]
pub async fn list(
    state: State,
    who: OptionalOrganizer,
    params: crate::web::query::Query<ListParams>,
) -> Reply {
    let req = params.validate(SORTS)?;
    let drafts = who.can_view();
    let page = state
        .db
        .run(move |c| {
            let (events, total) = store::list(c, &req, drafts)?;
            Ok(Page::new(events, total, &req))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}", tag = "events",
    params(("slug" = String, Path)),
    responses((status = 200, body = Event), (status = 404, description = "unknown, or a draft and the caller is not an organizer")))]
pub async fn get(state: State, who: OptionalOrganizer, slug: SlugPath) -> Reply {
    let drafts = who.can_view();
    let event = state
        .db
        .run(move |c| store::visible(c, &slug, drafts))
        .await?;
    let mut res = HttpResponse::Ok();
    if drafts {
        let etag = crate::web::etag(&service::version(&event));
        res.insert_header((actix_web::http::header::ETAG, etag));
    }
    Ok(res.json(&event))
}

#[utoipa::path(patch, path = "/api/v1/events/{slug}", tag = "events",
    params(("slug" = String, Path), ("If-Match" = Option<String>, Header, description = "the ETag of the GET this change is based on")),
    request_body = EventPatch,
    responses((status = 200, body = Event), (status = 401), (status = 403), (status = 404), (status = 412, description = "`If-Match` names a version the event no longer has"),
        (status = 409, description = "the new days or hours would put scheduled sessions outside the event (`conflicts`)"),
        (status = 422)),
    security(("bearer" = [])))]
pub async fn update(
    state: State,
    hooks: web::Data<super::Hooks>,
    who: Organizer,
    req: actix_web::HttpRequest,
    slug: SlugPath,
    body: Json<EventPatch>,
) -> Reply {
    let (patch, mut check) = body.into_parts().await?;
    written_if_sent("description", patch.description.as_ref(), &mut check);
    written_if_sent(
        "payment_instructions",
        patch.payment_instructions.as_ref(),
        &mut check,
    );
    who.require(Role::Editor)?;
    let (settings, hooks) = (state.settings.clone(), hooks.into_inner());
    let slug = slug.into_inner();
    let event = service::update(
        &state.db,
        hooks,
        settings,
        &who,
        slug,
        crate::web::if_match(&req),
        move |fields| apply_patch(fields, patch, check),
    )
    .await?;
    Ok(HttpResponse::Ok().json(&event))
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/publish", tag = "events",
    params(("slug" = String, Path)),
    responses((status = 200, body = Event), (status = 401), (status = 403), (status = 404), (status = 409, description = "already published")),
    security(("bearer" = [])))]
pub async fn publish(state: State, who: Organizer, slug: SlugPath) -> Reply {
    let event = service::publish(&state.db, &who, slug.into_inner()).await?;
    Ok(HttpResponse::Ok().json(&event))
}

#[utoipa::path(delete, path = "/api/v1/events/{slug}", tag = "events",
    params(("slug" = String, Path), ("If-Match" = Option<String>, Header, description = "the ETag of the GET this deletion is based on")),
    responses((status = 204, description = "the draft and everything in it deleted"), (status = 401), (status = 403), (status = 404),
        (status = 412, description = "`If-Match` names a version the event no longer has"),
        (status = 409, description = "a published event cannot be deleted")),
    security(("bearer" = [])))]
pub async fn delete(
    state: State,
    who: Organizer,
    req: actix_web::HttpRequest,
    slug: SlugPath,
) -> Reply {
    let expected = crate::web::if_match(&req);
    service::delete_draft(&state.db, &who, slug.into_inner(), expected).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/audit", tag = "audit",
    params(("slug" = String, Path), ListParams),
    responses((status = 200, body = Page<audit::AuditEntry>), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn audit_log(list: FairList) -> Reply {
    list.answer(Role::Admin, audit::SORTS, |c, event, req, _| {
        audit::page(c, Some(event.id), req)
    })
    .await
}

/// An organizer's read of one of a fair's lists (`GET /api/v1/events/{slug}/…`): the app, who
/// asks, the fair's slug, the page asked for and the list's own filters `F`, extracted in that
/// order, as they would be one by one.
pub struct FairList<F = NoFilters> {
    state: State,
    who: Organizer,
    slug: String,
    params: ListParams,
    filters: F,
}

/// The filters of a list that has none.
#[derive(Debug, Deserialize)]
pub struct NoFilters {}

impl<F: DeserializeOwned + 'static> FromRequest for FairList<F> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parts =
            <(State, Organizer, SlugPath, Query<ListParams>, Query<F>)>::from_request(req, payload);
        Box::pin(async move {
            let (state, who, slug, params, filters) = parts.await?;
            Ok(FairList {
                state,
                who,
                slug: slug.into_inner(),
                params: params.into_inner(),
                filters: filters.into_inner(),
            })
        })
    }
}

impl<F: Send + 'static> FairList<F> {
    /// The page `read` makes of the fair's list, once the caller's `role` and the page asked
    /// for (against the list's `sorts`) are checked; drafts are read too.
    pub async fn answer<T, R>(self, role: Role, sorts: &[&str], read: R) -> Reply
    where
        T: Serialize + Send + 'static,
        R: FnOnce(&mut Conn, &Event, &PageRequest, F) -> AppResult<Page<T>> + Send + 'static,
    {
        self.who.require(role)?;
        let req = self.params.validate(sorts)?;
        let (slug, filters) = (self.slug, self.filters);
        let page = (self.state.db)
            .run(move |c| {
                let event = store::visible(c, &slug, true)?;
                read(c, &event, &req, filters)
            })
            .await?;
        Ok(HttpResponse::Ok().json(page))
    }
}

/// The events API.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.list(__path_list, list, SORTS);
    r.add(__path_create, create);
    r.add(__path_get, get);
    r.add(__path_update, update);
    r.add(__path_publish, publish);
    r.add(__path_delete, delete);
    r.list(__path_audit_log, audit_log, crate::audit::SORTS);
}
