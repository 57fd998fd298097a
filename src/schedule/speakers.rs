//! Speakers: `/api/v1/events/{slug}/speakers[/{id}]`. Organizers see every speaker with their
//! email; the public sees only speakers of the latest release, never their email.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit;
use crate::db::schema::speakers;
use crate::db::Conn;
use crate::domain::text::short_text;
use crate::domain::{search_text, EmailAddress, Role};
use crate::error::{AppError, AppResult, FieldError};
use crate::events::queries as events;
use crate::run;
use crate::web::identity::{OptionalOrganizer, Organizer};
use crate::web::json::{double_option, Json};
use crate::web::list::{ListParams, Page};
use crate::web::AppState;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = speakers)]
pub struct SpeakerRow {
    pub id: i64,
    pub event_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub organization: Option<String>,
    pub bio: Option<String>,
    pub search_text: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SpeakerOut {
    pub id: i64,
    pub name: String,
    /// Organizers only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub organization: Option<String>,
    pub bio: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl SpeakerOut {
    fn of(r: SpeakerRow, with_email: bool) -> Self {
        SpeakerOut {
            id: r.id,
            name: r.name,
            email: if with_email { r.email } else { None },
            organization: r.organization,
            bio: r.bio,
            created_at: r.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSpeaker {
    pub name: String,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "email")]
    pub email: Option<EmailAddress>,
    #[serde(default)]
    pub organization: Option<String>,
    #[serde(default)]
    pub bio: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SpeakerPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = "email")]
    pub email: Option<Option<EmailAddress>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub organization: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub bio: Option<Option<String>>,
}

/// The checked fields of a speaker.
struct Fields {
    name: String,
    email: Option<String>,
    organization: Option<String>,
    bio: Option<String>,
}

impl Fields {
    fn check(
        name: &str,
        email: Option<&EmailAddress>,
        organization: Option<&str>,
        bio: Option<&str>,
    ) -> AppResult<Fields> {
        let mut errors = Vec::new();
        let name = short_text("name", name, 200, &mut errors);
        let organization = organization.map(|o| short_text("organization", o, 200, &mut errors));
        let bio = bio
            .map(str::trim)
            .filter(|b| !b.is_empty())
            .map(str::to_string);
        if bio.as_ref().is_some_and(|b| b.chars().count() > 5000) {
            errors.push(FieldError::new("bio", "must be at most 5000 characters"));
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        Ok(Fields {
            name,
            email: email.map(|e| e.to_string()),
            organization,
            bio,
        })
    }

    fn search(&self) -> String {
        let mut parts = vec![self.name.as_str()];
        parts.extend(self.email.as_deref());
        parts.extend(self.organization.as_deref());
        search_text(parts)
    }
}

pub fn find(c: &mut Conn, event_id: i64, id: i64) -> AppResult<SpeakerRow> {
    run!(c, |c| speakers::table
        .filter(speakers::event_id.eq(event_id))
        .filter(speakers::id.eq(id))
        .select(SpeakerRow::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| AppError::not_found(format!("no speaker {id} in this event")))
}

/// The speakers among `ids` that belong to the event.
pub fn existing(c: &mut Conn, event_id: i64, ids: &[i64]) -> QueryResult<Vec<SpeakerRow>> {
    run!(c, |c| speakers::table
        .filter(speakers::event_id.eq(event_id))
        .filter(speakers::id.eq_any(ids))
        .select(SpeakerRow::as_select())
        .load(c))
}

pub fn insert(c: &mut Conn, event_id: i64, body: &NewSpeaker) -> AppResult<SpeakerRow> {
    let f = Fields::check(
        &body.name,
        body.email.as_ref(),
        body.organization.as_deref(),
        body.bio.as_deref(),
    )?;
    let values = (
        speakers::event_id.eq(event_id),
        speakers::name.eq(&f.name),
        speakers::email.eq(&f.email),
        speakers::organization.eq(&f.organization),
        speakers::bio.eq(&f.bio),
        speakers::search_text.eq(f.search()),
        speakers::created_at.eq(crate::db::now()),
    );
    let id = run!(c, |c| diesel::insert_into(speakers::table)
        .values(values.clone())
        .returning(speakers::id)
        .get_result::<i64>(c))?;
    find(c, event_id, id)
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/speakers", tag = "speakers",
    params(("slug" = String, Path)), request_body = NewSpeaker,
    responses((status = 201, body = SpeakerOut), (status = 401), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn create(
    state: web::Data<AppState>,
    who: Organizer,
    slug: web::Path<String>,
    Json(body): Json<NewSpeaker>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let speaker = state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            let speaker = insert(c, event.id, &body)?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "create",
                "speaker",
                Some(speaker.id),
                serde_json::json!({}),
            )?;
            Ok(speaker)
        })
        .await?;
    Ok(HttpResponse::Created().json(SpeakerOut::of(speaker, true)))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/speakers", tag = "speakers",
    params(("slug" = String, Path), ListParams),
    responses((status = 200, body = Page<SpeakerOut>, description = "organizers: every speaker; public: speakers of the latest release, without email. sort: name, created_at"), (status = 404)))]
pub async fn list(
    state: web::Data<AppState>,
    who: OptionalOrganizer,
    slug: web::Path<String>,
    params: crate::web::query::Query<ListParams>,
) -> AppResult<HttpResponse> {
    let req = params.validate(&["name", "created_at"])?;
    let organizer = who.can_view();
    let page = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, organizer)?;
            let released: Option<Vec<i64>> = if organizer {
                None
            } else {
                Some(super::releases::released_speaker_ids(c, event.id)?)
            };
            // Organizers search names, emails and organizations in SQL. The public searches
            // only what it may see (name, organization), so an email cannot be probed by
            // watching `total`; released speakers are few, so that search runs in memory.
            let sql_like = if organizer { req.like.clone() } else { None };
            let public_needle = if organizer { None } else { req.needle.clone() };
            let (mut rows, total) = run!(c, |c| {
                let filtered = || {
                    let mut q = speakers::table
                        .filter(speakers::event_id.eq(event.id))
                        .into_boxed();
                    if let Some(ids) = &released {
                        q = q.filter(speakers::id.eq_any(ids.clone()));
                    }
                    if let Some(like) = &sql_like {
                        q = q.filter(speakers::search_text.like(like.clone()).escape('\\'));
                    }
                    q
                };
                let q = match req.sort.as_ref().map(|(k, d)| (k.as_str(), *d)) {
                    Some(("name", false)) => {
                        filtered().order((speakers::name.asc(), speakers::id.asc()))
                    }
                    Some(("name", true)) => {
                        filtered().order((speakers::name.desc(), speakers::id.desc()))
                    }
                    Some((_, true)) => filtered().order(speakers::id.desc()),
                    _ => filtered().order(speakers::id.asc()),
                };
                let q = q.select(SpeakerRow::as_select());
                let rows = if public_needle.is_some() {
                    q.load(c)?
                } else {
                    q.limit(req.per_page).offset(req.offset()).load(c)?
                };
                let total: i64 = filtered().count().get_result(c)?;
                QueryResult::Ok((rows, total))
            })?;
            if let Some(needle) = &public_needle {
                rows.retain(|r| {
                    r.name.to_lowercase().contains(needle.as_str())
                        || r.organization
                            .as_ref()
                            .is_some_and(|o| o.to_lowercase().contains(needle.as_str()))
                });
                let items = rows.into_iter().map(|r| SpeakerOut::of(r, false)).collect();
                return Ok(Page::from_vec(items, &req));
            }
            let items = rows
                .into_iter()
                .map(|r| SpeakerOut::of(r, organizer))
                .collect();
            Ok(Page::new(items, total, &req))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/speakers/{id}", tag = "speakers",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = SpeakerOut), (status = 404)))]
pub async fn get(
    state: web::Data<AppState>,
    who: OptionalOrganizer,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (slug, id) = path.into_inner();
    let organizer = who.can_view();
    let speaker = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, organizer)?;
            if !organizer && !super::releases::released_speaker_ids(c, event.id)?.contains(&id) {
                return Err(AppError::not_found(format!(
                    "no speaker {id} in this event"
                )));
            }
            find(c, event.id, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(SpeakerOut::of(speaker, organizer)))
}

