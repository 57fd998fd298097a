//! The organizers' side: `GET …/registrations` (filters, search, pages), `GET …/registrations.csv`
//! (every registration, any status), `PATCH …/registrations/{id}` (status along SPEC §3,
//! category, details), `DELETE …/registrations/{id}` (erasure), `POST …/{id}/resend`,
//! `GET …/{id}/badge`; and the seats in sessions: `GET …/bookings/summary` (booked and
//! waitlisted per session) and `GET …/sessions/{id}/bookings.csv` (who holds them).

use actix_web::HttpResponse;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::model::{
    BookingStatus, Category, DetailsChange, Profile, RegistrationOut, RegistrationRow, Status,
};
use super::{service, store};
use crate::audit;
use crate::domain::{Language, Role};
use crate::email::EmailKind;
use crate::error::{AppError, AppResult, FieldError};
use crate::events::handlers::FairList;
use crate::events::service::Erasure;
use crate::events::store as events;
use crate::web::identity::Organizer;
use crate::web::json::{double_option, Json};
use crate::web::list::{ListParams, Page};
use crate::web::{ItemPath, Reply, SlugPath, State};

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegistrationFilters {
    pub status: Option<Status>,
    pub category: Option<Category>,
}

/// The sort keys of the registration list.
pub const SORTS: &[&str] = &["name", "created_at"];

#[utoipa::path(get, path = "/api/v1/events/{slug}/registrations", tag = "registrations",
    params(("slug" = String, Path), ListParams, RegistrationFilters),
    responses((status = 200, body = Page<RegistrationOut>, description = "sort: name, created_at"), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn list(list: FairList<RegistrationFilters>) -> Reply {
    list.answer(Role::Viewer, SORTS, |c, event, req, filters| {
        let (rows, total) = store::page(c, event.id, req, filters.status, filters.category)?;
        let items = rows.iter().map(|r| RegistrationOut::of(&event.slug, r));
        Ok(Page::new(items.collect(), total, req))
    })
    .await
}

/// A CSV download named `filename`: UTF-8 with a byte-order mark (without it, Excel reads
/// Arabic names as mojibake), `header` then `lines`.
pub fn csv_download(filename: &str, header: &str, lines: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"{filename}\""),
        ))
        .body(format!("\u{FEFF}{header}\r\n{lines}"))
}

/// A stored time as the fair's clock shows it, with its offset (RFC 3339).
fn fair_time(t: chrono::NaiveDateTime, tz: chrono_tz::Tz) -> String {
    t.and_utc().with_timezone(&tz).to_rfc3339()
}

/// A CSV line of `cells`, each neutralised ([`csv_cell`]), ended by CRLF.
pub fn csv_row(cells: &[String]) -> String {
    let mut line = cells
        .iter()
        .map(|c| csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

/// A CSV cell: quoted, and neutralised when a spreadsheet would read it as a formula.
pub fn csv_cell(value: &str) -> String {
    let mut v = value.to_string();
    if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        v.insert(0, '\'');
    }
    format!("\"{}\"", v.replace('"', "\"\""))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/registrations.csv", tag = "registrations",
    params(("slug" = String, Path)),
    responses((status = 200, description = "every registration, any status", content_type = "text/csv"), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn csv(state: State, who: Organizer, slug: SlugPath) -> Reply {
    who.require(Role::Viewer)?;
    let (slug, tz, rows) = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, true)?;
            let rows = store::of_event(c, event.id, store::By::All)?;
            Ok((event.slug, event.timezone, rows))
        })
        .await?;
    Ok(registrations_csv(&slug, tz, rows))
}

/// Every registration of a fair as the CSV organizers download (the API's and the console's).
pub fn registrations_csv(
    slug: &str,
    tz: chrono_tz::Tz,
    rows: Vec<RegistrationRow>,
) -> HttpResponse {
    let mut out = String::new();
    for r in rows {
        let cells = [
            r.id.to_string(),
            r.status.clone(),
            r.category.clone(),
            r.name.clone().unwrap_or_default(),
            r.email.clone().unwrap_or_default(),
            r.organization.clone().unwrap_or_default(),
            r.job_title.clone().unwrap_or_default(),
            r.country.clone().unwrap_or_default(),
            r.phone.clone().unwrap_or_default(),
            r.language.clone(),
            if r.status() == Status::Confirmed {
                r.badge_code.clone()
            } else {
                String::new()
            },
            fair_time(r.created_at, tz),
            r.confirmed_at.map(|t| fair_time(t, tz)).unwrap_or_default(),
            r.erased_at.is_some().to_string(),
        ];
        out.push_str(&csv_row(&cells));
    }
    csv_download(
        &format!("{slug}-registrations.csv"),
        "id,status,category,name,email,organization,job_title,country,phone,language,badge_code,created_at,confirmed_at,erased",
        out,
    )
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationPatch {
    /// Along SPEC §3: e.g. `waitlisted → confirmed`, `confirmed → cancelled`.
    pub status: Option<Status>,
    pub category: Option<Category>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub organization: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub job_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub country: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    pub language: Option<Language>,
}

#[utoipa::path(patch, path = "/api/v1/events/{slug}/registrations/{id}", tag = "registrations",
    params(("slug" = String, Path), ("id" = i64, Path)), request_body = RegistrationPatch,
    responses((status = 200, body = RegistrationOut), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "a status change SPEC §3 does not allow, naming both states"), (status = 422)),
    security(("bearer" = [])))]
