//! Console sessions: a browser signed in as an organizer. The cookie holds an `slc_` token
//! (256 random bits); only its hash is stored. A session ends when its organizer signs out,
//! after [`IDLE`] without a request or [`LIFETIME`] in all, and when the password changes
//! (the organizer's other sessions). An account keeps at most [`PER_ACCOUNT`] sessions: a new
//! sign-in ends the oldest beyond that.

use chrono::{Duration, NaiveDateTime};

use super::store;
use crate::db::Conn;
use crate::domain::{Language, Role};
use crate::error::{AppError, AppResult};
use crate::web::identity::{Organizer, Signed};

/// A session unused this long is over.
pub const IDLE: Duration = Duration::hours(12);
/// A session is over this long after sign-in, used or not.
pub const LIFETIME: Duration = Duration::days(14);
/// Live sessions one account may hold.
pub const PER_ACCOUNT: usize = 10;
/// The idle clock restarts at most this often (a write per request would be waste).
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// Starts a session for `organizer_id`; the token for the cookie.
pub fn start(c: &mut Conn, organizer_id: i64, now: NaiveDateTime) -> AppResult<String> {
    let token = crate::crypto::new_token(crate::domain::CONSOLE_SESSION_PREFIX);
    let hash = crate::crypto::token_hash(&token);
    store::insert_console_session(c, organizer_id, &hash, now)?;
    let beyond: Vec<i64> = store::console_sessions_of(c, organizer_id)?
        .into_iter()
        .skip(PER_ACCOUNT)
        .map(|(id, _)| id)
        .collect();
    if !beyond.is_empty() {
        store::delete_console_sessions(c, &beyond)?;
    }
    Ok(token)
}

/// The organizer of a live session; an expired session is ended on the way.
pub fn resolve(
    c: &mut Conn,
    token: &str,
    chosen: Option<Language>,
    now: NaiveDateTime,
) -> AppResult<Option<Signed>> {
    let hash = crate::crypto::token_hash(token);
    let Some((session, organizer)) = store::find_console_session(c, &hash)? else {
        return Ok(None);
    };
    if !crate::crypto::hashes_equal(&session.token_hash, &hash)
        || organizer.deactivated_at.is_some()
    {
        return Ok(None);
    }
    if now - session.last_seen_at > IDLE || now - session.created_at > LIFETIME {
        store::delete_console_session(c, session.id)?;
        return Ok(None);
    }
    if now - session.last_seen_at > TOUCH_EVERY {
        store::touch_console_session(c, session.id, now)?;
    }
    let mut language = organizer.language.as_deref().and_then(|l| l.parse().ok());
    if chosen.is_some() && chosen != language {
        language = chosen;
        if let Some(l) = chosen {
            store::set_organizer_language(c, organizer.id, l.code())?;
        }
    }
    let role = organizer
        .role
        .parse::<Role>()
        .map_err(|e| AppError::internal(format!("organizer {}: {e}", organizer.id)))?;
    let needs_two_factor = organizer.two_factor().is_none() && store::two_factor_required(c)?;
    Ok(Some(Signed {
        organizer: Organizer {
            id: organizer.id,
            role,
        },
        session_id: session.id,
        email: organizer.email,
        language,
        needs_two_factor,
    }))
}

/// Ends the session `id` (sign-out).
pub fn end(c: &mut Conn, id: i64) -> AppResult<()> {
    Ok(store::delete_console_session(c, id)?)
}

/// Ends every session of `organizer_id` but `keep` (a password change ends the others).
pub fn end_others(c: &mut Conn, organizer_id: i64, keep: Option<i64>) -> AppResult<()> {
    let others: Vec<i64> = store::console_sessions_of(c, organizer_id)?
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| Some(*id) != keep)
        .collect();
    Ok(store::delete_console_sessions(c, &others)?)
}
