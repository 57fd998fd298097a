//! Email templates: the built-in minijinja files under `templates/email/<kind>/<lang>.*`
//! (compiled into the binary), and organizers' overrides per event and language, stored in the
//! database and checked when saved (syntax, and only the kind's variables: `check.rs`).

mod check;

use std::sync::OnceLock;

use minijinja::Environment;

use super::EmailKind;
use crate::db::Conn;
use crate::domain::Language;
use crate::error::{AppError, AppResult};
use check::loads_remote;
pub use check::{check, safe_parts};

pub use super::model::Parts;
pub use super::store::find_override;

/// Whose change of a fair's email text, for the audit log: organizer `by`, on the fair `slug`.
pub struct Editor<'a> {
    pub by: i64,
    pub slug: &'a str,
}

/// Saves the fair's own text of `kind` in `lang` (checked by [`check`] before), audited;
/// returns the fair's id. Call inside a write transaction (the fair is locked).
pub fn save_override(
    c: &mut Conn,
    editor: Editor,
    kind: EmailKind,
    lang: Language,
    parts: &super::model::Parts,
) -> AppResult<i64> {
    let event = crate::events::store::lock(c, editor.slug)?;
    super::store::upsert_template(c, event.id, kind, lang, parts, crate::db::now())?;
    audit_override(c, &editor, event.id, "update", kind, lang)?;
    Ok(event.id)
}

/// Drops the fair's own text of `kind` in `lang`: the built-in one is sent again. Audited;
/// returns the fair's id.
pub fn drop_override(
    c: &mut Conn,
    editor: Editor,
    kind: EmailKind,
    lang: Language,
) -> AppResult<i64> {
    let event = crate::events::store::lock(c, editor.slug)?;
    super::store::delete_template(c, event.id, kind, lang)?;
    audit_override(c, &editor, event.id, "reset", kind, lang)?;
    Ok(event.id)
}

fn audit_override(
    c: &mut Conn,
    editor: &Editor,
    event_id: i64,
    action: &str,
    kind: EmailKind,
    lang: Language,
) -> AppResult<()> {
    crate::audit::record(
        c,
        Some(editor.by),
        Some(event_id),
        action,
        "email_template",
        None,
        serde_json::json!({"kind": kind, "language": lang}),
    )?;
    Ok(())
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
    "speaker_schedule_changed",
    "organizer_invite",
    "meeting_requested",
    "meeting_accepted",
    "meeting_declined",
    "meeting_cancelled",
    "meeting_expired",
    "meetings_reminder",
    "webhook_disabled",
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

/// The attendee's name in previews of an email (the release page).
pub const SAMPLE_NAME: &str = "Amina Benali";

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

/// `parts` rendered on the sample values a check uses, as the console's editor previews them.
pub fn preview(kind: EmailKind, lang: Language, parts: &Parts) -> AppResult<Parts> {
    render_parts(kind, lang, parts, &check::sample_context(kind))
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

    /// French puts an article before most fairs' names ("au Salon International…", "à SICCAM"),
    /// and Salon cannot know which: no French sentence puts a preposition right before the name.
    #[test]
    fn french_never_puts_a_preposition_before_the_fairs_name() {
        for kind in EmailKind::ALL {
            let parts = builtin(kind, Language::Fr);
            for (part, text) in [
                ("subject", &parts.subject),
                ("txt", &parts.text),
                ("html", &parts.html),
            ] {
                let spaced = text.replace("<strong>", " ");
                let words: Vec<&str> = spaced.split_whitespace().collect();
                for w in words.windows(3) {
                    let before_name = w[1] == "{{" && w[2] == "event_name";
                    let preposition = ["à", "au", "aux", "de", "du", "pour", "en"].contains(&w[0]);
                    assert!(
                        !(before_name && preposition),
                        "{kind}/fr.{part}: «{} {{{{ event_name }}}}»",
                        w[0]
                    );
                }
            }
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
