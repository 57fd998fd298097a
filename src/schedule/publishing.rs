//! The routes that publish the programme and read it as the public does:
//! `POST /api/v1/events/{slug}/schedule/releases` (publish the working copy) and
//! `GET /api/v1/events/{slug}/schedule` (the latest release, from memory: see `cache`).

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use futures_util::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::cache::{ProgrammeCache, Reader, PUBLIC_CACHE};
use super::changes;
use super::releases::{self, Release, ReleaseHooks, ReleaseOut, Snapshot};
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::events::{store as events, Event};
use crate::web::identity::{OptionalOrganizer, Organizer};
use crate::web::json::Json;
use crate::web::{Reply, SlugPath, State};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRelease {
    /// A name unique within the event, e.g. "1.0" or "2026-05-02 final".
    #[schema(required = true, nullable = false)]
    pub version: Option<String>,
    pub comment: Option<String>,
    /// Whether the speakers of moved, changed and cancelled sessions are emailed
    /// (`speaker_schedule_changed`); default true.
    pub notify_speakers: Option<bool>,
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/schedule/releases", tag = "schedule",
    params(("slug" = String, Path)), request_body = NewRelease,
    responses((status = 201, body = ReleaseOut), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "version already used, or hard conflicts in the working copy (`conflicts`)"), (status = 422)),
    security(("bearer" = [])))]
pub async fn create(
    publisher: Publisher,
    who: Organizer,
    slug: SlugPath,
    body: Json<NewRelease>,
) -> Reply {
    who.require(Role::Editor)?;
    let (body, mut check) = body.into_parts().await?;
    let version = check.text("version", body.version, 100);
    let comment = check.long_text("comment", body.comment.as_deref(), 2000);
    check.done().map_err(AppError::Validation)?;
    let asked = Asked {
        version: version.unwrap_or_default(),
        comment,
        tell_speakers: body.notify_speakers.unwrap_or(true),
    };
    let release = publisher.release(&who, slug.into_inner(), asked).await?;
    Ok(HttpResponse::Created().json(ReleaseOut::from(&release)))
}

/// What publishing the programme goes through, for this request: the app, the release hooks
/// (bookings, emails) and the programme cache that a new release refreshes.
pub struct Publisher {
    pub state: State,
    pub hooks: web::Data<ReleaseHooks>,
    pub cache: web::Data<ProgrammeCache>,
}

impl FromRequest for Publisher {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parts = <(State, web::Data<ReleaseHooks>, web::Data<ProgrammeCache>)>::from_request(
            req, payload,
        );
        Box::pin(async move {
            let (state, hooks, cache) = parts.await?;
            Ok(Publisher {
                state,
                hooks,
                cache,
            })
        })
    }
}

/// A release as an editor asks for it.
pub struct Asked {
    pub version: String,
    pub comment: Option<String>,
    /// Whether the speakers of moved, changed and cancelled sessions are emailed.
    pub tell_speakers: bool,
}

impl Publisher {
    /// An editor publishes the working copy of the fair `slug` as a release: refused (409)
    /// while it has hard conflicts or when the version is taken; the release hooks (bookings,
    /// emails) run in the same transaction; this instance serves the new release at once, the
    /// others within `cache::RECHECK`.
    pub async fn release(&self, who: &Organizer, slug: String, asked: Asked) -> AppResult<Release> {
        who.require(Role::Editor)?;
        let settings = &self.state.settings;
        let buffer = settings.schedule.speaker_buffer;
        let message_domain = settings.message_domain();
        let (hooks, by, slug_of_release) = (self.hooks.clone(), who.id, slug.clone());
        let release = (self.state.db)
            .write(move |c| {
                let event = events::lock(c, &slug)?;
                let what = releases::Publish {
                    version: &asked.version,
                    comment: asked.comment.as_deref(),
                    by: Some(by),
                };
                let release = releases::publish(c, &hooks, &event, &what, buffer)?;
                if asked.tell_speakers {
                    let previous = releases::previous(c, event.id, release.id)?;
                    let domain = &message_domain;
                    changes::tell_speakers(c, &event, previous.as_ref(), &release, domain)?;
                }
                Ok(release)
            })
            .await?;
        self.cache.forget(&slug_of_release);
        Ok(release)
    }
}

/// The public programme: the latest release.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSchedule {
    pub event: String,
    pub timezone: String,
    /// Null before the first release.
    pub version: Option<String>,
    pub published_at: Option<DateTime<Utc>>,
    #[serde(flatten)]
    pub snapshot: Snapshot,
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/schedule", tag = "schedule",
    params(("slug" = String, Path)),
    responses((status = 200, body = PublicSchedule, description = "the latest release; empty before the first"), (status = 404)))]
pub async fn public_schedule(reader: Reader, who: OptionalOrganizer, slug: SlugPath) -> Reply {
    let Reader { state, cache, req } = reader;
    let of = |event: &Event, release: Option<&Release>| PublicSchedule {
        event: event.slug.clone(),
        timezone: event.timezone.name().to_string(),
        version: release.map(|r| r.version.clone()),
        published_at: release.map(|r| r.published_at.and_utc()),
        snapshot: release.map(|r| r.snapshot.clone()).unwrap_or_default(),
    };
    if who.can_view() {
        // Organizers also read drafts: from the database, never cached.
        let body = state
            .db
            .run(move |c| {
                let event = events::visible(c, &slug, true)?;
                let release = releases::latest(c, event.id)?;
                Ok(of(&event, release.as_ref()))
            })
            .await?;
        return Ok(HttpResponse::Ok()
            .insert_header((actix_web::http::header::CACHE_CONTROL, "private, no-store"))
            .json(body));
    }
    let entry = cache.get(&state.db, &slug).await?;
    let body = entry.body("schedule", || {
        let schedule = of(&entry.event, entry.release.as_deref());
        Ok(serde_json::to_vec(&schedule).map_err(anyhow::Error::from)?)
    })?;
    Ok(body.respond(&req, "application/json", PUBLIC_CACHE))
}

/// The public schedule and publishing a release.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_public_schedule, public_schedule);
    r.add(__path_create, create);
}
