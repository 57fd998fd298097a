//! The queries of the auth area's tables: organizers, their API tokens and console sessions,
//! two-factor secrets and recovery codes, the team's policy, and the link tokens of attendees
//! and exhibitors (`owner_tokens`).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    api_tokens, console_sessions, link_tokens, organizer_invites, organizers, recovery_codes,
    team_policy,
};
use crate::db::Conn;
use crate::domain::{EmailAddress, Role};
use crate::run;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizers)]
pub struct OrganizerRow {
    pub id: i64,
    pub email: String,
    pub password_hash: String,
    pub role: String,
    pub created_at: NaiveDateTime,
    /// The console's language this organizer chose, if any.
    pub language: Option<String>,
    /// When `salon admin unlock` or `reset-password` last lifted its sign-in lock.
    pub unlocked_at: Option<NaiveDateTime>,
    /// Set while an admin has deactivated the account: it cannot sign in.
    pub deactivated_at: Option<NaiveDateTime>,
    /// The two-factor secret (base32); it counts once `totp_enabled_at` is set.
    pub totp_secret: Option<String>,
    pub totp_enabled_at: Option<NaiveDateTime>,
    /// The last time step a two-factor code was accepted for: that code cannot serve again.
    pub totp_last_step: Option<i64>,
}

impl OrganizerRow {
    /// The two-factor secret, when two-factor sign-in is on.
    pub fn two_factor(&self) -> Option<&str> {
        self.totp_enabled_at.and(self.totp_secret.as_deref())
    }
}

/// An organizer's API token as its owner sees it (never the token, which only its hash keeps).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// The organizer's API tokens, newest first.
pub fn tokens_of(c: &mut Conn, organizer_id: i64) -> QueryResult<Vec<TokenRow>> {
    run!(c, |c| api_tokens::table
        .filter(api_tokens::organizer_id.eq(organizer_id))
        .order(api_tokens::id.desc())
        .select(TokenRow::as_select())
        .load(c))
}

