//! Two-factor sign-in: time-based one-time codes (TOTP, RFC 6238: HMAC-SHA-1, 6 digits, 30 s
//! steps — what every authenticator app reads from an `otpauth://` QR code) and ten recovery
//! codes for a lost phone.
//!
//! An organizer turns it on from `/console/account` ([`super::account`]): a new secret is
//! stored, shown as a QR code and as text, and counts once a code computed from it is typed
//! back; the recovery codes are shown then, once (only their SHA-256 hashes are kept). From
//! then on the console's sign-in asks for a code after the password ([`super::console`]), and
//! the API's `POST /auth/tokens` wants it in `code`. A code is accepted one step either side
//! of now (clocks drift) and only once: the step of the last accepted code is stored, and a
//! code of that step or an earlier one is refused. A recovery code serves once.
//!
//! The secret is kept in the database as pretix (django-otp) and vaultwarden keep theirs: a
//! copy of the database lets someone compute codes, but the argon2 password is still needed.
//! Admins can require two-factor of everyone (`team_policy`): an organizer without it then
//! reaches only their account page until they turn it on.

use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha1::Sha1;

use super::store::{self, OrganizerRow};
use crate::db::Conn;
use crate::error::AppResult;

/// Seconds per time step.
pub const STEP: i64 = 30;
/// Digits of a code.
const DIGITS: u32 = 6;
/// Steps either side of now whose code is accepted.
const DRIFT: i64 = 1;
/// Recovery codes made at once.
pub const RECOVERY_CODES: usize = 10;
/// The name authenticator apps show above the code.
const ISSUER: &str = "Salon";

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4648 base32 without padding, as `otpauth://` URIs carry secrets.
pub fn base32(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// The bytes of a base32 text (case and spaces ignored); none if it is not base32.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for ch in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let value = BASE32
            .iter()
            .position(|&b| b as char == ch.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

/// A new secret: 160 random bits (RFC 4226's recommendation), base32.
pub fn new_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base32(&bytes)
}

/// The code of time step `step` for `key` (RFC 4226's HOTP with the step as counter).
pub fn code_at(key: &[u8], step: i64) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    let binary = u32::from_be_bytes([
        hash[offset] & 0x7f,
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]);
    format!(
        "{:0width$}",
        binary % 10u32.pow(DIGITS),
        width = DIGITS as usize
    )
}

/// The time step of the Unix time `seconds`.
pub fn step_of(seconds: i64) -> i64 {
    seconds.div_euclid(STEP)
}

/// What was typed, as digits and letters only: spaces and dashes dropped, Arabic-Indic and
/// Persian digits (an Arabic phone keyboard types them) read as ASCII, letters lowercased.
fn normalized(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The step within the drift whose code `typed` is, later than `after`; none otherwise.
pub fn matching_step(secret: &str, typed: &str, now: i64, after: Option<i64>) -> Option<i64> {
    let typed = normalized(typed);
    if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let key = from_base32(secret)?;
    let current = step_of(now);
    (current - DRIFT..=current + DRIFT)
        .filter(|step| after.is_none_or(|last| *step > last))
        .find(|step| crate::crypto::hashes_equal(&code_at(&key, *step), &typed))
}

/// The URI an authenticator app reads from the QR code.
pub fn otpauth_uri(secret: &str, email: &str) -> String {
    let label: String = form_urlencoded::byte_serialize(format!("{ISSUER}:{email}").as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    format!("otpauth://totp/{label}?secret={secret}&issuer={ISSUER}&algorithm=SHA1&digits={DIGITS}&period={STEP}")
}

/// New recovery codes, `xxxxx-xxxxx` in lowercase base32 (50 random bits each).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 7];
            rand::rngs::OsRng.fill_bytes(&mut bytes);
            let text = base32(&bytes).to_ascii_lowercase();
            format!("{}-{}", &text[..5], &text[5..10])
        })
        .collect()
}

