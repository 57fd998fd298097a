//! The public programme page `/events/{slug}`: the latest release, day by day, in the
//! visitor's language.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde::Serialize;

use super::releases;
use crate::domain::Language;
use crate::error::AppResult;
use crate::events::queries as events;
use crate::web::pages::{html, page_language, render_for};
use crate::web::AppState;

/// Interface words of the pages, per language.
fn words(lang: Language) -> serde_json::Value {
    let pairs: &[(&str, &str)] = match lang {
        Language::Ar => &[
            ("programme", "البرنامج"),
            ("empty", "لم يُنشر البرنامج بعد. عودوا قريبًا."),
            ("version", "الإصدار"),
            ("register", "التسجيل للزيارة"),
            ("exhibit", "طلب رواق عرض"),
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
            ("register", "S'inscrire pour visiter"),
            ("exhibit", "Exposer au salon"),
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
            ("register", "Register to visit"),
            ("exhibit", "Exhibit at the fair"),
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
    serde_json::Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::from(*v)))
            .collect(),
    )
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
    let body = render_for(
        &req,
        "programme.html",
        lang,
        words(lang),
        context! {
            event_name => event.name.get(lang, fallback),
            city => event.city,
            venue => event.venue,
            version => release.as_ref().map(|r| r.version.clone()),
            days => days,
            languages => event.languages.iter().map(|l| l.code()).collect::<Vec<_>>(),
            slug => event.slug,
        },
    )?;
    Ok(html(StatusCode::OK, lang, body))
}
