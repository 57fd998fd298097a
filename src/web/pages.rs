//! The one page renderer: every public HTML page is a minijinja template under
//! `templates/pages/` (compiled into the binary), rendered in the visitor's language (`?lang=`,
//! else `Accept-Language`, else the event's default) with `dir="rtl"` for Arabic. Areas bring
//! their context and name the sections of page words (`t` in the templates) they need; the
//! words themselves, this module's error page and form errors included, are in
//! `templates/words/<lang>.json` (see [`super::words`]). This module knows no area.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use actix_web::http::StatusCode;
use actix_web::{http::header, web, HttpRequest, HttpResponse};
use minijinja::{context, Environment};

use super::words::{word, Section};
use crate::domain::text::{FieldError, Rule};
use crate::domain::Language;
use crate::error::{AppError, AppResult};

macro_rules! page_templates {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../templates/pages/", $name)))),*]
    };
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        for (name, source) in page_templates!(
            "layout.html",
            "programme.html",
            "confirm.html",
            "attendee.html",
            "badge.html",
            "register.html",
            "exhibit.html",
            "exhibitor.html",
            "error.html",
            "session.html",
            "speaker.html",
            "changes.html",
            "directory.html",
            "meetings_exhibitor.html",
            "meeting_request.html",
            "seat.html",
            "home.html",
            "console/layout.html",
            "console/error.html",
            "console/sign_in.html",
            "console/sign_in_code.html",
            "console/booths.html",
            "console/webhooks.html",
            "console/webhook.html",
            "console/webhook_fields.html",
            "console/webhook_secret.html",
            "console/fairs.html",
            "console/event_fields.html",
            "console/event_new.html",
            "console/settings.html",
            "console/overview.html",
            "console/schedule.html",
            "console/session.html",
            "console/setup.html",
            "console/diff.html",
            "console/release_new.html",
            "console/releases.html",
            "console/door.html",
            "console/registrations.html",
            "console/registration.html",
            "console/registration_new.html",
            "console/exhibitors.html",
            "console/exhibitor.html",
            "console/emails.html",
            "console/email_templates.html",
            "console/email_template.html",
            "console/team.html",
            "console/meetings.html",
            "console/invite.html",
            "console/account.html",
            "console/audit.html",
        ) {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "page template does not compile");
            }
        }
        env
    })
}

/// What a page's form needs to post back to `action`: its address in `lang` and its
/// anti-forgery token (spread into a page's context: `..form_action(…)`).
pub fn form_action(
    settings: &crate::config::Settings,
    action: &str,
    lang: Language,
) -> minijinja::Value {
    context! {
        action => format!("{action}?lang={}", lang.code()),
        csrf => super::csrf::token(settings.server.secret_key.expose(), action),
    }
}

/// Renders page template `name` in `lang` with the interface words `t` and the page's own
/// context (`lang`, `dir` and `t` are set here).
pub fn render(
    name: &str,
    lang: Language,
    t: serde_json::Value,
    ctx: minijinja::Value,
) -> AppResult<String> {
    let base = context! {
        lang => lang.code(),
        dir => if lang.is_rtl() { "rtl" } else { "ltr" },
        t => t,
        assets => super::assets::urls(),
    };
    env()
        .get_template(name)
        .and_then(|tmpl| tmpl.render(context! { ..base, ..ctx }))
        .map_err(|e| AppError::internal(format!("page {name}: {}", causes(&e))))
}

/// A template error and its causes, without the values it was rendered with (they may hold
/// personal data and tokens, which logs never do).
fn causes(e: &minijinja::Error) -> String {
    let mut out = e.to_string();
    let mut next = std::error::Error::source(e);
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

/// [`render`] for a page answering `req`: with the language switcher (`langs`).
pub fn render_for(
    req: &HttpRequest,
    name: &str,
    lang: Language,
    t: serde_json::Value,
    ctx: minijinja::Value,
) -> AppResult<String> {
    render(
        name,
        lang,
        t,
        context! { langs => switcher(req, lang), ..ctx },
    )
}

/// A rendered page as a response: HTML in `lang`, never cached (pages can hold tokens).
pub fn html(status: StatusCode, lang: Language, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_LANGUAGE, lang.code()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// The language a page is shown in (SPEC §4.1): `?lang=` wins, then the `lang` cookie the
/// switcher sets, then `Accept-Language`, then `fallback` (the event's default, or the
/// attendee's own language on their pages). Only `allowed` languages are taken.
pub fn page_language(req: &HttpRequest, allowed: &[Language], fallback: Language) -> Language {
    let from_query = query_language(req);
    let from_cookie = cookie_language(req);
    let from_header = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Language::from_accept_language);
    [from_query, from_cookie, from_header]
        .into_iter()
        .flatten()
        .find(|l| allowed.contains(l))
        .unwrap_or(fallback)
}

/// Like [`page_language`] for a person who chose a language (an attendee's or exhibitor's
/// own pages): `?lang=`, then the cookie, then their language.
pub fn own_language(req: &HttpRequest, theirs: Language) -> Language {
    let from_cookie = cookie_language(req);
    query_language(req).or(from_cookie).unwrap_or(theirs)
}

/// The cookie that remembers the language a visitor picked with the switcher.
pub const LANG_COOKIE: &str = "lang";

/// The value of the request's cookie `name`, if any.
pub fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all(header::COOKIE)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, value)| value.trim().to_string())
}

