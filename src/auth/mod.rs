//! Organizer accounts and bearer tokens.
//!
//! Tokens carry a type prefix (`slt_` organizer; `slr_` and `sle_` for attendees and exhibitors
//! come with those areas), 256 bits from the OS random source, and are stored only as SHA-256
//! hashes: a database leak gives no usable token. The hash is looked up by index, then compared
//! again in constant time. Passwords are hashed with argon2id.

pub mod handlers;
pub mod organizer;
pub mod owner_tokens;

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub use organizer::{OptionalOrganizer, Organizer};

/// The prefix of organizer tokens.
pub const ORGANIZER_PREFIX: &str = "slt_";

/// A new random token with `prefix`: 32 bytes from the OS, base64url.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// The stored form of a token.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Constant-time equality of two stored hashes.
pub fn hashes_equal(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("cannot hash password: {e}"))
}

/// Verifies `password` against a stored hash. With no stored hash (unknown account) a dummy
/// hash is verified anyway, so the answer takes the same time either way.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default());
    let hash = stored.unwrap_or(dummy);
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    ok && stored.is_some()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_long_and_distinct() {
        let a = new_token(ORGANIZER_PREFIX);
        let b = new_token(ORGANIZER_PREFIX);
        assert!(a.starts_with("slt_"));
        assert_eq!(a.len(), 4 + 43);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert!(hashes_equal(&token_hash(&a), &token_hash(&a)));
        assert!(!hashes_equal(&token_hash(&a), &token_hash(&b)));
    }

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("correct horse battery").expect("hash");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("wrong horse battery", Some(&h)));
        assert!(!verify_password("correct horse battery", None));
    }
}
