//! The HTTP edge toolkit every area uses, and which imports no area: the state handlers reach
//! ([`AppState`]), who is calling ([`identity`]: the one bearer parser and the organizer
//! extractors), the JSON, query and form extractors, the list envelope, CSRF, rate limiting,
//! telemetry, health checks, the one page renderer and the pages' words in ar, fr and en
//! ([`words`]), and [`routes::Routes`], through which each
//! area registers its routes with their OpenAPI paths (the app composes the areas).

pub mod assets;
pub mod console;
pub mod csrf;
pub mod deadline;
pub mod health;
pub mod identity;
pub mod json;
pub mod list;
pub mod pages;
pub mod query;
pub mod rate_limit;
pub mod routes;
pub mod state;
pub mod telemetry;
pub mod words;

use actix_web::{HttpRequest, HttpResponse};

pub use state::AppState;

/// The application's state, as a handler extracts it.
pub type State = actix_web::web::Data<AppState>;

/// The path of an event: `/…/{slug}…`.
pub type SlugPath = actix_web::web::Path<String>;

/// The path of one item of an event: `/…/{slug}/…/{id}`.
pub type ItemPath = actix_web::web::Path<(String, i64)>;

/// What a JSON API handler answers: the response, or a problem document.
pub type Reply = crate::error::AppResult<HttpResponse>;

use crate::error::AppError;

/// Any path no route matches: a problem document under `/api/`, a page anywhere else (a
/// person opened it), and a path with a trailing slash goes to the same path without it.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    let path = req.path();
    if !is_api(path) && path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let to = match req.query_string() {
            "" => trimmed.to_string(),
            query => format!("{trimmed}?{query}"),
        };
        let to = if to.is_empty() || to.starts_with("//") {
            "/".to_string()
        } else {
            to
        };
        return HttpResponse::PermanentRedirect()
            .insert_header((actix_web::http::header::LOCATION, to))
            .finish();
    }
    no_such(&req, "no such route").error_response()
}

/// A version as an `ETag` header value (a strong tag: the version names the exact state).
/// A personal calendar feed (an attendee's agenda, an exhibitor's meetings): iCalendar text
/// that calendar apps poll, private to its link's holder, kept five minutes.
pub fn private_feed(body: String) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("Cache-Control", "private, max-age=300"))
        .body(body)
}

pub fn etag(version: &str) -> String {
    format!("\"{version}\"")
}

/// The version an `If-Match` header names (its first tag, quotes and a weak `W/` taken off);
/// `*` or no header: none, any version will do.
pub fn if_match(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::IF_MATCH)?
        .to_str()
        .ok()?;
    let first = value.split(',').next()?.trim();
    let tag = first.strip_prefix("W/").unwrap_or(first).trim_matches('"');
    (!tag.is_empty() && tag != "*").then(|| tag.to_string())
}

/// Whether `path` is the JSON API's (errors there are problem documents, not pages).
pub fn is_api(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

/// The 404 of a path that names nothing (an unknown route, an id that is not a number): a
/// problem document for the API, a page in the visitor's language elsewhere.
pub fn no_such(req: &HttpRequest, detail: &str) -> actix_web::Error {
    let error = AppError::not_found(detail);
    if is_api(req.path()) {
        return error.into();
    }
    let lang = pages::page_language(
        req,
        &crate::domain::Language::ALL,
        crate::domain::Language::Fr,
    );
    pages::PageError::new(error, lang).into()
}

/// A known path asked with a method it does not take: 405 with the methods it does take.
pub async fn method_not_allowed(allow: actix_web::http::header::HeaderValue) -> HttpResponse {
    let mut res = actix_web::ResponseError::error_response(&AppError::MethodNotAllowed);
    res.headers_mut()
        .insert(actix_web::http::header::ALLOW, allow);
    res
}

/// Middleware: `HEAD` is answered wherever `GET` is (RFC 9110 §9.3.2), with the same status
/// and headers and no body.
pub async fn head_as_get(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<
    actix_web::dev::ServiceResponse<
        actix_web::body::EitherBody<impl actix_web::body::MessageBody, actix_web::body::None>,
    >,
    actix_web::Error,
> {
    let head = req.method() == actix_web::http::Method::HEAD;
    if head {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let res = next.call(req).await?;
    if head {
        Ok(res
            .map_body(|_, _| actix_web::body::None::new())
            .map_into_right_body())
    } else {
        Ok(res.map_into_left_body())
    }
}
