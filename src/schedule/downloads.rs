//! The public exports of the latest release (SPEC §4.2): `/events/{slug}/schedule.ics`
//! (iCalendar), `/events/{slug}/schedule.xml` (frab XML) and `/events/{slug}/schedule.json`
//! (c3voc schedule JSON), written by [`super::exports`]. Each answers with an `ETag` (a hash of
//! the body) and a 304 to a matching `If-None-Match`, so conference tools and calendars that
//! poll get an empty answer until the next release. Before the first release each is a valid,
//! empty programme.

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

use super::exports;
use super::releases::{self, Release};
use crate::domain::Language;
use crate::error::AppResult;
use crate::events::{queries as events, Event};
use crate::web::identity::OptionalOrganizer;
use crate::web::AppState;

#[derive(Clone, Copy)]
enum Format {
    Ics,
    Frab,
    C3voc,
}

/// The event and its latest release (an empty one before the first).
async fn load(
    state: &web::Data<AppState>,
    who: &OptionalOrganizer,
    slug: String,
) -> AppResult<(Event, Release, std::collections::BTreeMap<i64, u32>)> {
    let drafts = who.can_view();
    state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, drafts)?;
            let release = releases::latest(c, event.id)?;
            let sequences = match &release {
                Some(r) => releases::sequences(c, event.id, r.id)?,
                None => Default::default(),
            };
            let release = release.unwrap_or_else(|| Release {
                id: 0,
                version: String::new(),
                comment: None,
                published_at: event.starts_on.and_time(chrono::NaiveTime::MIN),
                snapshot: Default::default(),
                diff: Default::default(),
            });
            Ok((event, release, sequences))
        })
        .await
}

async fn export(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: OptionalOrganizer,
    slug: String,
    format: Format,
) -> AppResult<HttpResponse> {
    let (event, release, sequences) = load(&state, &who, slug).await?;
    let lang = req
        .uri()
        .query()
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "lang")
                .and_then(|(_, v)| v.parse::<Language>().ok())
        })
        .filter(|l| event.languages.contains(l))
        .unwrap_or(event.default_language);
    let host = crate::email::message_domain(&state.settings);
    let base = state.settings.base_url();
    let (body, content_type, extension) = match format {
        Format::Ics => (
            exports::calendar(&event, &release, &sequences, &host, base, lang),
            "text/calendar; charset=utf-8",
            "ics",
        ),
        Format::Frab => (
            exports::frab_xml(&event, &release, &host, base, lang),
            "application/xml; charset=utf-8",
            "xml",
        ),
        Format::C3voc => (
            serde_json::to_string_pretty(&exports::c3voc_json(&event, &release, &host, base, lang))
                .map_err(anyhow::Error::from)?,
            "application/json",
            "json",
        ),
    };
    let digest = Sha256::digest(body.as_bytes());
    let etag = format!(
        "\"{}\"",
        digest[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        });
    // A draft (shown to an organizer) or any answer to a token must not sit in a shared cache.
    let cache = if event.is_published() && req.headers().get(header::AUTHORIZATION).is_none() {
        "public, max-age=60"
    } else {
        "private, no-store"
    };
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}-schedule.{extension}\"", event.slug),
        ))
        .body(body))
}

#[utoipa::path(get, path = "/events/{slug}/schedule.ics", tag = "exports",
    params(("slug" = String, Path), ("lang" = Option<String>, Query, description = "language of room names (default: the event's)")),
    responses((status = 200, content_type = "text/calendar", description = "the latest release as iCalendar (RFC 5545), UTC times, one VEVENT per session with a stable UID and SEQUENCE"),
        (status = 304, description = "If-None-Match matched the ETag"), (status = 404)))]
pub async fn ics(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: OptionalOrganizer,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    export(state, req, who, slug.into_inner(), Format::Ics).await
}

#[utoipa::path(get, path = "/events/{slug}/schedule.xml", tag = "exports",
    params(("slug" = String, Path), ("lang" = Option<String>, Query, description = "language of room and track names")),
    responses((status = 200, content_type = "application/xml", description = "the latest release as frab schedule XML"),
        (status = 304, description = "If-None-Match matched the ETag"), (status = 404)))]
pub async fn xml(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: OptionalOrganizer,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    export(state, req, who, slug.into_inner(), Format::Frab).await
}

#[utoipa::path(get, path = "/events/{slug}/schedule.json", tag = "exports",
    params(("slug" = String, Path), ("lang" = Option<String>, Query, description = "language of room and track names")),
    responses((status = 200, content_type = "application/json", description = "the latest release as c3voc schedule JSON"),
        (status = 304, description = "If-None-Match matched the ETag"), (status = 404)))]
pub async fn json(
    state: web::Data<AppState>,
    req: HttpRequest,
    who: OptionalOrganizer,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    export(state, req, who, slug.into_inner(), Format::C3voc).await
}
