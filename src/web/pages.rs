//! Public HTML pages, rendered with minijinja in the visitor's language (`?lang=`, else
//! `Accept-Language`, else the event's default), with `dir="rtl"` for Arabic.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use actix_web::{http::header, web, HttpRequest, HttpResponse};
use minijinja::{context, Environment};
use serde::Serialize;

use crate::app::AppState;
use crate::domain::Language;
use crate::error::{AppError, AppResult};
use crate::events::queries as events;
use crate::schedule::releases;

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        let templates = [
            (
                "layout.html",
                include_str!("../../templates/pages/layout.html"),
            ),
            (
                "programme.html",
                include_str!("../../templates/pages/programme.html"),
            ),
        ];
        for (name, source) in templates {
            if let Err(e) = env.add_template(name, source) {
                tracing::error!(template = name, error = %e, "page template does not compile");
            }
        }
        env
    })
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

/// Interface words of the pages, per language.
fn words(lang: Language) -> BTreeMap<&'static str, &'static str> {
    let pairs: &[(&str, &str)] = match lang {
        Language::Ar => &[
            ("programme", "البرنامج"),
            ("empty", "لم يُنشر البرنامج بعد. عودوا قريبًا."),
            ("version", "الإصدار"),
            ("room", "القاعة"),
            ("speakers", "المتحدثون"),
            ("day", "اليوم"),
            ("kind_keynote", "محاضرة افتتاحية"),
            ("kind_seminar", "ندوة"),
            ("kind_panel", "مائدة مستديرة"),
            ("kind_workshop", "ورشة"),
            ("kind_break", "استراحة"),
        ],
        Language::Fr => &[
            ("programme", "Programme"),
            (
                "empty",
                "Le programme n'est pas encore publié. Revenez bientôt.",
            ),
            ("version", "Version"),
            ("room", "Salle"),
            ("speakers", "Intervenants"),
            ("day", "Jour"),
            ("kind_keynote", "Conférence plénière"),
            ("kind_seminar", "Séminaire"),
            ("kind_panel", "Table ronde"),
            ("kind_workshop", "Atelier"),
            ("kind_break", "Pause"),
        ],
        Language::En => &[
            ("programme", "Programme"),
            (
                "empty",
                "The programme has not been published yet. Please come back soon.",
            ),
            ("version", "Version"),
            ("room", "Room"),
            ("speakers", "Speakers"),
            ("day", "Day"),
            ("kind_keynote", "Keynote"),
            ("kind_seminar", "Seminar"),
            ("kind_panel", "Panel"),
            ("kind_workshop", "Workshop"),
            ("kind_break", "Break"),
        ],
    };
    pairs.iter().copied().collect()
}

#[derive(Serialize)]
struct SessionView {
    time: String,
    title: String,
    kind: String,
    lang: String,
    room: String,
    speakers: String,
    color: Option<String>,
}

#[derive(Serialize)]
struct DayView {
    date: String,
    label: String,
    sessions: Vec<SessionView>,
}

#[utoipa::path(get, path = "/events/{slug}", tag = "pages",
    params(("slug" = String, Path), ("lang" = Option<String>, Query, description = "ar, fr or en")),
    responses((status = 200, description = "the published programme as a page", content_type = "text/html"), (status = 404)))]
pub async fn programme(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
) -> AppResult<HttpResponse> {
    let slug = slug.into_inner();
    let (event, release) = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, false)?;
            let release = releases::latest(c, event.id)?;
            Ok((event, release))
        })
        .await?;
    let lang = page_language(&req, &event.languages, event.default_language);
    let fallback = event.default_language;
    let mut days: Vec<DayView> = Vec::new();
    if let Some(release) = &release {
        let rooms: BTreeMap<i64, String> = release
            .snapshot
            .rooms
            .iter()
            .map(|r| (r.id, r.name.get(lang, fallback).to_string()))
            .collect();
        let colors: BTreeMap<i64, String> = release
            .snapshot
            .tracks
            .iter()
            .map(|t| (t.id, t.color.clone()))
            .collect();
        for s in &release.snapshot.sessions {
            let date = s.starts_at.date_naive().to_string();
            if days.last().is_none_or(|d| d.date != date) {
                days.push(DayView {
                    label: crate::domain::dates::day(lang, s.starts_at.date_naive()),
                    date: date.clone(),
                    sessions: Vec::new(),
                });
            }
            if let Some(day) = days.last_mut() {
                day.sessions.push(SessionView {
                    time: format!(
                        "{}–{}",
                        s.starts_at.format("%H:%M"),
                        s.ends_at.format("%H:%M")
                    ),
                    title: s.title.clone(),
                    kind: serde_json::to_value(s.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    lang: s.language.code().to_string(),
                    room: rooms.get(&s.room_id).cloned().unwrap_or_default(),
                    speakers: s
                        .speakers
                        .iter()
                        .map(|sp| sp.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    color: s.track_id.and_then(|t| colors.get(&t).cloned()),
                });
            }
        }
    }
    let html = env()
        .get_template("programme.html")
        .and_then(|t| {
            t.render(context! {
                lang => lang.code(),
                dir => if lang.is_rtl() { "rtl" } else { "ltr" },
                t => words(lang),
                event_name => event.name.get(lang, fallback),
                city => event.city,
                venue => event.venue,
                version => release.as_ref().map(|r| r.version.clone()),
                days => days,
                languages => event.languages.iter().map(|l| l.code()).collect::<Vec<_>>(),
                slug => event.slug,
            })
        })
        .map_err(|e| AppError::internal(format!("programme page: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_LANGUAGE, lang.code()))
        .body(html))
}
