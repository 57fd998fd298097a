//! Organizer accounts and their tokens: the queries, and the [`Authenticator`] that the web
//! edge's `Organizer` extractor calls.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{api_tokens, organizers};
use crate::db::Conn;
use crate::domain::{EmailAddress, Role};
use crate::error::{AppError, AppResult};
use crate::run;
use crate::web::identity::{Authenticator, Organizer};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizers)]
pub struct OrganizerRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: NaiveDateTime,
}

/// The organizer [`Authenticator`]: an unrevoked token, looked up by its hash (indexed) and
/// compared again in constant time.
pub struct Tokens(pub crate::db::Db);

impl Authenticator for Tokens {
    fn organizer(&self, token: &str) -> AppResult<Option<Organizer>> {
        let hash = crate::crypto::token_hash(token);
        let mut pooled = self.0.get()?;
        let Some((token_id, stored_hash, organizer_id, role)) =
            find_token(&mut pooled.conn(), &hash)?
        else {
            return Ok(None);
        };
        if !crate::crypto::hashes_equal(&stored_hash, &hash) {
            return Ok(None);
        }
        let role = role
            .parse::<Role>()
            .map_err(|e| AppError::internal(format!("organizer {organizer_id}: {e}")))?;
        Ok(Some(Organizer {
            id: organizer_id,
            role,
            token_id,
        }))
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
