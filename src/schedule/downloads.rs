//! The public exports of the latest release (SPEC §4.2): `/events/{slug}/schedule.ics`
//! (iCalendar), `/events/{slug}/schedule.xml` (frab XML) and `/events/{slug}/schedule.json`
//! (c3voc schedule JSON), written by [`super::exports`]. Each answers with an `ETag` (a hash of
//! the body) and a 304 to a matching `If-None-Match`, so conference tools and calendars that
//! poll get an empty answer until the next release. Before the first release each is a valid,
//! empty programme.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::HttpRequest;

use super::cache::{Body, Reader, PUBLIC_CACHE};
use super::exports;
use super::releases::{self, Release};
use crate::domain::Language;
use crate::error::AppResult;
use crate::events::{store as events, Event};
use crate::web::identity::OptionalOrganizer;
use crate::web::{AppState, Reply, SlugPath};

#[derive(Clone, Copy)]
enum Format {
    Ics,
    Frab,
    C3voc,
}

/// An empty release: what the exports give before the first one.
fn nothing_yet(event: &Event) -> Release {
    Release {
        id: 0,
        version: String::new(),
        comment: None,
        published_at: event.starts_on.and_time(chrono::NaiveTime::MIN),
        snapshot: Default::default(),
        diff: Default::default(),
    }
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Format::Ics => "text/calendar; charset=utf-8",
            Format::Frab => "application/xml; charset=utf-8",
            Format::C3voc => "application/json",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Format::Ics => "ics",
            Format::Frab => "xml",
            Format::C3voc => "json",
        }
    }
}

/// The export's bytes.
fn write(
    state: &AppState,
    event: &Event,
    release: &Release,
    sequences: &BTreeMap<i64, u32>,
    format: Format,
    lang: Language,
) -> AppResult<Vec<u8>> {
    let host = state.settings.message_domain();
    let base = state.settings.base_url();
    Ok(match format {
        Format::Ics => exports::calendar(event, release, sequences, &host, base, lang).into_bytes(),
        Format::Frab => exports::frab_xml(event, release, &host, base, lang).into_bytes(),
        Format::C3voc => {
            serde_json::to_vec_pretty(&exports::c3voc_json(event, release, &host, base, lang))
                .map_err(anyhow::Error::from)?
        }
    })
}

fn language(req: &HttpRequest, event: &Event) -> Language {
    req.uri()
        .query()
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "lang")
                .and_then(|(_, v)| v.parse::<Language>().ok())
        })
        .filter(|l| event.languages.contains(l))
        .unwrap_or(event.default_language)
}

async fn export(reader: Reader, who: OptionalOrganizer, slug: String, format: Format) -> Reply {
    let Reader { state, cache, req } = reader;
    let name = |event: &Event| {
        format!(
            "inline; filename=\"{}-schedule.{}\"",
            event.slug,
            format.extension()
        )
    };
    if who.can_view() {
        // An organizer may export a draft: from the database, and never into a shared cache.
        let (event, release, sequences) = state
            .db
            .run(move |c| {
                let event = events::visible(c, &slug, true)?;
                let release = releases::latest(c, event.id)?;
                let sequences = match &release {
                    Some(r) => releases::sequences(c, event.id, r.id)?,
                    None => BTreeMap::new(),
                };
                Ok((event, release, sequences))
            })
            .await?;
        let lang = language(&req, &event);
        let release = release.unwrap_or_else(|| nothing_yet(&event));
        let bytes = write(&state, &event, &release, &sequences, format, lang)?;
        let mut res = Body::new(bytes).respond(&req, format.content_type(), "private, no-store");
        if let Ok(v) = header::HeaderValue::from_str(&name(&event)) {
            res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        return Ok(res);
    }
    let entry = cache.get(&state.db, &slug).await?;
    let lang = language(&req, &entry.event);
    let key = format!("schedule.{}?lang={}", format.extension(), lang.code());
    let body = entry.body(&key, || {
        let empty;
        let release = match entry.release.as_deref() {
            Some(r) => r,
            None => {
                empty = nothing_yet(&entry.event);
                &empty
            }
        };
        write(
            &state,
            &entry.event,
            release,
            &entry.sequences,
            format,
            lang,
        )
    })?;
    let mut res = body.respond(&req, format.content_type(), PUBLIC_CACHE);
    if let Ok(v) = header::HeaderValue::from_str(&name(&entry.event)) {
        res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

#[utoipa::path(get, path = "/events/{slug}/schedule.ics", tag = "exports",
    params(("slug" = String, Path), ("lang" = Option<String>, Query, description = "language of room names (default: the event's)")),
    responses((status = 200, content_type = "text/calendar", description = "the latest release as iCalendar (RFC 5545), UTC times, one VEVENT per session with a stable UID and SEQUENCE"),
        (status = 304, description = "If-None-Match matched the ETag"), (status = 404)))]
pub async fn ics(reader: Reader, who: OptionalOrganizer, slug: SlugPath) -> Reply {
    export(reader, who, slug.into_inner(), Format::Ics).await
}

#[utoipa::path(get, path = "/events/{slug}/schedule.xml", tag = "exports",
    params(("slug" = String, Path), ("lang" = Option<String>, Query, description = "language of room and track names")),
    responses((status = 200, content_type = "application/xml", description = "the latest release as frab schedule XML"),
        (status = 304, description = "If-None-Match matched the ETag"), (status = 404)))]
pub async fn xml(reader: Reader, who: OptionalOrganizer, slug: SlugPath) -> Reply {
    export(reader, who, slug.into_inner(), Format::Frab).await
}

#[utoipa::path(get, path = "/events/{slug}/schedule.json", tag = "exports",
    params(("slug" = String, Path), ("lang" = Option<String>, Query, description = "language of room and track names")),
    responses((status = 200, content_type = "application/json", description = "the latest release as c3voc schedule JSON"),
        (status = 304, description = "If-None-Match matched the ETag"), (status = 404)))]
pub async fn json(reader: Reader, who: OptionalOrganizer, slug: SlugPath) -> Reply {
    export(reader, who, slug.into_inner(), Format::C3voc).await
}

/// The public exports of the published programme.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_ics, ics);
    r.add(__path_xml, xml);
    r.add(__path_json, json);
}
