//! `POST /api/v1/events/{slug}/registrations` (public, or an organizer's walk-in) and
//! `POST /api/v1/registrations/confirm`.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use futures_util::future::{ready, LocalBoxFuture, Ready};
use serde::Serialize;
use utoipa::ToSchema;

use super::input::NewRegistration;
use super::model::RegistrationOut;
use super::service;
use crate::config::Settings;
use crate::db::Conn;
use crate::domain::Role;
use crate::email::templates::Overrides;
use crate::error::{AppError, AppResult};
use crate::schedule::cache::ProgrammeCache;
use crate::web::identity::OptionalOrganizer;
use crate::web::json::{confirmation_token, ConfirmRequest, Json};
use crate::web::{AppState, Reply, SlugPath, State};

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
    desk: service::Desk,
    state: State,
    req: HttpRequest,
    who: OptionalOrganizer,
    slug: SlugPath,
    body: Json<NewRegistration>,
) -> Reply {
    if who.0.is_none() {
        // Counted before the body is read: an anonymous client's budget covers the parse too.
        state.limiter.check(&req)?;
    }
    let (body, check) = body.into_parts().await?;
    let (slug, shape) = (slug.into_inner(), check.into_errors());
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

/// What a registration goes through ([`service::register`]), for this request: the app's
/// database and settings, its programme and template caches, and the time on its clock.
impl FromRequest for service::Desk {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let parts = || {
            let state = req.app_data::<State>()?;
            Some(service::Desk {
                db: state.db.clone(),
                settings: state.settings.clone(),
                programme: req
                    .app_data::<web::Data<ProgrammeCache>>()?
                    .clone()
                    .into_inner(),
                overrides: req.app_data::<web::Data<Overrides>>()?.clone().into_inner(),
                now: state.clock.now().naive_utc(),
            })
        };
        ready(parts().ok_or_else(|| AppError::internal("the registration desk is not set up")))
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
pub async fn confirm(link: Confirming) -> Reply {
    Ok(HttpResponse::Ok().json(confirm_token(link).await?))
}

/// Shared by the API route and the confirmation page. Confirmations come in bursts after a
/// mailing: they are group-committed (`db::group`).
pub async fn confirm_token(link: Confirming) -> AppResult<ConfirmAnswer> {
    link.write(true, |c, settings, token, now| {
        let done = service::confirm(c, settings, token, now)?;
        Ok(ConfirmAnswer {
            registration: RegistrationOut::of(&done.event.slug, &done.registration),
            manage_token: done.manage_token,
        })
    })
    .await
}

/// A confirmation link's token to use, with the app: from the body of the API's
/// `POST …/confirm` (an extractor: the address's rate limit first, then the body,
/// `web::json::confirmation_token`), or from a page's path ([`Confirming::of`]). Shared by the
/// attendees' and the exhibitors' confirmations.
pub struct Confirming {
    pub state: State,
    pub token: String,
}

impl FromRequest for Confirming {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, AppResult<Self>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let state = web::Data::<AppState>::extract(&req);
        let body = Json::<ConfirmRequest>::from_request(&req, payload);
        Box::pin(async move {
            let state = state
                .await
                .map_err(|_| AppError::internal("no application state"))?;
            let token = confirmation_token(&state, &req, body.await?).await?;
            Ok(Confirming { state, token })
        })
    }
}

impl Confirming {
    pub fn of(state: &State, token: String) -> Self {
        Confirming {
            state: state.clone(),
            token,
        }
    }

    /// Runs `confirm` on the token, with the settings and the time now, in one write
    /// transaction (`grouped`: committed with others, `Db::write_grouped`).
    pub async fn write<T: Send + 'static>(
        self,
        grouped: bool,
        confirm: impl FnOnce(&mut Conn, &Settings, &str, NaiveDateTime) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let (settings, token) = (self.state.settings.clone(), self.token);
        let now = self.state.clock.now().naive_utc();
        let work = move |c: &mut Conn| confirm(c, &settings, &token, now);
        if grouped {
            self.state.db.write_grouped(work).await
        } else {
            self.state.db.write(work).await
        }
    }
}

/// Public registration and confirmation in the API.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_register, register);
    r.add(__path_confirm, confirm);
}
