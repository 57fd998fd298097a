//! The HTTP edge toolkit every area uses, and which imports no area: the state handlers reach
//! ([`AppState`]), who is calling ([`identity`]: the one bearer parser and the organizer
//! extractors), the JSON, query and form extractors, the list envelope, CSRF, rate limiting,
//! telemetry, health checks, the one page renderer and the pages' words in ar, fr and en
//! ([`words`]), and [`routes::Routes`], through which each
//! area registers its routes with their OpenAPI paths (the app composes the areas).

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

/// The path of one item of an event: `/…/{slug}/…/{id}`.
pub type ItemPath = actix_web::web::Path<(String, i64)>;

use crate::error::AppError;

/// Any path no route matches.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let _ = req;
    Err(AppError::not_found("no such route"))
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
