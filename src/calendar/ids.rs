//! The identifiers the formats ask for, derived rather than stored: the same session has the
//! same GUID and calendar UID in every release, and on every instance serving the same host.

use sha2::{Digest, Sha256};

/// A UUID-shaped digest of `seed` (version 5 and RFC 4122 variant bits set).
fn uuid_of(seed: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(seed.as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, &byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

/// The session's GUID in the XML and JSON exports: the same in every release.
pub fn guid(host: &str, session_id: i64) -> String {
    uuid_of(&format!("salon:{host}:session:{session_id}"))
}

pub fn room_guid(host: &str, room_id: i64) -> String {
    uuid_of(&format!("salon:{host}:room:{room_id}"))
}

pub fn person_guid(host: &str, speaker_id: i64) -> String {
    uuid_of(&format!("salon:{host}:speaker:{speaker_id}"))
}

/// The session's calendar UID, shared by every calendar Salon writes.
pub fn uid(host: &str, session_id: i64) -> String {
    format!("session-{session_id}@{host}")
}

/// A frab slug, `{event}-{id}-{title}` in `a-z0-9-`, which c3voc's tools use for file names.
pub fn frab_slug(event_slug: &str, session_id: i64, title: &str) -> String {
    let mut prefix: String = event_slug
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        .collect();
    while prefix.len() < 4 {
        prefix.push('0');
    }
    let mut words = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            if words.len() >= 60 {
                break;
            }
            words.push(c.to_ascii_lowercase());
        } else if !words.is_empty() && !words.ends_with('-') {
            words.push('-');
        }
    }
    let words = words.trim_end_matches('-');
    let words = if words.is_empty() {
        "session".to_string()
    } else if words.len() < 4 {
        format!("{words}-session")
    } else {
        words.to_string()
    };
    format!("{prefix}-{session_id}-{words}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: &str = "salon.example";

    #[test]
    fn guids_are_stable_and_uuid_shaped() {
        let g = guid(HOST, 11);
        assert_eq!(g, guid(HOST, 11));
        assert_ne!(g, guid(HOST, 12));
        assert_ne!(g, guid("other.example", 11));
        let groups: Vec<usize> = g.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert!(g.chars().all(|c| c == '-' || c.is_ascii_hexdigit()), "{g}");
        assert!(!g.chars().any(|c| c.is_ascii_uppercase()), "{g}");
        assert_eq!(g.chars().nth(14), Some('5'));
        assert!(
            matches!(g.chars().nth(19), Some('8' | '9' | 'a' | 'b')),
            "{g}"
        );
        assert_eq!(uid(HOST, 11), "session-11@salon.example");
    }
}
