//! The one page renderer: every public HTML page is a minijinja template under
//! `templates/pages/` (compiled into the binary), rendered in the visitor's language (`?lang=`,
//! else `Accept-Language`, else the event's default) with `dir="rtl"` for Arabic. Areas bring
//! their own words (`t` in the templates) and context; this module knows no area.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use actix_web::http::StatusCode;
use actix_web::{http::header, web, HttpRequest, HttpResponse};
use minijinja::{context, Environment};

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

/// What a form shows beside a field that broke `rule`, in `lang`.
pub fn rule_message(lang: Language, rule: Rule) -> String {
    use Language::{Ar, En, Fr};
    match (rule, lang) {
        (Rule::Required | Rule::Empty, Ar) => "هذه الخانة إلزامية.".into(),
        (Rule::Required | Rule::Empty, Fr) => "Ce champ est obligatoire.".into(),
        (Rule::Required | Rule::Empty, En) => "This field is required.".into(),
        (Rule::TooLong(n), Ar) => format!("النص طويل جدًا: {n} حرفًا على الأكثر."),
        (Rule::TooLong(n), Fr) => format!("Texte trop long : {n} caractères au plus."),
        (Rule::TooLong(n), En) => format!("Too long: at most {n} characters."),
        (Rule::Email, Ar) => "أدخلوا عنوان بريد إلكتروني صحيحًا، مثل name@example.com.".into(),
        (Rule::Email, Fr) => {
            "Saisissez une adresse e-mail valide, par exemple nom@exemple.ma.".into()
        }
        (Rule::Email, En) => "Enter a valid email address, like name@example.com.".into(),
        (Rule::Phone, Ar) => "يقبل رقم الهاتف الأرقام والمسافات و + - ( ) . فقط.".into(),
        (Rule::Phone, Fr) => {
            "Le téléphone ne peut contenir que des chiffres, des espaces et + - ( ) .".into()
        }
        (Rule::Phone, En) => "A phone number holds only digits, spaces and + - ( ) .".into(),
        (Rule::Website, Ar) => "أدخلوا عنوان موقع يبدأ بـ https://".into(),
        (Rule::Website, Fr) => "Saisissez une adresse web commençant par https://".into(),
        (Rule::Website, En) => "Enter a web address starting with https://".into(),
        (Rule::Consent, Ar) => "نحتاج إلى موافقتكم لمعالجة بياناتكم.".into(),
        (Rule::Consent, Fr) => "Nous avons besoin de votre accord pour traiter vos données.".into(),
        (Rule::Consent, En) => "We need your consent to process your data.".into(),
        (Rule::Range(lo, hi), Ar) => format!("أدخلوا عددًا بين {lo} و{hi}."),
        (Rule::Range(lo, hi), Fr) => format!("Saisissez un nombre entre {lo} et {hi}."),
        (Rule::Range(lo, hi), En) => format!("Enter a number between {lo} and {hi}."),
        (Rule::Choice | Rule::Type | Rule::Unknown | Rule::Invalid, Ar) => {
            "هذه القيمة غير صالحة.".into()
        }
        (Rule::Choice | Rule::Type | Rule::Unknown | Rule::Invalid, Fr) => {
            "Cette valeur n'est pas valide.".into()
        }
        (Rule::Choice | Rule::Type | Rule::Unknown | Rule::Invalid, En) => {
            "This value is not valid.".into()
        }
    }
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
