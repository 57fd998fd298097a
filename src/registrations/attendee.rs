//! The attendee's own routes, authenticated by a manage token (`Authorization: Bearer slr_…`):
//! `GET /me`, `DELETE /me` (cancel), `POST /me/erase`, `POST /me/bookings`,
//! `DELETE /me/bookings/{session_id}`.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use futures_util::future::{ready, Ready};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::bookings::{self, BookingOut};
use super::model::{BookingStatus, RegistrationOut, RegistrationRow, Status};
use super::{agenda, service, store};
use crate::auth::owner_tokens::{ATTENDEES as TOKENS, MANAGE};
use crate::config::Settings;
use crate::db::Conn;
use crate::error::{AppError, AppResult};
use crate::web::identity::owner_bearer;
use crate::web::json::{told_to_owner, Json};
use crate::web::{Reply, State};

/// The value of the [`crate::schedule::hooks::VISITOR_COOKIE`]: the registration's id signed
/// with the server's key. It lets the fair's pages show and change that attendee's seats, and
/// nothing else; unlike the agenda feed token (handed to calendar providers) it never leaves
/// the attendee's browser.
pub fn seat_cookie(secret: &str, registration_id: i64) -> String {
    let purpose = format!("salon seat cookie {registration_id}");
    format!(
        "{registration_id}.{}",
        crate::crypto::derived_token("", secret, &purpose)
    )
}

/// The registration a [`seat_cookie`] value was signed for, if it was.
pub fn seat_cookie_owner(secret: &str, value: &str) -> Option<i64> {
    let (id, _) = value.split_once('.')?;
    let id: i64 = id.parse().ok()?;
    crate::crypto::hashes_equal(&seat_cookie(secret, id), value).then_some(id)
}

/// The registration a manage token belongs to.
pub struct Attendee {
    pub token: String,
}

impl FromRequest for Attendee {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(owner_bearer(req, TOKENS.prefix, "attendee").map(|token| Attendee { token }))
    }
}

/// The registration of a manage token, or 401.
pub fn resolve(c: &mut Conn, token: &str) -> AppResult<RegistrationRow> {
    let found = TOKENS
        .find(c, token, MANAGE)?
        .ok_or_else(|| AppError::Unauthorized("unknown or expired attendee token".into()))?;
    Ok(store::find_by_id(c, found.owner_id)?)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub registration: RegistrationOut,
    /// Seats and waiting-list places in sessions of the published programme, by start.
    pub bookings: Vec<BookingOut>,
    /// The personal agenda feed (`/a/slf_….ics`) to subscribe to in a calendar app; only for
    /// confirmed attendees.
    pub agenda_url: Option<String>,
}

/// What `GET /me` and the attendee page show: bookings with their sessions, the feed link.
/// `manage_token`: the token the attendee came with (their feed is derived from it).
pub fn me(
    c: &mut Conn,
    settings: &Settings,
    reg: &RegistrationRow,
    manage_token: &str,
) -> AppResult<Me> {
    let event = crate::events::store::find(c, reg.event_id)?;
    let release = crate::schedule::releases::latest(c, event.id)?;
    let held = store::bookings_of(c, reg.id)?;
    let lang = reg.language();
    Ok(Me {
        registration: RegistrationOut::of(&event.slug, reg),
        bookings: held
            .iter()
            .map(|b| BookingOut::of(&event, release.as_ref(), b, lang))
            .collect(),
        agenda_url: (reg.status() == Status::Confirmed)
            .then(|| agenda::url(settings, manage_token)),
    })
}

#[utoipa::path(get, path = "/api/v1/me", tag = "attendee",
    responses((status = 200, body = Me), (status = 401)), security(("bearer" = [])))]
pub async fn get(state: State, who: Attendee) -> Reply {
    let settings = state.settings.clone();
    let me = state
        .db
        .run(move |c| {
            let reg = resolve(c, &who.token)?;
            me(c, &settings, &reg, &who.token)
        })
        .await?;
    Ok(HttpResponse::Ok().json(me))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBooking {
    /// A session of the published programme.
    #[schema(required = true, nullable = false)]
    pub session_id: Option<i64>,
}

/// Books a seat for the holder of `token`; `(booking, created)`.
pub fn book(c: &mut Conn, token: &str, session_id: i64) -> AppResult<(BookingOut, bool)> {
    let reg = resolve(c, token)?;
    let event = crate::events::store::lock_by_id(c, reg.event_id)?;
    let reg = store::find_by_id(c, reg.id)?;
    let (row, created) = bookings::book(c, &event, &reg, session_id)?;
    let release = crate::schedule::releases::latest(c, event.id)?;
    Ok((
        BookingOut::of(&event, release.as_ref(), &row, reg.language()),
        created,
    ))
}

/// Leaves a session for the holder of `token`.
pub fn leave(c: &mut Conn, token: &str, session_id: i64) -> AppResult<()> {
    let reg = resolve(c, token)?;
    let event = crate::events::store::lock_by_id(c, reg.event_id)?;
    let reg = store::find_by_id(c, reg.id)?;
    bookings::leave(c, &event, &reg, session_id)
}

#[utoipa::path(post, path = "/api/v1/me/bookings", tag = "attendee", request_body = NewBooking,
    responses((status = 201, body = BookingOut, description = "a seat is yours"),
        (status = 202, body = BookingOut, description = "the session is full: you are on its waiting list"),
        (status = 200, body = BookingOut, description = "you already hold this seat or place; nothing changed"),
        (status = 401), (status = 404, description = "no such session in the published programme"),
        (status = 409, description = "overlaps another of your sessions, or the registration is not confirmed"),
        (status = 422)),
    security(("bearer" = [])))]
