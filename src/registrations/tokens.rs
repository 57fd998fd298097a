//! Registration tokens (`slr_`): single-use, expiring confirmation tokens, and manage tokens
//! minted for each email that carries a link to the attendee's page. Stored as hashes.

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::db::schema::registration_tokens;
use crate::db::Conn;
use crate::run;

pub const PREFIX: &str = "slr_";
pub const CONFIRM: &str = "confirm";
pub const MANAGE: &str = "manage";

/// Mints a token for a registration; `ttl` None means it does not expire.
pub fn mint(
    c: &mut Conn,
    registration_id: i64,
    purpose: &str,
    ttl: Option<TimeDelta>,
) -> QueryResult<String> {
    let token = crate::auth::new_token(PREFIX);
    let now = crate::db::now();
    run!(c, |c| diesel::insert_into(registration_tokens::table)
        .values((
            registration_tokens::registration_id.eq(registration_id),
            registration_tokens::purpose.eq(purpose),
            registration_tokens::token_hash.eq(crate::auth::token_hash(&token)),
            registration_tokens::expires_at.eq(ttl.map(|t| now + t)),
            registration_tokens::created_at.eq(now),
        ))
        .execute(c))?;
    Ok(token)
}

/// A token found by its value.
pub struct Found {
    pub id: i64,
    pub registration_id: i64,
    pub expires_at: Option<NaiveDateTime>,
    pub used_at: Option<NaiveDateTime>,
}

pub fn find(c: &mut Conn, token: &str, purpose: &str) -> QueryResult<Option<Found>> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let hash = crate::auth::token_hash(token);
    type Row = (
        i64,
        i64,
        String,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
    );
    let row: Option<Row> = run!(c, |c| registration_tokens::table
        .filter(registration_tokens::token_hash.eq(&hash))
        .filter(registration_tokens::purpose.eq(purpose))
        .select((
            registration_tokens::id,
            registration_tokens::registration_id,
            registration_tokens::token_hash,
            registration_tokens::expires_at,
            registration_tokens::used_at,
        ))
        .first(c)
        .optional())?;
    Ok(row
        .filter(|(_, _, stored, _, _)| crate::auth::hashes_equal(stored, &hash))
        .map(|(id, registration_id, _, expires_at, used_at)| Found {
            id,
            registration_id,
            expires_at,
            used_at,
        }))
}

pub fn mark_used(c: &mut Conn, id: i64) -> QueryResult<()> {
    let now = crate::db::now();
    run!(c, |c| diesel::update(registration_tokens::table.find(id))
        .set(registration_tokens::used_at.eq(Some(now)))
        .execute(c))?;
    Ok(())
}

/// Forgets every token of a registration (erasure).
pub fn delete_all(c: &mut Conn, registration_id: i64) -> QueryResult<()> {
    run!(c, |c| diesel::delete(registration_tokens::table.filter(
        registration_tokens::registration_id.eq(registration_id)
    ))
    .execute(c))?;
    Ok(())
}