/// An invitation to choose a password, as stored (the token only as its hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizer_invites)]
pub struct InviteRow {
    pub id: i64,
    pub organizer_id: i64,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

/// (token id, token hash, organizer id, role) of an unrevoked token.
pub fn find_token(c: &mut Conn, hash: &str) -> QueryResult<Option<(i64, String, i64, String)>> {
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

/// Stores an organizer account; returns its id.
pub fn insert_organizer(
    c: &mut Conn,
    email: &EmailAddress,
    password_hash: &str,
    role: Role,
) -> QueryResult<i64> {
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

/// Every organizer account, oldest first.
pub fn organizers(c: &mut Conn) -> QueryResult<Vec<OrganizerRow>> {
    run!(c, |c| organizers::table
        .order(organizers::id.asc())
        .select(OrganizerRow::as_select())
        .load(c))
}

/// Replaces an organizer's password hash.
pub fn set_password_hash(c: &mut Conn, id: i64, hash: &str) -> QueryResult<()> {
    run!(c, |c| diesel::update(organizers::table.find(id))
        .set(organizers::password_hash.eq(hash))
        .execute(c))?;
    Ok(())
}

/// The organizer `id`, if any.
pub fn find_organizer(c: &mut Conn, id: i64) -> QueryResult<Option<OrganizerRow>> {
    run!(c, |c| organizers::table
        .find(id)
        .select(OrganizerRow::as_select())
        .first(c)
        .optional())
}

pub fn set_role(c: &mut Conn, id: i64, role: Role) -> QueryResult<()> {
    run!(c, |c| diesel::update(organizers::table.find(id))
        .set(organizers::role.eq(role.as_str()))
        .execute(c))?;
    Ok(())
}

/// Deactivates the organizer as of `at`, or reactivates it (`None`).
pub fn set_deactivated(c: &mut Conn, id: i64, at: Option<NaiveDateTime>) -> QueryResult<()> {
    run!(c, |c| diesel::update(organizers::table.find(id))
        .set(organizers::deactivated_at.eq(at))
        .execute(c))?;
    Ok(())
}

/// Stores an invitation of `organizer_id` (its token's hash), working until `expires_at`.
pub fn insert_invite(
    c: &mut Conn,
    organizer_id: i64,
    token_hash: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<()> {
    run!(c, |c| diesel::insert_into(organizer_invites::table)
        .values((
            organizer_invites::organizer_id.eq(organizer_id),
            organizer_invites::token_hash.eq(token_hash),
            organizer_invites::expires_at.eq(expires_at),
            organizer_invites::created_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// The invitation whose token hashes to `token_hash`, if any.
pub fn find_invite(c: &mut Conn, token_hash: &str) -> QueryResult<Option<InviteRow>> {
    run!(c, |c| organizer_invites::table
        .filter(organizer_invites::token_hash.eq(token_hash))
        .select(InviteRow::as_select())
        .first(c)
        .optional())
}

pub fn mark_invite_used(c: &mut Conn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    run!(c, |c| diesel::update(organizer_invites::table.find(id))
        .set(organizer_invites::used_at.eq(Some(now)))
        .execute(c))?;
    Ok(())
}

/// Notes that the organizer's sign-in lock is lifted as of `now` (see `auth::throttle`).
pub fn set_unlocked(c: &mut Conn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    run!(c, |c| diesel::update(organizers::table.find(id))
        .set(organizers::unlocked_at.eq(Some(now)))
        .execute(c))?;
    Ok(())
}

/// Revokes every live API token of an organizer; how many.
pub fn revoke_tokens_of(c: &mut Conn, organizer_id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    run!(c, |c| diesel::update(
        api_tokens::table
            .filter(api_tokens::organizer_id.eq(organizer_id))
            .filter(api_tokens::revoked_at.is_null())
    )
    .set(api_tokens::revoked_at.eq(Some(now)))
    .execute(c))
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

/// A new link token (`owner_tokens`): exactly one of the owners is set.
#[derive(Insertable)]
#[diesel(table_name = link_tokens)]
pub struct NewLinkToken<'a> {
    pub registration_id: Option<i64>,
    pub exhibitor_id: Option<i64>,
    pub purpose: &'a str,
    pub token_hash: &'a str,
    pub expires_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

pub fn insert_link_token(c: &mut Conn, token: &NewLinkToken) -> QueryResult<()> {
    run!(c, |c| diesel::insert_into(link_tokens::table)
        .values(token)
        .execute(c))?;
    Ok(())
}

/// A stored link token: (id, registration, exhibitor, stored hash, expires, used).
pub type LinkTokenRow = (
    i64,
    Option<i64>,
    Option<i64>,
    String,
    Option<NaiveDateTime>,
    Option<NaiveDateTime>,
);

/// The link token of `purpose` whose stored key is `hash`.
pub fn find_link_token(
    c: &mut Conn,
    hash: &str,
    purpose: &str,
) -> QueryResult<Option<LinkTokenRow>> {
    run!(c, |c| link_tokens::table
        .filter(link_tokens::token_hash.eq(hash))
        .filter(link_tokens::purpose.eq(purpose))
        .select((
            link_tokens::id,
            link_tokens::registration_id,
            link_tokens::exhibitor_id,
            link_tokens::token_hash,
            link_tokens::expires_at,
            link_tokens::used_at,
        ))
        .first(c)
        .optional())
}

pub fn mark_link_token_used(c: &mut Conn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    run!(c, |c| diesel::update(link_tokens::table.find(id))
        .set(link_tokens::used_at.eq(Some(now)))
        .execute(c))?;
    Ok(())
}

/// Deletes every link token of a registration.
pub fn delete_registration_link_tokens(c: &mut Conn, registration_id: i64) -> QueryResult<usize> {
    let of = link_tokens::registration_id.eq(registration_id);
    run!(c, |c| diesel::delete(link_tokens::table.filter(of))
        .execute(c))
}

/// Deletes every link token of an exhibitor.
pub fn delete_exhibitor_link_tokens(c: &mut Conn, exhibitor_id: i64) -> QueryResult<usize> {
    let of = link_tokens::exhibitor_id.eq(exhibitor_id);
    run!(c, |c| diesel::delete(link_tokens::table.filter(of))
        .execute(c))
}

// ---------------------------------------------------------------------------------------------
// Console sessions

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = console_sessions)]
pub struct ConsoleSessionRow {
    pub id: i64,
    pub organizer_id: i64,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
}

/// Stores a console session; its id.
pub fn insert_console_session(
    c: &mut Conn,
    organizer_id: i64,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    run!(c, |c| diesel::insert_into(console_sessions::table)
        .values((
            console_sessions::organizer_id.eq(organizer_id),
            console_sessions::token_hash.eq(hash),
            console_sessions::created_at.eq(now),
            console_sessions::last_seen_at.eq(now),
        ))
        .returning(console_sessions::id)
        .get_result(c))
}

/// A console session by its token's hash, with its organizer.
pub fn find_console_session(
    c: &mut Conn,
    hash: &str,
) -> QueryResult<Option<(ConsoleSessionRow, OrganizerRow)>> {
    run!(c, |c| console_sessions::table
        .inner_join(organizers::table)
        .filter(console_sessions::token_hash.eq(hash))
        .select((ConsoleSessionRow::as_select(), OrganizerRow::as_select()))
        .first(c)
        .optional())
}

/// Restarts a session's idle clock.
pub fn touch_console_session(c: &mut Conn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    run!(c, |c| diesel::update(console_sessions::table.find(id))
        .set(console_sessions::last_seen_at.eq(now))
        .execute(c))?;
    Ok(())
}

/// Ends one session.
pub fn delete_console_session(c: &mut Conn, id: i64) -> QueryResult<()> {
    run!(c, |c| diesel::delete(console_sessions::table.find(id))
        .execute(c))?;
    Ok(())
}

/// An organizer's sessions, newest first: (id, created at).
pub fn console_sessions_of(
    c: &mut Conn,
    organizer_id: i64,
) -> QueryResult<Vec<(i64, NaiveDateTime)>> {
    run!(c, |c| console_sessions::table
        .filter(console_sessions::organizer_id.eq(organizer_id))
        .order((
            console_sessions::created_at.desc(),
            console_sessions::id.desc()
        ))
        .select((console_sessions::id, console_sessions::created_at))
        .load(c))
}

/// Ends the sessions `ids`.
pub fn delete_console_sessions(c: &mut Conn, ids: &[i64]) -> QueryResult<()> {
    run!(c, |c| diesel::delete(
        console_sessions::table.filter(console_sessions::id.eq_any(ids))
    )
    .execute(c))?;
    Ok(())
}

/// Keeps the console language an organizer chose.
pub fn set_organizer_language(c: &mut Conn, id: i64, language: &str) -> QueryResult<()> {
    run!(c, |c| diesel::update(organizers::table.find(id))
        .set(organizers::language.eq(Some(language)))
        .execute(c))?;
    Ok(())
}

// Two-factor sign-in

/// Sets (a new secret, not yet on) or clears (off: no secret, no codes) an organizer's
/// two-factor secret.
pub fn set_totp_secret(c: &mut Conn, id: i64, secret: Option<&str>) -> QueryResult<()> {
    run!(c, |c| diesel::update(organizers::table.find(id))
        .set((
            organizers::totp_secret.eq(secret),
            organizers::totp_enabled_at.eq(None::<NaiveDateTime>),
            organizers::totp_last_step.eq(None::<i64>),
        ))
        .execute(c))?;
    run!(c, |c| diesel::delete(
        recovery_codes::table.filter(recovery_codes::organizer_id.eq(id))
    )
    .execute(c))?;
    Ok(())
}

/// Turns two-factor sign-in on, with the step of the code that proved the secret.
pub fn enable_totp(c: &mut Conn, id: i64, now: NaiveDateTime, step: i64) -> QueryResult<()> {
    run!(c, |c| diesel::update(organizers::table.find(id))
        .set((
            organizers::totp_enabled_at.eq(now),
            organizers::totp_last_step.eq(step),
        ))
        .execute(c))?;
    Ok(())
}

/// Records the step of an accepted code, unless a code of that step or a later one was
/// accepted meanwhile (another sign-in with the same code): false then.
pub fn use_totp_step(c: &mut Conn, id: i64, step: i64) -> QueryResult<bool> {
    let n = run!(c, |c| diesel::update(
        organizers::table.find(id).filter(
            organizers::totp_last_step
                .is_null()
                .or(organizers::totp_last_step.lt(step))
        )
    )
    .set(organizers::totp_last_step.eq(step))
    .execute(c))?;
    Ok(n == 1)
}

/// Stores fresh recovery codes (their hashes) in place of the organizer's earlier ones.
pub fn replace_recovery_codes(c: &mut Conn, id: i64, hashes: &[String]) -> QueryResult<()> {
    run!(c, |c| diesel::delete(
        recovery_codes::table.filter(recovery_codes::organizer_id.eq(id))
    )
    .execute(c))?;
    let rows: Vec<_> = hashes
        .iter()
        .map(|h| {
            (
                recovery_codes::organizer_id.eq(id),
                recovery_codes::code_hash.eq(h),
            )
        })
        .collect();
    run!(c, |c| diesel::insert_into(recovery_codes::table)
        .values(&rows)
        .execute(c))?;
    Ok(())
}

/// Marks the organizer's unused recovery code with this hash used; false when there is none.
pub fn use_recovery_code(
    c: &mut Conn,
    id: i64,
    hash: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    let n = run!(c, |c| diesel::update(
        recovery_codes::table
            .filter(recovery_codes::organizer_id.eq(id))
            .filter(recovery_codes::code_hash.eq(hash))
            .filter(recovery_codes::used_at.is_null())
    )
    .set(recovery_codes::used_at.eq(now))
    .execute(c))?;
    Ok(n > 0)
}

/// How many of the organizer's recovery codes are still unused.
pub fn recovery_codes_left(c: &mut Conn, id: i64) -> QueryResult<i64> {
    run!(c, |c| recovery_codes::table
        .filter(recovery_codes::organizer_id.eq(id))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(c))
}

/// Whether the admins require two-factor sign-in of every organizer.
pub fn two_factor_required(c: &mut Conn) -> QueryResult<bool> {
    Ok(run!(c, |c| team_policy::table
        .find(1i64)
        .select(team_policy::two_factor_required)
        .first::<bool>(c)
        .optional())?
    .unwrap_or(false))
}

/// Sets whether every organizer must use two-factor sign-in.
pub fn set_two_factor_required(
    c: &mut Conn,
    required: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let n = run!(c, |c| diesel::update(team_policy::table.find(1i64))
        .set((
            team_policy::two_factor_required.eq(required),
            team_policy::updated_at.eq(now),
        ))
        .execute(c))?;
    if n == 0 {
        run!(c, |c| diesel::insert_into(team_policy::table)
            .values((
                team_policy::id.eq(1i64),
                team_policy::two_factor_required.eq(required),
                team_policy::updated_at.eq(now),
            ))
            .execute(c))?;
    }
    Ok(())
}
