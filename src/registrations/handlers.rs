//! `POST /api/v1/events/{slug}/registrations` (public, or an organizer's walk-in) and
//! `POST /api/v1/registrations/confirm`.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::input::NewRegistration;
use super::model::RegistrationOut;
use super::service;
use crate::domain::Role;
use crate::email::templates::Overrides;
use crate::error::AppResult;
use crate::schedule::cache::ProgrammeCache;
use crate::web::identity::OptionalOrganizer;
use crate::web::json::{confirmation_token, ConfirmRequest, Json};
use crate::web::AppState;

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
    programme: web::Data<ProgrammeCache>,
    overrides: web::Data<Overrides>,
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
    let (slug, shape) = (slug.into_inner(), check.into_errors());
    let desk = desk(&state, &programme, &overrides);
    match who.0 {
        Some(org) => {
            org.require(Role::Editor)?;
            let out = service::register_walk_in(&desk, org.id, slug, body, shape).await?;
            Ok(HttpResponse::Created().json(out))
        }
        None => {
            service::register(&desk, slug, body, shape).await?;
            Ok(HttpResponse::Accepted().json(ACCEPTED))
        }
    }
}

/// What a registration goes through ([`service::register`]), for this request.
pub fn desk<'a>(
    state: &'a AppState,
    programme: &'a ProgrammeCache,
    overrides: &'a Overrides,
) -> service::Desk<'a> {
    service::Desk {
        db: &state.db,
        settings: &state.settings,
        programme,
        overrides,
        now: state.clock.now().naive_utc(),
    }
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
    let token = confirmation_token(&state, &req, body).await?;
    let answer = confirm_token(&state, token).await?;
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
