//! Exhibitor tokens (`sle_`): single-use expiring confirmation tokens and manage tokens,
//! stored as hashes (the same scheme as attendees' `slr_` tokens).

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::db::schema::exhibitor_tokens;
use crate::db::Conn;
use crate::run;

pub const PREFIX: &str = "sle_";
pub const CONFIRM: &str = "confirm";
pub const MANAGE: &str = "manage";

pub fn mint(
    c: &mut Conn,
    exhibitor_id: i64,
    purpose: &str,
    ttl: Option<TimeDelta>,
) -> QueryResult<String> {
    let token = crate::auth::new_token(PREFIX);
    let now = crate::db::now();
    run!(c, |c| diesel::insert_into(exhibitor_tokens::table)
        .values((
            exhibitor_tokens::exhibitor_id.eq(exhibitor_id),
            exhibitor_tokens::purpose.eq(purpose),
            exhibitor_tokens::token_hash.eq(crate::auth::token_hash(&token)),
            exhibitor_tokens::expires_at.eq(ttl.map(|t| now + t)),
            exhibitor_tokens::created_at.eq(now),
        ))
        .execute(c))?;
    Ok(token)
}

pub struct Found {
    pub id: i64,
    pub exhibitor_id: i64,
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
    let row: Option<Row> = run!(c, |c| exhibitor_tokens::table
        .filter(exhibitor_tokens::token_hash.eq(&hash))
        .filter(exhibitor_tokens::purpose.eq(purpose))
        .select((
            exhibitor_tokens::id,
            exhibitor_tokens::exhibitor_id,
            exhibitor_tokens::token_hash,
            exhibitor_tokens::expires_at,
            exhibitor_tokens::used_at,
        ))
        .first(c)
        .optional())?;
    Ok(row
        .filter(|(_, _, stored, _, _)| crate::auth::hashes_equal(stored, &hash))
        .map(|(id, exhibitor_id, _, expires_at, used_at)| Found {
            id,
            exhibitor_id,
            expires_at,
            used_at,
        }))
}

pub fn mark_used(c: &mut Conn, id: i64) -> QueryResult<()> {
    let now = crate::db::now();
    run!(c, |c| diesel::update(exhibitor_tokens::table.find(id))
        .set(exhibitor_tokens::used_at.eq(Some(now)))
        .execute(c))?;
    Ok(())
}
