//! The one page renderer: every public HTML page is a minijinja template under
//! `templates/pages/` (compiled into the binary), rendered in the visitor's language (`?lang=`,
//! else `Accept-Language`, else the event's default) with `dir="rtl"` for Arabic. Areas bring
//! their own words (`t` in the templates) and context; this module knows no area.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use actix_web::http::StatusCode;
use actix_web::{http::header, web, HttpRequest, HttpResponse};
use minijinja::{context, Environment};

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
        ) {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "page template does not compile");
            }
        }
        env
    })
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
    };
    env()
        .get_template(name)
        .and_then(|tmpl| tmpl.render(context! { ..base, ..ctx }))
        .map_err(|e| AppError::internal(format!("page {name}: {e:#}")))
}

/// A rendered page as a response: HTML in `lang`, never cached (pages can hold tokens).
pub fn html(status: StatusCode, lang: Language, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_LANGUAGE, lang.code()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

/// The language a page is shown in.
pub fn page_language(req: &HttpRequest, allowed: &[Language], fallback: Language) -> Language {
    let from_query = web::Query::<BTreeMap<String, String>>::from_query(req.query_string())
        .ok()
        .and_then(|q| q.get("lang").and_then(|l| l.parse::<Language>().ok()));
    let from_header = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(Language::from_accept_language);
    from_query
        .or(from_header)
        .filter(|l| allowed.contains(l))
        .unwrap_or(fallback)
}
