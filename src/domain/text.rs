//! Rules for the free texts people type: trimmed, single-line where a name is expected,
//! bounded in length, and web addresses that are really web addresses. Each check records a
//! [`FieldError`] and goes on, so a request hears about every bad field at once.

use serde::Serialize;
use utoipa::ToSchema;

/// The most field errors one answer lists: past it, a parse stops and says how many more it
/// found or did not check (a body of thousands of bad members costs no more than this).
pub const MAX_ERRORS: usize = 100;

/// One field that failed validation.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `name.fr` or `speaker_ids.2`.
    pub field: String,
    /// What is wrong, in English (pages show [`FieldError::rule`] in the visitor's language).
    pub message: String,
    /// Which rule failed, for clients that show their own words: `required`, `empty`,
    /// `too_long`, `email`, `phone`, `website`, `country`, `consent`, `range`, `choice`, `type`, `unknown` or `invalid`.
    pub code: &'static str,
    #[serde(skip)]
    #[schema(ignore)]
    pub rule: Rule,
}

/// The rule a field broke, with what a translated message needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rule {
    Required,
    Empty,
    TooLong(usize),
    Email,
    Phone,
    Website,
    /// Not a country's ISO code nor its name.
    Country,
    Consent,
    Range(i64, i64),
    /// Not one of the allowed values.
    Choice,
    /// A value of the wrong JSON type.
    Type,
    /// A member the request does not know.
    Unknown,
    #[default]
    Invalid,
}

impl Rule {
    pub fn code(self) -> &'static str {
        match self {
            Rule::Required => "required",
            Rule::Empty => "empty",
            Rule::TooLong(_) => "too_long",
            Rule::Email => "email",
            Rule::Phone => "phone",
            Rule::Website => "website",
            Rule::Country => "country",
            Rule::Consent => "consent",
            Rule::Range(..) => "range",
            Rule::Choice => "choice",
            Rule::Type => "type",
            Rule::Unknown => "unknown",
            Rule::Invalid => "invalid",
        }
    }

    /// The English message of a rule that needs no other detail.
    fn message(self) -> String {
        match self {
            Rule::Required => "is required".into(),
            Rule::Empty => "must not be empty".into(),
            Rule::TooLong(max) => format!("must be at most {max} characters"),
            Rule::Email => "must be an email address like name@example.com".into(),
            Rule::Phone => "may hold only digits, spaces and + - ( ) .".into(),
            Rule::Website => "must be a web address like atlas.ma or https://atlas.ma".into(),
            Rule::Country => "must be a country: its ISO 3166 code like MA, or its name".into(),
            Rule::Consent => {
                "must be true: this needs your consent to the processing of your data".into()
            }
            Rule::Range(lo, hi) => format!("must be between {lo} and {hi}"),
            Rule::Choice => "is not one of the allowed values".into(),
            Rule::Type => "has the wrong type".into(),
            Rule::Unknown => "is not a known field".into(),
            Rule::Invalid => "is not valid".into(),
        }
    }
}

impl FieldError {
    /// A field error whose rule has no translation of its own (the message says it all).
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError::with(field, Rule::Invalid, message)
    }

    /// A field error for a rule, with its English message.
    pub fn rule(field: impl Into<String>, rule: Rule) -> Self {
        FieldError::with(field, rule, rule.message())
    }

    /// A field error for a rule, with a message of its own.
    pub fn with(field: impl Into<String>, rule: Rule, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
            code: rule.code(),
            rule,
        }
    }
}

