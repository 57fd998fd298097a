//! The HTTP edge toolkit every area uses, and which imports no area: the state handlers reach
//! ([`AppState`]), who is calling ([`identity`]: the one bearer parser and the organizer
//! extractors), the JSON, query and form extractors, the list envelope, CSRF, rate limiting,
//! telemetry, health checks and the one page renderer. The route table and the OpenAPI document
//! know every area, so they live in the app (`crate::app`), not here.

pub mod csrf;
pub mod health;
pub mod identity;
pub mod json;
pub mod list;
pub mod pages;
pub mod query;
pub mod rate_limit;
pub mod state;
pub mod telemetry;

use actix_web::{HttpRequest, HttpResponse};

pub use state::AppState;

use crate::error::AppError;

/// Any path no route matches.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    let _ = req;
    Err(AppError::not_found("no such route"))
}

/// A known path asked with a method it does not take.
pub async fn method_not_allowed() -> Result<HttpResponse, AppError> {
    Err(AppError::MethodNotAllowed)
}