pub async fn update(
    state: State,
    who: Organizer,
    path: ItemPath,
    body: Json<RegistrationPatch>,
) -> Reply {
    who.require(Role::Editor)?;
    let (patch, check) = body.into_parts().await?;
    let shape = check.into_errors();
    let (slug, id) = path.into_inner();
    let settings = state.settings.clone();
    let (slug, reg) = state
        .db
        .write(move |c| change(c, &settings, who.id, &slug, id, patch, shape))
        .await?;
    Ok(HttpResponse::Ok().json(RegistrationOut::of(&slug, &reg)))
}

/// An organizer's change of registration `id` of the fair `slug` (details, category, status
/// along SPEC §3), checked and audited in one write transaction that locks the event; the fair's
/// slug and the registration as it is now. `shape`: the errors found reading the request.
pub fn change(
    c: &mut crate::db::Conn,
    settings: &crate::config::Settings,
    who: i64,
    slug: &str,
    id: i64,
    patch: RegistrationPatch,
    shape: Vec<FieldError>,
) -> AppResult<(String, RegistrationRow)> {
    let event = events::lock(c, slug)?;
    let reg = store::find(c, event.id, id)?;
    if reg.erased_at.is_some() {
        return Err(AppError::Conflict("this registration was erased".into()));
    }
    let mut errors = shape;
    let text = |f: &str,
                v: Option<Option<String>>,
                cur: Option<String>,
                errors: &mut Vec<FieldError>| match v {
        None => cur,
        Some(None) => None,
        Some(Some(s)) if s.trim().is_empty() => None,
        Some(Some(s)) => Some(crate::domain::text::short_text(f, &s, 200, errors)),
    };
    let name = match &patch.name {
        Some(n) => Some(crate::domain::text::short_text("name", n, 200, &mut errors)),
        None => reg.name.clone(),
    };
    let organization = text(
        "organization",
        patch.organization,
        reg.organization.clone(),
        &mut errors,
    );
    let job_title = text(
        "job_title",
        patch.job_title,
        reg.job_title.clone(),
        &mut errors,
    );
    let country = text("country", patch.country, reg.country.clone(), &mut errors);
    let phone = text("phone", patch.phone, reg.phone.clone(), &mut errors);
    let category = patch.category.unwrap_or(reg.category());
    if category == Category::ExhibitorStaff && reg.category() != Category::ExhibitorStaff {
        errors.push(FieldError::new(
            "category",
            "exhibitor_staff comes only from exhibitors' staff passes",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let language = patch.language.unwrap_or(reg.language());
    let mut search_parts: Vec<&str> = name.as_deref().into_iter().collect();
    search_parts.extend(reg.email.as_deref());
    search_parts.extend(organization.as_deref());
    let search = crate::domain::search_text(search_parts);
    let change = DetailsChange {
        name: name.as_deref(),
        profile: Profile {
            organization,
            job_title,
            country,
            phone,
        },
        language: language.code(),
        search_text: search,
        category: Some(category.as_str()),
        consent_at: None,
    };
    store::update_details(c, id, &change, crate::db::now())?;
    let mut reg = store::find(c, event.id, id)?;
    // Organizers move a registration only as SPEC §3 lets them: a waitlisted attendee
    // in, or anyone out. Asking for the current status changes nothing.
    if let Some(next) = patch.status.filter(|s| *s != reg.status()) {
        let current = reg.status();
        reg = match (current, next) {
            (Status::Waitlisted, Status::Confirmed) => {
                let r = service::transition(c, &reg, next)?;
                service::send_with_manage_link(
                    c,
                    settings,
                    &event,
                    &r,
                    EmailKind::RegistrationPromoted,
                )?;
                r
            }
            (_, Status::Cancelled) if current.can_become(next) => {
                service::cancel(c, settings, &event, &reg)?
            }
            _ => {
                return Err(AppError::Conflict(format!(
                    "an organizer cannot move a registration from {current} to {next}"
                )))
            }
        };
    }
    audit::record(
        c,
        Some(who),
        Some(event.id),
        "update",
        "registration",
        Some(id),
        serde_json::json!({"status": reg.status, "category": reg.category}),
    )?;
    Ok((event.slug, reg))
}

#[utoipa::path(delete, path = "/api/v1/events/{slug}/registrations/{id}", tag = "registrations",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 204, description = "personal data erased; only counts remain"), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn erase(state: State, who: Organizer, path: ItemPath) -> Reply {
    let erasure = Erasure::new("registration", service::erase_by_id);
    crate::events::service::erase(&state, &who, path.into_inner(), erasure).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/registrations/{id}/resend", tag = "registrations",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 202, description = "queued: the link while pending, the confirmation once confirmed"), (status = 401), (status = 403), (status = 404), (status = 409)),
    security(("bearer" = [])))]
pub async fn resend(state: State, who: Organizer, path: ItemPath) -> Reply {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    let settings = state.settings.clone();
    let kind = state
        .db
        .write(move |c| send_again(c, &settings, who.id, &slug, id))
        .await?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({"queued": kind})))
}

