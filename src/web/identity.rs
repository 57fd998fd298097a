//! Who is calling: the one bearer-token parser, and the organizer extractors.
//!
//! Every credential travels as `Authorization: Bearer <token>` (the scheme name in any case,
//! RFC 9110 §11.1); the token's prefix says what it is (`slt_` organizer, `slr_` attendee,
//! `sle_` exhibitor). Checking an organizer token needs the `auth` area's tables, so the check
//! itself is an [`Authenticator`] that the app puts in the [`AppState`](super::AppState);
//! areas only see the resulting [`Organizer`].

use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{http::header, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;

use crate::domain::Role;
use crate::error::{AppError, AppResult};

/// The token of `Authorization: Bearer <token>`, if the header is there. A header in another
/// form is a 401: a client that sends credentials wants to know they failed.
pub fn bearer(req: &HttpRequest) -> AppResult<Option<String>> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| AppError::Unauthorized("malformed Authorization header".into()))?;
    let (scheme, token) = value
        .trim()
        .split_once(' ')
        .ok_or_else(|| AppError::Unauthorized("expected `Authorization: Bearer <token>`".into()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(AppError::Unauthorized(
            "expected `Authorization: Bearer <token>`".into(),
        ));
    }
    Ok(Some(token.trim().to_string()))
}

/// The bearer token of a route that only `prefix` tokens open (`slr_` attendee, `sle_`
/// exhibitor); `who` names the holder in the 401.
pub fn owner_bearer(req: &HttpRequest, prefix: &str, who: &str) -> AppResult<String> {
    match bearer(req)? {
        Some(t) if t.starts_with(prefix) => Ok(t),
        Some(_) => Err(AppError::Unauthorized(format!(
            "this route needs the {who}'s own token ({prefix}…)"
        ))),
        None => Err(AppError::Unauthorized(format!(
            "this route needs `Authorization: Bearer <{who} token>`"
        ))),
    }
}

/// An authenticated organizer (from a valid, unrevoked `slt_` bearer token).
#[derive(Debug, Clone)]
pub struct Organizer {
    pub id: i64,
    pub role: Role,
}

impl Organizer {
    /// 403 unless this organizer's role covers `needed`.
    pub fn require(&self, needed: Role) -> AppResult<()> {
        if self.role.allows(needed) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "this needs the {needed} role; your role is {}",
                self.role
            )))
        }
    }
}

/// Resolves an organizer token to its organizer; `None` when unknown or revoked. Blocking (it
/// reads the database): the extractors call it off the async workers.
pub trait Authenticator: Send + Sync {
    fn organizer(&self, token: &str) -> AppResult<Option<Organizer>>;

    /// The organizer signed in with console session `token`, if it is live at `now`; the
    /// session's idle clock restarts, and `chosen` (a language picked with `?lang=`) is kept
    /// on the account.
    fn console(
        &self,
        token: &str,
        chosen: Option<crate::domain::Language>,
        now: chrono::NaiveDateTime,
    ) -> AppResult<Option<Signed>>;
}

/// An organizer signed in to the console (see `web::console`).
#[derive(Debug, Clone)]
pub struct Signed {
    pub organizer: Organizer,
    pub session_id: i64,
    pub email: String,
    /// The language the organizer reads the console in, once chosen.
    pub language: Option<crate::domain::Language>,
    /// The admins require two-factor sign-in and this organizer has not turned it on: only
    /// their account page is open to them.
    pub needs_two_factor: bool,
}

/// An organizer if the request carries an organizer token, none if it carries no credentials.
/// A bad token is still 401.
pub struct OptionalOrganizer(pub Option<Organizer>);

impl OptionalOrganizer {
    /// Whether this caller may read what only organizers (viewer and up) see.
    pub fn can_view(&self) -> bool {
        self.0.as_ref().is_some_and(|o| o.role.allows(Role::Viewer))
    }
}

async fn authenticate(
    authenticator: Option<Arc<dyn Authenticator>>,
    token: String,
) -> AppResult<Organizer> {
    if !token.starts_with(crate::domain::ORGANIZER_TOKEN_PREFIX) {
        return Err(AppError::Unauthorized(
            "this route needs an organizer token".into(),
        ));
    }
    let authenticator =
        authenticator.ok_or_else(|| AppError::internal("no organizer authenticator"))?;
    web::block(move || authenticator.organizer(&token))
        .await??
        .ok_or_else(|| AppError::Unauthorized("unknown or revoked token".into()))
}

/// The app's [`Authenticator`], from its state.
fn authenticator_of(req: &HttpRequest) -> Option<Arc<dyn Authenticator>> {
    let state = req.app_data::<super::State>()?;
    Some(state.authenticator.clone())
}

impl FromRequest for Organizer {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let authenticator = authenticator_of(req);
        Box::pin(async move {
            let token = token?.ok_or_else(|| {
                AppError::Unauthorized(
                    "this route needs `Authorization: Bearer <organizer token>`".into(),
                )
            })?;
            authenticate(authenticator, token).await
        })
    }
}

/// An organizer's call about one item of a fair (`…/events/{slug}/<items>/{id}`): the app, who
/// calls, the fair's slug and the item's id, extracted in that order as they would be one by one.
pub struct OnItem {
    pub state: super::State,
    pub who: Organizer,
    pub slug: String,
    pub id: i64,
}

impl FromRequest for OnItem {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parts = <(super::State, Organizer, super::ItemPath)>::from_request(req, payload);
        Box::pin(async move {
            let (state, who, path) = parts.await?;
            let (slug, id) = path.into_inner();
            Ok(OnItem {
                state,
                who,
                slug,
                id,
            })
        })
    }
}

impl FromRequest for OptionalOrganizer {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    /// The public without an `Authorization` header; with one, it must hold a valid token,
    /// as for [`Organizer`].
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        if let Ok(None) = bearer(req) {
            return Box::pin(std::future::ready(Ok(OptionalOrganizer(None))));
        }
        let organizer = Organizer::from_request(req, payload);
        Box::pin(async move { organizer.await.map(|o| OptionalOrganizer(Some(o))) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn parse(value: &str) -> AppResult<Option<String>> {
        bearer(
            &TestRequest::default()
                .insert_header(("authorization", value))
                .to_http_request(),
        )
    }

    #[test]
    fn the_scheme_is_case_insensitive_and_required() {
        assert_eq!(parse("Bearer abc").ok().flatten().as_deref(), Some("abc"));
        assert_eq!(parse("bearer abc").ok().flatten().as_deref(), Some("abc"));
        assert_eq!(parse("BEARER  abc ").ok().flatten().as_deref(), Some("abc"));
        assert!(parse("Basic abc").is_err());
        assert!(parse("Bearer").is_err());
        assert!(parse("Bearer   ").is_err());
        assert!(bearer(&TestRequest::default().to_http_request())
            .ok()
            .flatten()
            .is_none());
    }
}
