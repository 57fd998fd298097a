//! The attendee's own routes, authenticated by a manage token (`Authorization: Bearer slr_…`):
//! `GET /me`, `DELETE /me` (cancel), `POST /me/erase`.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use futures_util::future::{ready, Ready};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{RegistrationOut, RegistrationRow};
use super::{service, tokens};
use crate::db::Conn;
use crate::error::{AppError, AppResult};
use crate::web::identity::owner_bearer;
use crate::web::AppState;

/// The registration a manage token belongs to.
pub struct Attendee {
    pub token: String,
}

impl FromRequest for Attendee {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(owner_bearer(req, tokens::PREFIX, "attendee").map(|token| Attendee { token }))
    }
}

/// The registration of a manage token, or 401.
pub fn resolve(c: &mut Conn, token: &str) -> AppResult<RegistrationRow> {
    let found = tokens::find(c, token, tokens::MANAGE)?
        .ok_or_else(|| AppError::Unauthorized("unknown or expired attendee token".into()))?;
    Ok(service::find_by_id(c, found.owner_id)?)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub registration: RegistrationOut,
    /// Seats booked in sessions (booking comes with the programme's booking feature).
    pub bookings: Vec<serde_json::Value>,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "attendee",
    responses((status = 200, body = Me), (status = 401)), security(("bearer" = [])))]
pub async fn get(state: web::Data<AppState>, who: Attendee) -> AppResult<HttpResponse> {
    let me = state
        .db
        .run(move |c| {
            let reg = resolve(c, &who.token)?;
            let event = crate::events::queries::find(c, reg.event_id)?;
            Ok(Me {
                registration: RegistrationOut::of(&event.slug, &reg),
                bookings: vec![],
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

#[utoipa::path(delete, path = "/api/v1/me", tag = "attendee",
    responses((status = 200, body = RegistrationOut, description = "cancelled; the first waitlisted attendee is promoted"), (status = 401), (status = 409)),
    security(("bearer" = [])))]
pub async fn cancel(state: web::Data<AppState>, who: Attendee) -> AppResult<HttpResponse> {
    let settings = state.settings.clone();
    let out = state
        .db
        .write(move |c| {
            let reg = resolve(c, &who.token)?;
            let event = crate::events::queries::lock_by_id(c, reg.event_id)?;
            let reg = service::find_by_id(c, reg.id)?;
            let reg = service::cancel(c, &settings, &event, &reg)?;
            Ok(RegistrationOut::of(&event.slug, &reg))
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(post, path = "/api/v1/me/erase", tag = "attendee",
    responses((status = 204, description = "personal data erased; the token no longer works"), (status = 401)),
    security(("bearer" = [])))]
pub async fn erase(state: web::Data<AppState>, who: Attendee) -> AppResult<HttpResponse> {
    let settings = state.settings.clone();
    state
        .db
        .write(move |c| {
            let reg = resolve(c, &who.token)?;
            let event = crate::events::queries::lock_by_id(c, reg.event_id)?;
            let reg = service::find_by_id(c, reg.id)?;
            service::erase(c, &settings, &event, &reg)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