/// The parse step's notebook: every field error found so far, from the JSON shape on. Each
/// check records its error and goes on, so the request hears about every bad field at once;
/// [`Check::done`] then says whether any was found. A field that already has an error is not
/// reported again as missing.
#[derive(Debug, Default)]
pub struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    /// Starts from the errors found while reading the body (wrong types, unknown fields).
    pub fn new(earlier: Vec<FieldError>) -> Check {
        Check { errors: earlier }
    }

    pub fn push(&mut self, e: FieldError) {
        self.errors.push(e);
    }

    /// Where the text rules below write.
    pub fn errors(&mut self) -> &mut Vec<FieldError> {
        &mut self.errors
    }

    /// Whether no error was found so far.
    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    /// Whether `field` (or a member of it) already has an error.
    pub fn has(&self, field: &str) -> bool {
        self.errors
            .iter()
            .any(|e| e.field == field || e.field.starts_with(&format!("{field}.")))
    }

    /// A member that must be there.
    pub fn required<T>(&mut self, field: &str, value: Option<T>) -> Option<T> {
        if value.is_none() && !self.has(field) {
            self.push(FieldError::rule(field, Rule::Required));
        }
        value
    }

    /// A required short text (see [`short_text`]).
    pub fn text(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        let value = self.required(field, value)?;
        let before = self.errors.len();
        let v = short_text(field, &value, max, &mut self.errors);
        (self.errors.len() == before).then_some(v)
    }

    /// An optional short text (see [`optional_text`]).
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        optional_text(field, value, max, &mut self.errors)
    }

    /// An optional text of several lines (see [`long_text`]).
    pub fn long_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        long_text(field, value, max, &mut self.errors)
    }

    /// A value parsed from a text by `parse`, whose `Err` is the message.
    pub fn parse<T>(
        &mut self,
        field: &str,
        rule: Rule,
        value: Option<&str>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        match parse(value?) {
            Ok(v) => Some(v),
            Err(message) => {
                self.push(FieldError::with(field, rule, message));
                None
            }
        }
    }

    /// A whole number within `lo..=hi`.
    pub fn range(&mut self, field: &str, value: Option<i64>, lo: i64, hi: i64) -> Option<i64> {
        let v = value?;
        if (lo..=hi).contains(&v) {
            Some(v)
        } else {
            self.push(FieldError::rule(field, Rule::Range(lo, hi)));
            None
        }
    }

    /// The errors found so far, to go on with them by hand.
    pub fn into_errors(self) -> Vec<FieldError> {
        self.errors
    }

    /// The errors found, if any.
    pub fn done(self) -> Result<(), Vec<FieldError>> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(self.errors)
        }
    }
}

/// Whether a text holds a control character other than tab and line breaks (NUL included):
/// such a text is refused, never stored (PostgreSQL cannot store NUL; CR and LF would be
/// pasted into email headers from a single-line field).
pub fn has_control(value: &str) -> bool {
    value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Whether `c` may not stand in a one-line text: a control character (a line break too), a
/// line or paragraph separator (U+2028, U+2029: a line break to ICS, emails and badges), a
/// bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069: they make a
/// name read backwards), or an invisible character that hides or joins words (U+200B, U+2060–
/// U+2064, U+FEFF, U+180E). The marks Arabic text needs (U+200C–U+200F, U+061C) are allowed.
pub fn breaks_one_line(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200B}'
                | '\u{2060}'..='\u{2064}'
                | '\u{FEFF}'
                | '\u{180E}'
        )
}

/// A short single-line text: trimmed, 1 to `max` characters, nothing that breaks a line or
/// reorders it ([`breaks_one_line`]).
pub fn short_text(field: &str, value: &str, max: usize, errors: &mut Vec<FieldError>) -> String {
    let v = value.trim();
    if v.chars().any(breaks_one_line) {
        errors.push(FieldError::with(
            field,
            Rule::Invalid,
            "must be one line without control, separator or direction-override characters",
        ));
    } else if v.is_empty() {
        errors.push(FieldError::rule(field, Rule::Empty));
    } else if v.chars().count() > max {
        errors.push(FieldError::rule(field, Rule::TooLong(max)));
    }
    v.to_string()
}