/// An organizer's "send it again": the confirmation link while pending, the confirmation (badge
/// and links) once confirmed; audited. The kind of email queued.
pub fn send_again(
    c: &mut crate::db::Conn,
    settings: &crate::config::Settings,
    who: i64,
    slug: &str,
    id: i64,
) -> AppResult<EmailKind> {
    let event = events::lock(c, slug)?;
    let reg = store::find(c, event.id, id)?;
    let kind = service::resend(c, settings, &event, &reg)?;
    audit::record(
        c,
        Some(who),
        Some(event.id),
        "resend",
        "registration",
        Some(id),
        serde_json::json!({"kind": kind}),
    )?;
    Ok(kind)
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/registrations/{id}/badge", tag = "registrations",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "printable badge", content_type = "text/html"), (status = 401), (status = 403), (status = 404), (status = 409, description = "not confirmed")),
    security(("bearer" = [])))]
pub async fn badge(state: State, who: Organizer, path: ItemPath) -> Reply {
    who.require(Role::Viewer)?;
    let (slug, id) = path.into_inner();
    let (event, reg) = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, true)?;
            let reg = store::find(c, event.id, id)?;
            Ok((event, reg))
        })
        .await?;
    if reg.status() != Status::Confirmed {
        return Err(AppError::Conflict(format!(
            "only a confirmed registration has a badge; this one is {}",
            reg.status()
        )));
    }
    let html = super::attendee_pages::badge_html(&event, &reg, reg.language())?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// A released session's seats.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct SessionSeats {
    pub session_id: i64,
    pub title: String,
    pub starts_at: chrono::DateTime<chrono::FixedOffset>,
    pub capacity: i32,
    pub booked: i64,
    pub waitlisted: i64,
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/bookings/summary", tag = "registrations",
    params(("slug" = String, Path)),
    responses((status = 200, body = Vec<SessionSeats>, description = "every session of the published programme, by start, with its booked seats and waiting list"),
        (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn bookings_summary(state: State, who: Organizer, slug: SlugPath) -> Reply {
    who.require(Role::Viewer)?;
    let out = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, true)?;
            let counts = store::booking_counts(c, event.id)?;
            let release = crate::schedule::releases::latest(c, event.id)?;
            Ok(release
                .map(|r| r.snapshot.sessions)
                .unwrap_or_default()
                .into_iter()
                .map(|s| {
                    let (booked, waitlisted) = counts.get(&s.id).copied().unwrap_or_default();
                    SessionSeats {
                        session_id: s.id,
                        title: s.title,
                        starts_at: s.starts_at,
                        capacity: s.capacity,
                        booked,
                        waitlisted,
                    }
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/sessions/{id}/bookings.csv", tag = "registrations",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "the session's attendees: booked first, then the waiting list in order", content_type = "text/csv"),
        (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn session_bookings_csv(state: State, who: Organizer, path: ItemPath) -> Reply {
    who.require(Role::Viewer)?;
    let (slug, session_id) = path.into_inner();
    let (slug, tz, rows) = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, true)?;
            let released = crate::schedule::releases::latest(c, event.id)?
                .is_some_and(|r| r.snapshot.sessions.iter().any(|s| s.id == session_id));
            if !released {
                return Err(AppError::not_found(format!(
                    "no session {session_id} in the published programme"
                )));
            }
            Ok((
                event.slug,
                event.timezone,
                store::booking_holders(c, event.id, session_id)?,
            ))
        })
        .await?;
    let mut out = String::new();
    let mut waiting = 0;
    for (b, r) in rows {
        let position = if b.status() == BookingStatus::Waitlisted {
            waiting += 1;
            waiting.to_string()
        } else {
            String::new()
        };
        let cells = [
            b.status.clone(),
            position,
            r.name.clone().unwrap_or_default(),
            r.email.clone().unwrap_or_default(),
            r.organization.clone().unwrap_or_default(),
            r.category.clone(),
            r.language.clone(),
            fair_time(b.created_at, tz),
        ];
        out.push_str(&csv_row(&cells));
    }
    Ok(csv_download(
        &format!("{slug}-session-{session_id}-bookings.csv"),
        "status,position,name,email,organization,category,language,booked_at",
        out,
    ))
}

/// Organizers' view of registrations and bookings.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.list(__path_list, list, SORTS);
    r.add(__path_csv, csv);
    r.add(__path_update, update);
    r.add(__path_erase, erase);
    r.add(__path_resend, resend);
    r.add(__path_badge, badge);
    r.add(__path_bookings_summary, bookings_summary);
    r.add(__path_session_bookings_csv, session_bookings_csv);
}