#[utoipa::path(patch, path = "/api/v1/events/{slug}/speakers/{id}", tag = "speakers",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = SpeakerPatch,
    responses((status = 200, body = SpeakerOut), (status = 401), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn update(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
    Json(patch): Json<SpeakerPatch>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    let speaker = state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            let cur = find(c, event.id, id)?;
            let current_email = match cur.email.as_deref().map(EmailAddress::parse) {
                Some(Ok(e)) => Some(e),
                _ => None,
            };
            let name = patch.name.unwrap_or(cur.name);
            let email = patch.email.unwrap_or(current_email);
            let organization = patch.organization.unwrap_or(cur.organization);
            let bio = patch.bio.unwrap_or(cur.bio);
            let f = Fields::check(
                &name,
                email.as_ref(),
                organization.as_deref(),
                bio.as_deref(),
            )?;
            let changes = (
                speakers::name.eq(&f.name),
                speakers::email.eq(&f.email),
                speakers::organization.eq(&f.organization),
                speakers::bio.eq(&f.bio),
                speakers::search_text.eq(f.search()),
            );
            run!(c, |c| diesel::update(speakers::table.find(id))
                .set(changes.clone())
                .execute(c))?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "update",
                "speaker",
                Some(id),
                serde_json::json!({}),
            )?;
            find(c, event.id, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(SpeakerOut::of(speaker, true)))
}

#[utoipa::path(delete, path = "/api/v1/events/{slug}/speakers/{id}", tag = "speakers",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 204, description = "deleted; removed from the sessions of the working copy"), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn delete(
    state: web::Data<AppState>,
    who: Organizer,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    state
        .db
        .write(move |c| {
            let event = events::lock(c, &slug)?;
            find(c, event.id, id)?;
            run!(c, |c| diesel::delete(
                crate::db::schema::session_speakers::table
            )
            .filter(crate::db::schema::session_speakers::speaker_id.eq(id))
            .execute(c))?;
            run!(c, |c| diesel::delete(speakers::table.find(id)).execute(c))?;
            audit::record(
                c,
                Some(who.id),
                Some(event.id),
                "delete",
                "speaker",
                Some(id),
                serde_json::json!({}),
            )?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