pub async fn create_booking(state: State, who: Attendee, body: Json<NewBooking>) -> Reply {
    let parsed = body.into_parts().await.and_then(|(body, mut check)| {
        let session_id = check.required("session_id", body.session_id);
        check.done().map_err(AppError::Validation)?;
        Ok(session_id.unwrap_or_default())
    });
    let token = who.token.clone();
    let session_id = told_to_owner(parsed, || {
        state.db.run(move |c| resolve(c, &token).map(|_| ()))
    })
    .await?;
    let (out, created) = state
        .db
        .write_grouped(move |c| book(c, &who.token, session_id))
        .await?;
    let mut res = match (created, out.status) {
        (false, _) => HttpResponse::Ok(),
        (true, BookingStatus::Booked) => HttpResponse::Created(),
        (true, BookingStatus::Waitlisted) => HttpResponse::Accepted(),
    };
    Ok(res.json(out))
}

#[utoipa::path(delete, path = "/api/v1/me/bookings/{session_id}", tag = "attendee",
    params(("session_id" = i64, Path)),
    responses((status = 204, description = "seat freed; the first waitlisted attendee gets it"),
        (status = 401), (status = 404, description = "you hold no seat in this session")),
    security(("bearer" = [])))]
pub async fn delete_booking(state: State, who: Attendee, session_id: web::Path<i64>) -> Reply {
    let session_id = session_id.into_inner();
    state
        .db
        .write_grouped(move |c| leave(c, &who.token, session_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(delete, path = "/api/v1/me", tag = "attendee",
    responses((status = 200, body = RegistrationOut, description = "cancelled; the first waitlisted attendee is promoted"), (status = 401), (status = 409)),
    security(("bearer" = [])))]
pub async fn cancel(state: State, who: Attendee) -> Reply {
    let settings = state.settings.clone();
    let out = state
        .db
        .write(move |c| {
            let reg = resolve(c, &who.token)?;
            let event = crate::events::store::lock_by_id(c, reg.event_id)?;
            let reg = store::find_by_id(c, reg.id)?;
            let reg = service::cancel(c, &settings, &event, &reg)?;
            Ok(RegistrationOut::of(&event.slug, &reg))
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(post, path = "/api/v1/me/erase", tag = "attendee",
    responses((status = 204, description = "personal data erased; the token no longer works"), (status = 401)),
    security(("bearer" = [])))]
pub async fn erase(state: State, who: Attendee) -> Reply {
    let settings = state.settings.clone();
    state
        .db
        .write(move |c| {
            let reg = resolve(c, &who.token)?;
            let event = crate::events::store::lock_by_id(c, reg.event_id)?;
            let reg = store::find_by_id(c, reg.id)?;
            service::erase(c, &settings, &event, &reg)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The programme pages' view of a visiting attendee (see `schedule::hooks::Seats`).
pub struct VisitorSeats {
    /// The server's key, which signs the seat cookie.
    pub secret: String,
}

impl crate::schedule::hooks::Seats for VisitorSeats {
    fn of_visitor(
        &self,
        c: &mut Conn,
        event_id: i64,
        cookie: &str,
    ) -> AppResult<Option<crate::schedule::hooks::VisitorSeats>> {
        let Some(registration) = seat_cookie_owner(&self.secret, cookie) else {
            return Ok(None);
        };
        let reg = store::find_by_id(c, registration)?;
        if reg.event_id != event_id || reg.status() != Status::Confirmed {
            return Ok(None);
        }
        let mut seats = crate::schedule::hooks::VisitorSeats::default();
        for b in store::bookings_of(c, reg.id)? {
            match b.status() {
                BookingStatus::Booked => seats.booked.insert(b.session_id),
                BookingStatus::Waitlisted => seats.waitlisted.insert(b.session_id),
            };
        }
        Ok(Some(seats))
    }
}

/// The attendee's own registration and seats (`/api/v1/me`).
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_get, get);
    r.add(__path_cancel, cancel);
    r.add(__path_erase, erase);
    r.add(__path_create_booking, create_booking);
    r.add(__path_delete_booking, delete_booking);
}
