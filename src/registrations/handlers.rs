//! `POST /api/v1/events/{slug}/registrations` (public, or an organizer's walk-in) and
//! `POST /api/v1/registrations/confirm`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{Category, RegistrationOut};
use super::service::{self, Person};
use crate::audit;
use crate::domain::text::{Check, Rule};
use crate::domain::{EmailAddress, Language, Role};
use crate::error::{AppError, AppResult, FieldError};
use crate::events::queries as events;
use crate::web::identity::OptionalOrganizer;
use crate::web::json::Json;
use crate::web::AppState;

/// A registration, as sent by the API or the form (checked by [`person`]).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegistration {
    #[schema(required = true, nullable = false)]
    pub name: Option<String>,
    #[schema(required = true, nullable = false, format = "email")]
    pub email: Option<String>,
    pub organization: Option<String>,
    pub job_title: Option<String>,
    pub country: Option<String>,
    pub phone: Option<String>,
    /// The language of the emails; defaults to the event's.
    pub language: Option<Language>,
    /// The public may choose `visitor` (default) or `professional`; organizers any but
    /// `exhibitor_staff`.
    pub category: Option<Category>,
    /// Must be true for the public: the attendee agrees to the processing of their data for
    /// the fair.
    pub consent: Option<bool>,
}

/// The parse step of a registration: every field checked, every error reported (with those
/// found while reading the body, `shape`). `organizer` widens the categories.
pub fn person(
    body: NewRegistration,
    shape: Vec<FieldError>,
    event: &crate::events::Event,
    organizer: bool,
) -> AppResult<Person> {
    let mut check = Check::new(shape);
    let name = check.text("name", body.name, 200);
    let email = check.required("email", body.email);
    let email = check.parse("email", Rule::Email, email.as_deref(), EmailAddress::parse);
    let phone = check.optional_text("phone", body.phone.as_deref(), 30);
    if phone.as_ref().is_some_and(|p| {
        !p.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
    }) {
        check.push(FieldError::rule("phone", Rule::Phone));
    }
    let category = body.category.unwrap_or(Category::Visitor);
    if category == Category::ExhibitorStaff {
        check.push(FieldError::with(
            "category",
            Rule::Choice,
            "exhibitor_staff comes only from exhibitors' staff passes",
        ));
    } else if !organizer && !category.is_public() {
        check.push(FieldError::with(
            "category",
            Rule::Choice,
            "must be visitor or professional (other categories are set by organizers)",
        ));
    }
    if !organizer && body.consent != Some(true) && !check.has("consent") {
        check.push(FieldError::rule("consent", Rule::Consent));
    }
    let organization = check.optional_text("organization", body.organization.as_deref(), 200);
    let job_title = check.optional_text("job_title", body.job_title.as_deref(), 200);
    let country = check.optional_text("country", body.country.as_deref(), 100);
    check.done().map_err(AppError::Validation)?;
    let (Some(name), Some(email)) = (name, email) else {
        return Err(AppError::internal(
            "registration checked without name or email",
        ));
    };
    Ok(Person {
        name,
        email,
        organization,
        job_title,
        country,
        phone,
        language: event.language_for(body.language),
        category,
    })
}

/// The parse step of an attendee's change to their own details: the registration's rules
/// for each field; the email and category are not theirs to change (the category of the
/// result is not written).
pub fn own_details(
    body: NewRegistration,
    reg: &super::RegistrationRow,
    event: &crate::events::Event,
) -> AppResult<Person> {
    let email = reg
        .email
        .as_deref()
        .ok_or_else(|| AppError::Conflict("this registration was erased".into()))?;
    let body = NewRegistration {
        email: Some(email.to_string()),
        category: None,
        language: body.language.or(Some(reg.language())),
        ..body
    };
    person(body, vec![], event, true)
}

/// The public's answer, the same whatever happened (no enumeration of who is registered).
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    pub status: &'static str,
    pub detail: &'static str,
}

const ACCEPTED: Accepted = Accepted {
    status: "accepted",
    detail: "Thank you. Please check your email to confirm your registration.",
};

#[utoipa::path(post, path = "/api/v1/events/{slug}/registrations", tag = "registrations",
    params(("slug" = String, Path)), request_body = NewRegistration,
    responses(
        (status = 202, body = Accepted, description = "public: the same answer whether or not the email is known; an email follows"),
        (status = 201, body = RegistrationOut, description = "organizer (editor): confirmed at once"),
        (status = 404), (status = 409, description = "outside the registration window; organizer: email already registered"),
        (status = 422), (status = 429)),
    security((), ("bearer" = [])))]
pub async fn register(
    state: web::Data<AppState>,
    programme: web::Data<crate::schedule::cache::ProgrammeCache>,
    overrides: web::Data<crate::email::templates::Overrides>,
    req: HttpRequest,
    who: OptionalOrganizer,
    slug: web::Path<String>,
    body: Json<NewRegistration>,
) -> AppResult<HttpResponse> {
    if who.0.is_none() {
        // Counted before the body is read: an anonymous client's budget covers the parse too.
        state.limiter.check(&req)?;
    }
    let (body, check) = body.into_parts().await?;
    let shape = check.into_errors();
    let settings = state.settings.clone();
    if let Some(org) = who.0 {
        org.require(Role::Editor)?;
        let out = state
            .db
            .write(move |c| {
                let event = events::lock(c, &slug)?;
                let p = person(body, shape, &event, true)?;
                let reg = service::register_by_organizer(c, &settings, &event, &p)?;
                audit::record(
                    c,
                    Some(org.id),
                    Some(event.id),
                    "create",
                    "registration",
                    Some(reg.id),
                    serde_json::json!({"category": p.category}),
                )?;
                Ok(RegistrationOut::of(&event.slug, &reg))
            })
            .await?;
        return Ok(HttpResponse::Created().json(out));
    }
    let cached = Cached {
        programme: &programme,
        overrides: &overrides,
    };
    submit_public(&state, &cached, slug.into_inner(), body, shape).await?;
    Ok(HttpResponse::Accepted().json(ACCEPTED))
}

