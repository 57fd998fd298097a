//! Pure types and rules, no IO: parsed inputs (the type is the proof it was checked), languages
//! and translatable texts, roles and status transitions as data, and the schedule's time rules.

pub mod country;
pub mod dates;
pub mod email;
pub mod language;
pub mod role;
pub mod schedule;
pub mod slug;
pub mod text;
pub mod translatable;

pub use email::EmailAddress;

/// The prefix of organizer tokens (attendees' are `slr_`, exhibitors' `sle_`, feeds' `slf_`).
pub const ORGANIZER_TOKEN_PREFIX: &str = "slt_";
/// The prefix of console sessions (the organizer's browser cookie).
pub const CONSOLE_SESSION_PREFIX: &str = "slc_";
pub use language::Language;
pub use role::Role;
pub use slug::Slug;
pub use text::FieldError;
pub use translatable::Translatable;

/// Lower-cased text used for `?q=` search: Unicode-aware, so it works the same in every script
/// and on both backends (SQLite's `lower()` only folds ASCII).
pub fn search_text<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for part in parts {
        if !out.is_empty() {
            out.push('\u{1f}');
        }
        out.push_str(&part.to_lowercase());
    }
    out
}

/// A `LIKE` pattern matching `q` anywhere in a [`search_text`] column, with `%`, `_` and `\`
/// escaped (use with `ESCAPE '\'`).
pub fn like_pattern(q: &str) -> String {
    let mut out = String::from("%");
    for ch in q.trim().to_lowercase().chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('%');
    out
}
