//! The HTTP edge: the JSON extractor and list envelope every route uses, the route table,
//! telemetry, health checks, the OpenAPI document, and the public HTML pages.

pub mod csrf;
pub mod health;
pub mod json;
pub mod list;
pub mod openapi;
pub mod pages;
pub mod query;
pub mod rate_limit;
pub mod routes;
pub mod telemetry;

use actix_web::{HttpRequest, HttpResponse};

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