/// A public registration, shared by the API and the `/events/{slug}/register` form (`shape`:
/// the errors found while reading the body). The registration window is read on the app's
/// clock.
///
/// In two steps, so that what queues on the write lock is only what must. First, from this
/// instance's memory (the published event as `schedule::cache` keeps it, the event's email
/// override as `email::templates::Overrides` keeps it, each read again at most once a
/// second), the body is checked against the event and the confirmation link is drawn and its
/// email rendered ([`service::ConfirmLink`]; an organizer's override renders off the HTTP
/// workers, on its budget). Then the registration is written in the next group commit
/// (`db::group`), which reads the event again from the database and checks it again.
pub async fn submit_public(
    state: &web::Data<AppState>,
    cached: &Cached<'_>,
    slug: String,
    body: NewRegistration,
    shape: Vec<FieldError>,
) -> AppResult<()> {
    let settings = state.settings.clone();
    let now = state.clock.now().naive_utc();
    let open =
        move |slug: &str, event: Option<crate::events::Event>| -> AppResult<crate::events::Event> {
            let event = event
                .filter(|e| e.is_published())
                .ok_or_else(|| AppError::not_found(format!("no event `{slug}`")))?;
            if event.registration_opens_at.is_some_and(|t| now < t) {
                return Err(AppError::Conflict("registration is not open yet".into()));
            }
            if event.registration_closes_at.is_some_and(|t| now >= t) {
                return Err(AppError::Conflict("registration is closed".into()));
            }
            Ok(event)
        };
    let event = open(
        &slug,
        Some(cached.programme.get(&state.db, &slug).await?.event.clone()),
    )?;
    let p = person(body, shape, &event, false)?;
    let kind = crate::email::EmailKind::RegistrationConfirm;
    let custom = match cached.overrides.fresh(event.id, kind, p.language) {
        Some(custom) => custom,
        None => {
            let (event_id, lang) = (event.id, p.language);
            let custom = state
                .db
                .run(move |c| {
                    Ok(crate::email::templates::find_override(
                        c, event_id, kind, lang,
                    )?)
                })
                .await?;
            cached.overrides.keep(event_id, kind, lang, custom.clone());
            custom
        }
    };
    let link = if custom.is_some() {
        let (settings, event) = (settings.clone(), event.clone());
        let (to, lang, name) = (p.email.to_string(), p.language, p.name.clone());
        web::block(move || {
            service::ConfirmLink::prepare_with(custom, &settings, &event, &to, lang, &name)
        })
        .await??
    } else {
        service::ConfirmLink::prepare_with(
            None,
            &settings,
            &event,
            p.email.as_str(),
            p.language,
            &p.name,
        )?
    };
    state
        .db
        .write_grouped(move |c| {
            // Read, not locked: a pending registration holds no seat (a confirmation does,
            // under the event's lock), so registrations need not wait for one another.
            let event = open(&slug, events::find_by_slug(c, &slug)?)?;
            let outcome = service::register_public(c, &settings, &event, &p, Some(link))?;
            tracing::debug!(?outcome, "public registration");
            Ok(())
        })
        .await?;
    Ok(())
}

/// What a public registration reads from this instance's memory (see [`submit_public`]).
pub struct Cached<'a> {
    pub programme: &'a crate::schedule::cache::ProgrammeCache,
    pub overrides: &'a crate::email::templates::Overrides,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// The token from the confirmation email's link.
    #[schema(required = true, nullable = false)]
    pub token: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmAnswer {
    pub registration: RegistrationOut,
    /// The attendee's manage token (for `/api/v1/me` and the page `/r/{token}`), also emailed.
    pub manage_token: String,
}

#[utoipa::path(post, path = "/api/v1/registrations/confirm", tag = "registrations",
    request_body = ConfirmRequest,
    responses((status = 200, body = ConfirmAnswer, description = "confirmed, or waitlisted when the fair is full"),
        (status = 404, description = "unknown token"), (status = 409, description = "already used"),
        (status = 410, description = "expired: register again with the same email for a new link"), (status = 429)))]
pub async fn confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Json<ConfirmRequest>,
) -> AppResult<HttpResponse> {
    state.limiter.check(&req)?;
    let (body, mut check) = body.into_parts().await?;
    let token = check.text("token", body.token, 200);
    check.done().map_err(AppError::Validation)?;
    let answer = confirm_token(&state, token.unwrap_or_default()).await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// Shared by the API route and the confirmation page.
pub async fn confirm_token(state: &web::Data<AppState>, token: String) -> AppResult<ConfirmAnswer> {
    let settings = state.settings.clone();
    let now = state.clock.now().naive_utc();
    let answer = state
        .db
        .write_grouped(move |c| {
            let done = service::confirm(c, &settings, &token, now)?;
            Ok(ConfirmAnswer {
                registration: RegistrationOut::of(&done.event.slug, &done.registration),
                manage_token: done.manage_token,
            })
        })
        .await?;
    Ok(answer)
}

/// Public registration and confirmation in the API.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_register, register);
    r.add(__path_confirm, confirm);
}
