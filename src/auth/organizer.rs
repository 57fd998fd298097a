//! The organizer model, its queries, and the `Organizer` request extractor.

use actix_web::dev::Payload;
use actix_web::{http::header, web, FromRequest, HttpRequest};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use futures_util::future::LocalBoxFuture;

use crate::app::AppState;
use crate::db::schema::{api_tokens, organizers};
use crate::db::Conn;
use crate::domain::{EmailAddress, Role};
use crate::error::{AppError, AppResult};
use crate::run;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizers)]
pub struct OrganizerRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: NaiveDateTime,
}

/// An authenticated organizer (from a valid, unrevoked `slt_` bearer token).
#[derive(Debug, Clone)]
pub struct Organizer {
    pub id: i64,
    pub role: Role,
    pub token_id: i64,
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

/// An organizer if the request carries an organizer token, none if it carries no credentials.
/// A bad token is still 401: a client that sends credentials wants to know they failed.
pub struct OptionalOrganizer(pub Option<Organizer>);

impl OptionalOrganizer {
    /// Whether this caller may read what only organizers (viewer and up) see.
    pub fn can_view(&self) -> bool {
        self.0.as_ref().is_some_and(|o| o.role.allows(Role::Viewer))
    }
}

fn bearer(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| AppError::Unauthorized("malformed Authorization header".into()))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| AppError::Unauthorized("expected `Authorization: Bearer <token>`".into()))?;
    Ok(Some(token.trim().to_string()))
}

async fn authenticate(state: web::Data<AppState>, token: String) -> AppResult<Organizer> {
    if !token.starts_with(super::ORGANIZER_PREFIX) {
        return Err(AppError::Unauthorized(
            "this route needs an organizer token".into(),
        ));
    }
    let hash = super::token_hash(&token);
    let found = state
        .db
        .run(move |c| find_token(c, &hash).map_err(AppError::from))
        .await?;
    let (token_id, stored_hash, organizer_id, role) =
        found.ok_or_else(|| AppError::Unauthorized("unknown or revoked token".into()))?;
    if !super::hashes_equal(&stored_hash, &super::token_hash(&token)) {
        return Err(AppError::Unauthorized("unknown or revoked token".into()));
    }
    let role = role
        .parse::<Role>()
        .map_err(|e| AppError::internal(format!("organizer {organizer_id}: {e}")))?;
    Ok(Organizer {
        id: organizer_id,
        role,
        token_id,
    })
}

impl FromRequest for Organizer {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token = token?.ok_or_else(|| {
                AppError::Unauthorized(
                    "this route needs `Authorization: Bearer <organizer token>`".into(),
                )
            })?;
            let state = state.ok_or_else(|| AppError::internal("application state missing"))?;
            authenticate(state, token).await
        })
    }
}

impl FromRequest for OptionalOrganizer {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            match token? {
                None => Ok(OptionalOrganizer(None)),
                Some(token) => {
                    let state =
                        state.ok_or_else(|| AppError::internal("application state missing"))?;
                    authenticate(state, token)
                        .await
                        .map(|o| OptionalOrganizer(Some(o)))
                }
            }
        })
    }
}

/// (token id, token hash, organizer id, role) of an unrevoked token.
fn find_token(c: &mut Conn, hash: &str) -> QueryResult<Option<(i64, String, i64, String)>> {
    run!(c, |c| api_tokens::table
        .inner_join(organizers::table)
        .filter(api_tokens::token_hash.eq(hash))
        .filter(api_tokens::revoked_at.is_null())
        .select((
            api_tokens::id,
            api_tokens::token_hash,
            organizers::id,
            organizers::role
        ))
        .first(c)
        .optional())
}

pub fn find_by_email(c: &mut Conn, email: &EmailAddress) -> QueryResult<Option<OrganizerRow>> {
    run!(c, |c| organizers::table
        .filter(organizers::email.eq(email.as_str()))
        .select(OrganizerRow::as_select())
        .first(c)
        .optional())
}

/// Creates an organizer account; 409 if the email already has one.
pub fn create(
    c: &mut Conn,
    email: &EmailAddress,
    password_hash: &str,
    role: Role,
) -> AppResult<i64> {
    if find_by_email(c, email)?.is_some() {
        return Err(AppError::Conflict(format!(
            "an organizer with email {email} already exists"
        )));
    }
    let now = crate::db::now();
    let id = run!(c, |c| diesel::insert_into(organizers::table)
        .values((
            organizers::email.eq(email.as_str()),
            organizers::password_hash.eq(password_hash),
            organizers::role.eq(role.as_str()),
            organizers::created_at.eq(now),
        ))
        .returning(organizers::id)
        .get_result::<i64>(c))?;
    Ok(id)
}

/// Stores a new token for an organizer; returns its id.
pub fn insert_token(c: &mut Conn, organizer_id: i64, name: &str, hash: &str) -> QueryResult<i64> {
    let now = crate::db::now();
    run!(c, |c| diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::organizer_id.eq(organizer_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(hash),
            api_tokens::created_at.eq(now),
        ))
        .returning(api_tokens::id)
        .get_result::<i64>(c))
}

/// The owner of a token and whether it is already revoked.
pub fn token_owner(
    c: &mut Conn,
    token_id: i64,
) -> QueryResult<Option<(i64, Option<NaiveDateTime>)>> {
    run!(c, |c| api_tokens::table
        .find(token_id)
        .select((api_tokens::organizer_id, api_tokens::revoked_at))
        .first(c)
        .optional())
}

pub fn revoke_token(c: &mut Conn, token_id: i64) -> QueryResult<usize> {
    let now = crate::db::now();
    run!(c, |c| diesel::update(api_tokens::table.find(token_id))
        .set(api_tokens::revoked_at.eq(Some(now)))
        .execute(c))
}
