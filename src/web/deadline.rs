//! The request body's deadline (`server.body_timeout`): a client that sends its headers and
//! then its body slowly, or not at all, holds a connection and a file descriptor. Every body is
//! read through [`Deadline`], which ends it with a `TimedOut` error once the time since the
//! request arrived passes the deadline; the extractors answer that with 408 and close the
//! connection (see `AppError::RequestTimeout`). Headers have their own limit, actix-web's
//! `client_request_timeout`, set from the same value in `app::serve`.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::Stream;

/// How long a request body may take to arrive, from the request's start (app data).
#[derive(Clone, Copy, Debug)]
pub struct BodyTimeout(pub Duration);

/// A body that ends with a `TimedOut` error at its deadline.
pub struct Deadline {
    inner: Payload,
    sleep: Pin<Box<tokio::time::Sleep>>,
    expired: bool,
}

impl Deadline {
    pub fn new(inner: Payload, timeout: Duration) -> Self {
        Deadline {
            inner,
            sleep: Box::pin(tokio::time::sleep(timeout)),
            expired: false,
        }
    }
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        match Pin::new(&mut self.inner).poll_next(cx) {
            Poll::Pending => {
                if self.sleep.as_mut().poll(cx).is_ready() {
                    self.expired = true;
                    Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        "the request body did not arrive in time",
                    )))))
                } else {
                    Poll::Pending
                }
            }
            ready => ready,
        }
    }
}

/// Whether the request says it has a body (a length above zero, or chunks).
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok());
    headers.contains_key(header::TRANSFER_ENCODING) || length.is_some_and(|v| v.trim() != "0")
}

/// Middleware: every request body is read under its deadline. Requests without a body (the
/// reads) pass untouched, with no timer.
pub async fn limit_body(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let timeout = req
        .app_data::<actix_web::web::Data<BodyTimeout>>()
        .map(|t| t.0);
    if let Some(timeout) = timeout.filter(|_| has_body(&req)) {
        let payload = req.take_payload();
        let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> =
            Box::pin(Deadline::new(payload, timeout));
        req.set_payload(Payload::Stream { payload: stream });
    }
    next.call(req).await
}

/// Whether a payload error is the deadline's.
pub fn timed_out(e: &PayloadError) -> bool {
    matches!(e, PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut)
}