/// The language in the request's `lang` cookie, if any.
fn cookie_language(req: &HttpRequest) -> Option<Language> {
    cookie(req, LANG_COOKIE).and_then(|value| value.parse::<Language>().ok())
}

/// The language asked for with `?lang=`, if any.
pub fn query_language(req: &HttpRequest) -> Option<Language> {
    web::Query::<BTreeMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("lang").and_then(|l| l.parse::<Language>().ok()))
}

/// The switcher shown on every page: each language, linking to this page in it.
pub fn switcher(req: &HttpRequest, current: Language) -> Vec<BTreeMap<&'static str, String>> {
    let path = req.path().to_string();
    let mut keep: Vec<(String, String)> =
        web::Query::<Vec<(String, String)>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default();
    keep.retain(|(k, _)| k != "lang");
    Language::ALL
        .iter()
        .map(|l| {
            let mut query = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &keep {
                query.append_pair(k, v);
            }
            query.append_pair("lang", l.code());
            BTreeMap::from([
                ("code", l.code().to_string()),
                ("label", l.native_name().to_string()),
                ("href", format!("{path}?{}", query.finish())),
                ("current", (*l == current).to_string()),
            ])
        })
        .collect()
}

/// Middleware: a page asked for with `?lang=` remembers it in the `lang` cookie, so the next
/// page (and the form posts) stay in that language.
pub async fn remember_language(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    let chosen = (req.method() == actix_web::http::Method::GET)
        .then(|| query_language(req.request()))
        .flatten();
    let mut res = next.call(req).await?;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    if let (Some(lang), true) = (chosen, is_html) {
        let cookie = format!(
            "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            lang.code()
        );
        if let Ok(value) = header::HeaderValue::from_str(&cookie) {
            res.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    Ok(res)
}

/// A page that could not be shown, as a page in the visitor's language (never JSON): what
/// happened and the way forward (`next`: a link and its words).
#[derive(Debug)]
pub struct PageError {
    pub error: AppError,
    pub lang: Language,
    pub next: Option<(String, String)>,
    /// Title and explanation in `lang`, when the status's own words do not fit.
    pub words: Option<Box<(String, String)>>,
}

/// What a public page's handler answers: the page, or the page that says what went wrong.
pub type PageReply = Result<HttpResponse, PageError>;

impl std::fmt::Display for PageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

/// Turns an API error into a page error in `lang`.
pub trait InPage<T> {
    fn in_page(self, lang: Language) -> Result<T, PageError>;
}

impl<T> InPage<T> for AppResult<T> {
    fn in_page(self, lang: Language) -> Result<T, PageError> {
        self.map_err(|error| PageError {
            error,
            lang,
            next: None,
            words: None,
        })
    }
}

impl PageError {
    pub fn new(error: AppError, lang: Language) -> PageError {
        PageError {
            error,
            lang,
            next: None,
            words: None,
        }
    }

    /// With a title and explanation of its own (already in the page's language).
    pub fn saying(mut self, (title, text): (String, String)) -> PageError {
        self.words = Some(Box::new((title, text)));
        self
    }

    /// With a way forward.
    pub fn next(mut self, href: impl Into<String>, label: impl Into<String>) -> PageError {
        self.next = Some((href.into(), label.into()));
        self
    }
}

/// The check every page form makes (see `csrf::check`): on failure, the 403 page in `lang`
/// with a link to try again at `retry_page` (in `lang`).
pub fn verify_form(
    req: &HttpRequest,
    settings: &crate::config::Settings,
    action: &str,
    given: &str,
    lang: Language,
    retry_page: &str,
) -> Result<(), PageError> {
    if super::csrf::check(req, settings, action, given) {
        return Ok(());
    }
    let label = word(lang, Section::ErrorPage, "form_retry");
    let retry = format!("{retry_page}?lang={}", lang.code());
    Err(PageError::new(AppError::Forbidden("csrf".into()), lang).next(retry, label))
}

/// Title and explanation of the page of a confirmation link already used (409).
pub fn link_used_words(lang: Language) -> (String, String) {
    (
        word(lang, Section::ErrorPage, "used_link_title"),
        word(lang, Section::ErrorPage, "used_link_text"),
    )
}

/// Title and explanation of an error page, by status, in `lang` (`{secs}`: how long to wait).
fn error_words(status: StatusCode, lang: Language, retry: Option<u64>) -> (String, String) {
    let key = match status.as_u16() {
        code @ (403 | 404 | 408 | 409 | 410 | 413 | 429) => code.to_string(),
        _ => "default".to_string(),
    };
    let secs = retry.unwrap_or(60).to_string();
    (
        word(lang, Section::ErrorPage, &format!("{key}_title")),
        word(lang, Section::ErrorPage, &format!("{key}_text")).replace("{secs}", &secs),
    )
}

impl actix_web::ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        self.error.status_code()
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        if status.is_server_error() {
            // Logged once, by the problem renderer, without showing the cause.
            let _ = self.error.error_response();
        }
        let retry = match &self.error {
            AppError::TooManyRequests { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let (title, text) = match &self.words {
            Some(words) => (**words).clone(),
            None => error_words(status, self.lang, retry),
        };
        let body = render(
            "error.html",
            self.lang,
            serde_json::json!({}),
            context! {
                title => title,
                text => text,
                status => status.as_u16(),
                next_href => self.next.as_ref().map(|n| n.0.clone()),
                next_label => self.next.as_ref().map(|n| n.1.clone()),
            },
        )
        .unwrap_or_else(|_| title.clone());
        let mut res = html(status, self.lang, body);
        if let Some(secs) = retry {
            if let Ok(v) = header::HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

/// What a form shows beside a field that broke `rule`, in `lang`.
pub fn rule_message(lang: Language, rule: Rule) -> String {
    let text = |key: &str| word(lang, Section::FormErrors, key);
    match rule {
        Rule::Required | Rule::Empty => text("required"),
        Rule::TooLong(n) => text("too_long").replace("{n}", &n.to_string()),
        Rule::Email => text("email"),
        Rule::Phone => text("phone"),
        Rule::Website => text("website"),
        Rule::Country => text("country"),
        Rule::Consent => text("consent"),
        Rule::Range(lo, hi) => text("range")
            .replace("{lo}", &lo.to_string())
            .replace("{hi}", &hi.to_string()),
        Rule::Choice | Rule::Type | Rule::Unknown | Rule::Invalid => text("invalid"),
    }
}

/// The first of `order` (a form's fields, top to bottom) that has an error: it gets the focus,
/// so a person (or a screen reader) lands where to correct.
pub fn first_error<'a>(order: &[&'a str], errors: &[FieldError]) -> Option<&'a str> {
    order.iter().copied().find(|name| {
        errors
            .iter()
            .any(|e| e.field.split('.').next() == Some(*name))
    })
}

/// A form's errors by field, each in `lang` (the first error of a field wins), for the
/// templates to show beside each input.
pub fn field_errors(lang: Language, errors: &[FieldError]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in errors {
        let field = e.field.split('.').next().unwrap_or(&e.field).to_string();
        out.entry(field)
            .or_insert_with(|| rule_message(lang, e.rule));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys this module looks up exist in every language, and every placeholder is filled.
    #[test]
    fn error_and_form_words_are_complete() {
        let rules = [
            Rule::Required,
            Rule::Empty,
            Rule::TooLong(80),
            Rule::Email,
            Rule::Phone,
            Rule::Website,
            Rule::Country,
            Rule::Consent,
            Rule::Range(1, 9),
            Rule::Choice,
            Rule::Type,
            Rule::Unknown,
            Rule::Invalid,
        ];
        let filled = |text: &str| !text.trim().is_empty() && !text.contains('{');
        for lang in Language::ALL {
            for code in [403, 404, 408, 409, 410, 413, 429, 500] {
                let status = StatusCode::from_u16(code).expect("a status");
                let (title, text) = error_words(status, lang, Some(7));
                assert!(filled(&title) && filled(&text), "{code} in {lang:?}");
            }
            let (title, text) = link_used_words(lang);
            assert!(filled(&title) && filled(&text));
            assert!(filled(&word(lang, Section::ErrorPage, "form_retry")));
            for rule in rules {
                assert!(filled(&rule_message(lang, rule)), "{rule:?} in {lang:?}");
            }
        }
        let (_, text) = error_words(StatusCode::TOO_MANY_REQUESTS, Language::En, Some(7));
        assert!(text.contains(" 7 "), "{text}");
    }
}
