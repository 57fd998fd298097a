//! Organizer accounts and bearer tokens.
//!
//! Organizer tokens carry the `slt_` prefix; like every token they are made and hashed by
//! [`crate::crypto`]. Passwords are hashed with argon2id.

pub mod account;
pub mod audit_log;
pub mod console;
pub mod handlers;
pub mod owner_tokens;
pub mod sessions;
pub mod store;
pub mod team;
pub mod throttle;
pub mod two_factor;

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, SaltString};
use argon2::Argon2;

use crate::db::Conn;
use crate::domain::{EmailAddress, Role};
use crate::error::{AppError, AppResult};
use crate::web::identity::{Authenticator, Organizer, Signed};

/// The organizer [`Authenticator`]: an unrevoked token, looked up by its hash (indexed) and
/// compared again in constant time.
pub struct Tokens(pub crate::db::Db);

impl Authenticator for Tokens {
    fn organizer(&self, token: &str) -> AppResult<Option<Organizer>> {
        let hash = crate::crypto::token_hash(token);
        let mut pooled = self.0.get()?;
        let Some((_, stored_hash, organizer_id, role)) =
            store::find_token(&mut pooled.conn(), &hash)?
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
        }))
    }

    fn console(
        &self,
        token: &str,
        chosen: Option<crate::domain::Language>,
        now: chrono::NaiveDateTime,
    ) -> AppResult<Option<Signed>> {
        let mut pooled = self.0.get()?;
        sessions::resolve(&mut pooled.conn(), token, chosen, now)
    }
}

/// The organizer whose `email` and `password` these are, or 401. A failure counts against
/// the account (429 once it has used its budget, see [`throttle`]), and at most a few
/// argon2 checks run at once (503 with `Retry-After` beyond). Used by the API's tokens and
/// the console's sign-in alike.
pub async fn check_credentials(
    db: &crate::db::Db,
    throttle: &throttle::Throttle,
    email: EmailAddress,
    password: String,
) -> AppResult<store::OrganizerRow> {
    let account = email.to_string();
    let locked = throttle.check_account(&account).err();
    let row = db
        .run(move |c| store::find_by_email(c, &email).map_err(AppError::from))
        .await?;
    if let Some(locked) = locked {
        // Locked here, unless `salon admin unlock` lifted it since the failures began.
        let now = crate::db::now();
        let unlocked_ago = row
            .as_ref()
            .and_then(|r| r.unlocked_at)
            .and_then(|t| (now - t).to_std().ok());
        if !unlocked_ago.is_some_and(|ago| throttle.forgive(&account, ago)) {
            return Err(locked);
        }
    }
    // Each password check holds ~19 MiB for a moment: a bounded number run at once, the rest
    // are told to come back (503 with Retry-After) instead of exhausting memory.
    let permit = throttle.password_check()?;
    let stored = row.as_ref().map(|r| r.password_hash.clone());
    let ok = actix_web::web::block(move || verify_password(&password, stored.as_deref())).await?;
    drop(permit);
    if !ok {
        throttle.failed(&account);
    }
    match (ok, row) {
        // A deactivated account is refused like a wrong password (its password may be right).
        (true, Some(row)) if row.deactivated_at.is_none() => Ok(row),
        _ => Err(AppError::Unauthorized("wrong email or password".into())),
    }
}

/// Creates an organizer account; 409 if the email already has one.
pub fn create_organizer(
    c: &mut Conn,
    email: &EmailAddress,
    password_hash: &str,
    role: Role,
) -> AppResult<i64> {
    if store::find_by_email(c, email)?.is_some() {
        return Err(AppError::Conflict(format!(
            "an organizer with email {email} already exists"
        )));
    }
    Ok(store::insert_organizer(c, email, password_hash, role)?)
}

/// Revokes the API token `token_id` on behalf of organizer `by`, and audits it.
pub fn revoke_api_token(c: &mut Conn, by: i64, token_id: i64) -> AppResult<()> {
    store::revoke_token(c, token_id)?;
    let nothing = serde_json::json!({});
    crate::audit::record(
        c,
        Some(by),
        None,
        "revoke",
        "api_token",
        Some(token_id),
        nothing,
    )?;
    Ok(())
}

/// The audit entry of organizer `by`'s change `action` to the account of organizer `id`.
pub fn audit_organizer(c: &mut Conn, by: i64, id: i64, action: &str) -> AppResult<()> {
    let nothing = serde_json::json!({});
    crate::audit::record(c, Some(by), None, action, "organizer", Some(id), nothing)?;
    Ok(())
}

/// The prefix of organizer tokens.
pub const ORGANIZER_PREFIX: &str = crate::domain::ORGANIZER_TOKEN_PREFIX;

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash password: {e}"))
}

/// Verifies `password` against a stored hash. With no stored hash (unknown account) a dummy
/// hash is verified anyway, so the answer takes the same time either way. The argon2 work
/// memory (~19 MiB) comes from [`WORK_MEMORY`]: allocated once per check running at once
/// (at most `throttle::IN_FLIGHT`) and kept, so a storm of failed logins neither grows nor
/// fragments the heap.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default());
    let hash = stored.unwrap_or(dummy);
    let ok = verify_with_pooled_memory(password.as_bytes(), hash).unwrap_or(false);
    ok && stored.is_some()
}

/// Argon2 work memory kept between checks, one buffer per check that ran at once.
static WORK_MEMORY: std::sync::Mutex<Vec<Vec<argon2::Block>>> = std::sync::Mutex::new(Vec::new());

fn verify_with_pooled_memory(password: &[u8], stored: &str) -> Option<bool> {
    let parsed = PasswordHash::new(stored).ok()?;
    let (salt, expected) = (parsed.salt?, parsed.hash?);
    let params = argon2::Params::try_from(&parsed).ok()?;
    let algorithm = argon2::Algorithm::try_from(parsed.algorithm).ok()?;
    let version = parsed
        .version
        .map(argon2::Version::try_from)
        .transpose()
        .ok()?
        .unwrap_or_default();
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf).ok()?;
    let blocks = params.block_count();
    let mut memory = WORK_MEMORY
        .lock()
        .ok()
        .and_then(|mut pool| pool.pop())
        .filter(|m| m.len() == blocks)
        .unwrap_or_else(|| vec![argon2::Block::default(); blocks]);
    let mut out = vec![0u8; expected.len()];
    let computed = Argon2::new(algorithm, version, params).hash_password_into_with_memory(
        password,
        salt,
        &mut out,
        &mut memory,
    );
    if let Ok(mut pool) = WORK_MEMORY.lock() {
        pool.push(memory);
    }
    computed.ok()?;
    Some(bool::from(subtle::ConstantTimeEq::ct_eq(
        out.as_slice(),
        expected.as_bytes(),
    )))
}

/// Password rule for organizer accounts.
pub fn check_password(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < 10 {
        return Err("must be at least 10 characters".into());
    }
    if n > 1024 {
        return Err("must be at most 1024 characters".into());
    }
    Ok(())
}

/// Tokens and organizers in the API.
pub fn routes(r: &mut crate::web::routes::Routes) {
    handlers::routes(r);
    console::routes(r);
    team::routes(r);
    account::routes(r);
    audit_log::routes(r);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("wrong horse battery", Some(&h)));
        assert!(!verify_password("correct horse battery", None));
    }
}