/// The stored form of a recovery code, however it was typed.
pub fn recovery_hash(code: &str) -> String {
    crate::crypto::token_hash(&normalized(code))
}

/// Accepts `typed` for `organizer`, whose two-factor sign-in is on: a code of a step not used
/// before (that step is recorded), or one of its unused recovery codes (marked used). Run in
/// the sign-in's write transaction, so two sign-ins with one code cannot both pass.
pub fn accept(
    c: &mut Conn,
    organizer: &OrganizerRow,
    typed: &str,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let Some(secret) = organizer.two_factor() else {
        return Ok(false);
    };
    let step = matching_step(
        secret,
        typed,
        now.and_utc().timestamp(),
        organizer.totp_last_step,
    );
    if let Some(step) = step {
        return Ok(store::use_totp_step(c, organizer.id, step)?);
    }
    let code = normalized(typed);
    if code.len() != 10 {
        return Ok(false);
    }
    Ok(store::use_recovery_code(
        c,
        organizer.id,
        &recovery_hash(&code),
        now,
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (the last six of the eight digits).
    #[test]
    fn codes_match_the_rfc_test_vectors() {
        let key = b"12345678901234567890";
        for (time, code) in [
            (59, "287082"),
            (1111111109, "081804"),
            (1111111111, "050471"),
            (1234567890, "005924"),
            (2000000000, "279037"),
            (20000000000, "353130"),
        ] {
            assert_eq!(code_at(key, step_of(time)), code, "at {time}");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(
            from_base32("mzxw 6ytb oi").expect("a test value"),
            b"foobar"
        );
        assert_eq!(from_base32("MZ1"), None);
        let secret = new_secret();
        assert_eq!(secret.len(), 32);
        assert_eq!(base32(&from_base32(&secret).expect("a test value")), secret);
    }

    #[test]
    fn a_code_is_accepted_one_step_either_side_and_once() {
        let secret = base32(b"12345678901234567890");
        let now = 1_111_111_111;
        let key = from_base32(&secret).expect("a test value");
        let current = step_of(now);
        let code = code_at(&key, current);
        assert_eq!(matching_step(&secret, &code, now, None), Some(current));
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(matching_step(&secret, &spaced, now, None), Some(current));
        let before = code_at(&key, current - 1);
        assert_eq!(
            matching_step(&secret, &before, now, None),
            Some(current - 1)
        );
        assert_eq!(
            matching_step(&secret, &before, now, Some(current - 1)),
            None
        );
        assert_eq!(matching_step(&secret, &code, now, Some(current)), None);
        let old = code_at(&key, current - 2);
        assert_eq!(matching_step(&secret, &old, now, None), None);
        assert_eq!(matching_step(&secret, "12345", now, None), None);
    }

    #[test]
    fn arabic_digits_read_as_a_code() {
        let secret = base32(b"12345678901234567890");
        let key = from_base32(&secret).expect("a test value");
        let code = code_at(&key, step_of(59));
        let arabic: String = code
            .chars()
            .map(|c| {
                char::from_u32(0x0660 + c.to_digit(10).expect("a test value"))
                    .expect("a test value")
            })
            .collect();
        assert_eq!(matching_step(&secret, &arabic, 59, None), Some(1));
    }

    #[test]
    fn recovery_codes_are_distinct_and_read_however_typed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &codes[0];
        assert_eq!(code.len(), 11);
        assert_eq!(
            recovery_hash(code),
            recovery_hash(&code.to_uppercase().replace('-', " "))
        );
    }

    #[test]
    fn the_uri_names_the_issuer_and_the_account() {
        let uri = otpauth_uri("MZXW6YTBOI", "sara+fair@example.com");
        assert_eq!(
            uri,
            "otpauth://totp/Salon%3Asara%2Bfair%40example.com?secret=MZXW6YTBOI&issuer=Salon&algorithm=SHA1&digits=6&period=30"
        );
    }
}
