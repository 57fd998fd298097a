//! One error type for every handler, rendered once as RFC 9457 `application/problem+json`.
//!
//! Which variant to use:
//! - [`AppError::BadRequest`]: the body is not JSON at all (syntax error, truncated). Only this is 400.
//! - [`AppError::Validation`]: anything rejected after parsing — wrong type, missing or unknown
//!   field, unknown enum value, bad value. 422 with `errors: [{field, message}]`, dotted paths.
//! - [`AppError::Unauthorized`] (401): no credentials or bad ones; [`AppError::Forbidden`] (403):
//!   valid credentials, role too low.
//! - [`AppError::NotFound`] (404): also for things that exist but the caller may not see (drafts).
//! - [`AppError::Conflict`] (409): state does not allow it (duplicate, wrong status transition);
//!   [`AppError::ScheduleConflict`] (409) carries the `conflicts` member of SPEC §5.
//! - [`AppError::Internal`] (500): everything unexpected. The cause chain is logged, never shown.
//!
//! Diesel's `NotFound` becomes 404 and unique violations 409, so queries can use `?` freely.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::schedule::Conflict;

pub use crate::domain::text::MAX_ERRORS;
pub use crate::domain::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found: {0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("schedule conflict")]
    ScheduleConflict {
        detail: String,
        conflicts: Vec<Conflict>,
    },
    #[error("gone: {0}")]
    Gone(String),
    /// 412: the write named the version it was based on (`If-Match`, or a console form's
    /// `version`), and the thing has changed since.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    #[error("payload too large")]
    PayloadTooLarge(usize),
    /// 408: the body had not all arrived by its deadline (`web::deadline`); the connection is
    /// closed.
    #[error("request timeout")]
    RequestTimeout,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// 503 with `Retry-After`: a bounded resource is all in use; come back shortly.
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The problem document (RFC 9457) with Salon's extension members.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>)]
    pub conflicts: Option<Vec<Conflict>>,
}

impl AppError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        AppError::NotFound(what.into())
    }

    pub fn internal(message: impl Into<String>) -> Self {
        AppError::Internal(anyhow::anyhow!(message.into()))
    }

    /// Short machine name used in the `type` URI.
    fn slug(&self) -> &'static str {
        match self {
            AppError::BadRequest(_) => "bad-request",
            AppError::Validation(_) => "validation",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::NotFound(_) => "not-found",
            AppError::MethodNotAllowed => "method-not-allowed",
            AppError::Conflict(_) => "conflict",
            AppError::ScheduleConflict { .. } => "schedule-conflict",
            AppError::Gone(_) => "gone",
            AppError::PreconditionFailed(_) => "precondition-failed",
            AppError::PayloadTooLarge(_) => "payload-too-large",
            AppError::RequestTimeout => "request-timeout",
            AppError::UnsupportedMediaType => "unsupported-media-type",
            AppError::TooManyRequests { .. } => "too-many-requests",
            AppError::Unavailable(_) | AppError::Busy { .. } => "unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            AppError::BadRequest(d)
            | AppError::Unauthorized(d)
            | AppError::Forbidden(d)
            | AppError::NotFound(d)
            | AppError::Conflict(d)
            | AppError::Gone(d)
            | AppError::PreconditionFailed(d)
            | AppError::Unavailable(d) => d.clone(),
            AppError::Validation(errors) => match errors.as_slice() {
                [one] => format!("{}: {}", one.field, one.message),
                _ => format!("{} fields are invalid", errors.len()),
            },
            AppError::MethodNotAllowed => "this route does not accept that method".into(),
            AppError::ScheduleConflict { detail, .. } => detail.clone(),
            AppError::PayloadTooLarge(limit) => {
                format!("the request body is larger than {limit} bytes")
            }
            AppError::RequestTimeout => {
                "the request body did not arrive in time; the connection is closed".into()
            }
            AppError::UnsupportedMediaType => {
                "the request body must be JSON (Content-Type: application/json)".into()
            }
            AppError::TooManyRequests { retry_after_secs } => {
                format!("too many requests; try again in {retry_after_secs} s")
            }
            AppError::Busy { retry_after_secs } => {
                format!("the server is busy; try again in {retry_after_secs} s")
            }
            AppError::Internal(_) => "an unexpected error occurred; it has been logged".into(),
        };
        Problem {
            type_: format!("https://salon.example/problems/{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            errors: match self {
                AppError::Validation(errors) => Some(capped(errors)),
                _ => None,
            },
            conflicts: match self {
                AppError::ScheduleConflict { conflicts, .. } => Some(conflicts.clone()),
                _ => None,
            },
        }
    }
}

/// The field errors a problem lists: at most [`MAX_ERRORS`], then one saying
/// how many more there were, whichever route found them.
fn capped(errors: &[FieldError]) -> Vec<FieldError> {
    let max = MAX_ERRORS;
    // The body readers already end a long list with their own summary; keep theirs.
    if errors.len() <= max + 1 {
        return errors.to_vec();
    }
    let mut out = errors[..max].to_vec();
    out.push(FieldError::new(
        "body",
        format!(
            "only the first {max} errors are listed; {} more were found",
            errors.len() - max
        ),
    ));
    out
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            AppError::Conflict(_) | AppError::ScheduleConflict { .. } => StatusCode::CONFLICT,
            AppError::Gone(_) => StatusCode::GONE,
            AppError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable(_) | AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            tracing::error!(error = format!("{cause:#}"), "request failed");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, "application/problem+json"));
        if let AppError::Unauthorized(_) = self {
            response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        if let AppError::RequestTimeout = self {
            response.insert_header((header::CONNECTION, "close"));
            response.force_close();
        }
        if let AppError::TooManyRequests { retry_after_secs }
        | AppError::Busy { retry_after_secs } = self
        {
            response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        let body = serde_json::to_string(&self.problem()).unwrap_or_else(|_| "{}".into());
        response.body(body)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => AppError::NotFound("not found".into()),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                AppError::Conflict(format!("already exists ({})", info.message()))
            }
            // PostgreSQL broke a lock cycle (two batches locking two events in opposite orders,
            // see `db::group`) or a serialization conflict: nothing was kept; try again.
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => AppError::Busy {
                retry_after_secs: 1,
            },
            Error::DatabaseError(_, info) if info.message().contains("deadlock detected") => {
                AppError::Busy {
                    retry_after_secs: 1,
                }
            }
            other => AppError::Internal(anyhow::Error::new(other).context("database error")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        tracing::warn!(error = %e, "no database connection available");
        AppError::Unavailable("the database is busy; try again shortly".into())
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

pub type AppResult<T> = Result<T, AppError>;
