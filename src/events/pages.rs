//! The front door: `GET /` lists the published fairs with their days, place and links to the
//! programme, registration and exhibitor forms, and leads organizers to the console. `/events`
//! is the same list's old address and sends the browser there.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use minijinja::context;

use super::store;
use crate::db::PageRequest;
use crate::domain::{dates, Language};
use crate::web::pages::{html, page_language, render_for, InPage, PageReply};
use crate::web::words::{words, Section};
use crate::web::State;

/// How many fairs the front page lists at the most (the API pages through the rest).
const SHOWN: i64 = 200;

#[utoipa::path(get, path = "/", tag = "pages",
    responses((status = 200, description = "the published fairs, with links to their programmes and forms, and to the console", content_type = "text/html")))]
pub async fn home(state: State, req: HttpRequest) -> PageReply {
    let lang = page_language(&req, &Language::ALL, Language::Fr);
    let shown = PageRequest {
        page: 1,
        per_page: SHOWN,
        like: None,
        needle: None,
        sort: Some(("starts_on".into(), false)),
    };
    let (fairs, _) = state
        .db
        .run(move |c| Ok(store::list(c, &shown, false)?))
        .await
        .in_page(lang)?;
    let today = state.clock.now().date_naive();
    let fairs: Vec<_> = fairs
        .iter()
        .map(|e| {
            let base = format!("/events/{}", e.slug);
            let shown_in = e.language_for(Some(lang));
            context! {
                name => e.name.get(shown_in, e.default_language),
                name_lang => shown_in.code(),
                days => dates::range(lang, e.starts_on, e.ends_on),
                place => [e.venue.as_str(), e.city.as_str()]
                    .into_iter()
                    .filter(|p| !p.trim().is_empty())
                    .collect::<Vec<_>>()
                    .join(", "),
                past => e.ends_on < today,
                programme => format!("{base}?lang={}", lang.code()),
                register => format!("{base}/register?lang={}", lang.code()),
                exhibit => format!("{base}/exhibit?lang={}", lang.code()),
                exhibitors => format!("{base}/exhibitors?lang={}", lang.code()),
            }
        })
        .collect();
    let body = render_for(
        &req,
        "home.html",
        lang,
        words(lang, &[Section::Home]),
        context! {
            fairs => fairs,
            console => format!("/console?lang={}", lang.code()),
        },
    )
    .in_page(lang)?;
    Ok(html(StatusCode::OK, lang, body))
}

#[utoipa::path(get, path = "/events", tag = "pages",
    responses((status = 308, description = "to the list of fairs, `/`")))]
pub async fn fairs(req: HttpRequest) -> HttpResponse {
    let query = req.query_string();
    let to = if query.is_empty() {
        "/".to_string()
    } else {
        format!("/?{query}")
    };
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// The front door's pages.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_home, home);
    r.add(__path_fairs, fairs);
}