/// A text that may hold several lines (a description, a reason, a comment): trimmed, at most
/// `max` characters, no control character but tab and line breaks. Blank means absent.
pub fn long_text(
    field: &str,
    value: Option<&str>,
    max: usize,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    if has_control(v) {
        errors.push(FieldError::with(
            field,
            Rule::Invalid,
            "must not hold control characters",
        ));
    } else if v.chars().count() > max {
        errors.push(FieldError::rule(field, Rule::TooLong(max)));
    }
    Some(v.to_string())
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

/// A country's ISO 3166-1 code (`MA`), exactly as the API document lists them; anything else
/// is an error on `field`. (Forms map a typed name to its code first: [`country_code`].)
pub fn country(field: &str, v: Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    let given = v?;
    if !super::country::all().iter().any(|c| c.code == given) {
        errors.push(FieldError::rule(field, Rule::Country));
    }
    Some(given)
}

/// What a form's country field sent, as the code of the country it names (a code in any case, or
/// a name in Arabic, French or English), else as it came: the check then says it is no country.
pub fn country_code(sent: &str) -> String {
    match super::country::find(sent) {
        Some(c) => c.code.to_string(),
        None => sent.to_string(),
    }
}

/// A web address: `https://…` or `http://…`, or one typed without its scheme (`atlas.ma`),
/// completed with `https://`. Nothing else: no other scheme (`javascript:`, `mailto:`) reaches
/// the directory, and no space. (The rule the OpenAPI document's pattern states: it does not
/// ask that the host be a valid name.)
pub fn website(v: Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    let w = v?;
    let web = w.starts_with("https://") || w.starts_with("http://");
    if w.contains(char::is_whitespace) || (!web && w.contains(':')) {
        errors.push(FieldError::rule("website", Rule::Website));
        return Some(w);
    }
    Some(if web { w } else { format!("https://{w}") })
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
        short_text("c", "Amina\r\nBcc: x@evil.test", 100, &mut errors);
        short_text("bidi", "Amina\u{202E}txt.exe", 100, &mut errors);
        short_text("separator", "Amina\u{2028}Bcc", 100, &mut errors);
        short_text("zero_width", "Ami\u{200B}na", 100, &mut errors);
        assert_eq!(
            short_text("g", "مرحبا\u{200F} Salon", 100, &mut errors),
            "مرحبا\u{200F} Salon",
            "the marks Arabic needs stay"
        );
        short_text("d", "nul\0here", 100, &mut errors);
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "a",
                "b",
                "website",
                "c",
                "bidi",
                "separator",
                "zero_width",
                "d"
            ]
        );
        assert!(has_control("a\0b") && !has_control("line one\nline two\ttab"));
        assert_eq!(errors[1].code, "too_long");
    }

    #[test]
    fn a_website_typed_without_its_scheme_is_completed() {
        let mut errors = Vec::new();
        assert_eq!(
            website(Some("atlas.ma".into()), &mut errors).as_deref(),
            Some("https://atlas.ma")
        );
        assert_eq!(
            website(Some("http://atlas.ma/x".into()), &mut errors).as_deref(),
            Some("http://atlas.ma/x")
        );
        assert!(errors.is_empty());
        website(Some("javascript:alert(1)".into()), &mut errors);
        website(Some("mailto:a@b.ma".into()), &mut errors);
        website(Some("atlas .ma".into()), &mut errors);
        assert_eq!(errors.len(), 3);
    }

    #[test]
    fn a_check_reports_each_field_once() {
        let mut check = Check::new(vec![FieldError::rule("name", Rule::Type)]);
        assert_eq!(check.text("name", None, 10), None);
        assert_eq!(check.text("email", None, 10), None);
        assert_eq!(check.text("city", Some("  ".into()), 10), None);
        assert_eq!(check.range("capacity", Some(0), 1, 5), None);
        assert_eq!(
            check.text("venue", Some(" OFEC ".into()), 10).as_deref(),
            Some("OFEC")
        );
        let errors = check.done().expect_err("errors");
        let found: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            found,
            [
                ("name", "type"),
                ("email", "required"),
                ("city", "empty"),
                ("capacity", "range")
            ]
        );
    }
}
