//! Rules for the free texts people type: trimmed, single-line where a name is expected,
//! bounded in length, and web addresses that are really web addresses. Each check records a
//! [`FieldError`] and goes on, so a request hears about every bad field at once.

use serde::Serialize;
use utoipa::ToSchema;

/// One field that failed validation.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `name.fr` or `speaker_ids.2`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// A short single-line text: trimmed, 1 to `max` characters.
pub fn short_text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, "must not be empty"));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    v.to_string()
}

/// An optional short text: blank means absent; otherwise as [`short_text`].
pub fn optional_text(
    field: &str,
    value: Option<&str>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| short_text(field, v, max, errors))
}

/// `https://…` or `http://…`, nothing else (no `javascript:` in the directory).
pub fn website(v: Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    if let Some(w) = &v {
        if !(w.starts_with("https://") || w.starts_with("http://"))
            || w.contains(char::is_whitespace)
        {
            errors.push(FieldError::new(
                "website",
                "must be a web address starting with https://",
            ));
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_trimmed_bounded_and_every_error_kept() {
        let mut errors = Vec::new();
        assert_eq!(short_text("name", "  Amina  ", 10, &mut errors), "Amina");
        short_text("a", "   ", 10, &mut errors);
        short_text("b", "دار البيضاء", 3, &mut errors);
        assert_eq!(optional_text("c", Some("  "), 5, &mut errors), None);
        website(Some("javascript:alert(1)".into()), &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["a", "b", "website"]);
    }
}
