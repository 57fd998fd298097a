//! Random tokens and their stored form, shared by every kind of token (organizers' `slt_`,
//! attendees' `slr_`, exhibitors' `sle_`, feeds' `slf_`) and by the CSRF check.
//!
//! A token is 256 bits from the OS random source, base64url, behind a type prefix (attendees' and
//! exhibitors' tokens also carry the second they were made: [`new_led_token`]). Only its
//! SHA-256 hash is stored: a database leak gives no usable token. Stored hashes are compared
//! again in constant time after the indexed lookup.

use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random token with `prefix`: 32 bytes from the OS, base64url.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// A new random token with `prefix` led by the time: 8 hex digits of the current Unix second,
/// then 32 bytes from the OS, base64url. Its stored key ([`led_token_key`]) begins with the same
/// digits, so the unique index of a table that gains a token with each write (attendees' and
/// exhibitors' links) grows at its end instead of taking a random page for every token. The
/// time it shows is when the link was made, which its holder knows anyway.
pub fn new_led_token(prefix: &str) -> String {
    let secs = chrono::Utc::now().timestamp().clamp(0, u32::MAX as i64);
    format!("{}{secs:08x}", prefix) + &new_token("")
}

/// The stored key of a token from [`new_led_token`]: its time digits, then its SHA-256 hash
/// ([`token_hash`]). A token of the earlier, unled form (prefix + 43 characters) is stored as
/// its hash alone, and keeps working.
pub fn led_token_key(prefix: &str, token: &str) -> String {
    let rest = token.strip_prefix(prefix).unwrap_or(token);
    match rest.get(..8) {
        Some(lead) if rest.len() == 8 + 43 && lead.bytes().all(|b| b.is_ascii_hexdigit()) => {
            format!("{lead}{}", token_hash(token))
        }
        _ => token_hash(token),
    }
}

/// A token with `prefix` derived from another secret token and a fixed `purpose` (an
/// HMAC-SHA256 keyed by `secret`, 256 bits, base64url): whoever holds `secret` can show it
/// again, while only the hashes of both are stored.
pub fn derived_token(prefix: &str, secret: &str, purpose: &str) -> String {
    use hmac::{Hmac, Mac};
    let mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map(|mut m| {
        m.update(purpose.as_bytes());
        m.finalize().into_bytes()
    });
    match mac {
        Ok(bytes) => format!(
            "{prefix}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
        ),
        // HMAC takes keys of any length; this arm is unreachable, and fails closed.
        Err(_) => new_token(prefix),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_long_and_distinct() {
        let a = new_token("slt_");
        let b = new_token("slt_");
        assert!(a.starts_with("slt_"));
        assert_eq!(a.len(), 4 + 43);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert!(hashes_equal(&token_hash(&a), &token_hash(&a)));
        assert!(!hashes_equal(&token_hash(&a), &token_hash(&b)));
    }

    #[test]
    fn led_tokens_sort_by_time_and_keep_their_lead_in_the_key() {
        let before = chrono::Utc::now().timestamp();
        let a = new_led_token("slr_");
        let after = chrono::Utc::now().timestamp();
        assert!(a.starts_with("slr_"));
        assert_eq!(a.len(), 4 + 8 + 43);
        assert_ne!(a, new_led_token("slr_"));
        let key = led_token_key("slr_", &a);
        assert_eq!(key, format!("{}{}", &a[4..12], token_hash(&a)));
        // A later second sorts after: the key's lead is the time, fixed width.
        let made = i64::from_str_radix(&a[4..12], 16).expect("the lead is hex");
        assert!((before..=after).contains(&made), "{a}");
        assert!(format!("{:08x}", after + 1).as_str() > &a[4..12]);
        // Tokens of the earlier form are stored as their hash alone.
        let old = new_token("slr_");
        assert_eq!(led_token_key("slr_", &old), token_hash(&old));
        assert_eq!(led_token_key("slr_", "slr_short"), token_hash("slr_short"));
    }

    #[test]
    fn derived_tokens_are_stable_per_key_and_purpose() {
        let a = derived_token("slf_", "key", "feed:1");
        assert!(a.starts_with("slf_"));
        assert_eq!(a.len(), 4 + 43);
        assert_eq!(a, derived_token("slf_", "key", "feed:1"));
        assert_ne!(a, derived_token("slf_", "key", "feed:2"));
        assert_ne!(a, derived_token("slf_", "other", "feed:1"));
    }
}
