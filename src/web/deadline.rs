//! The request body's deadline: a client that sends its headers and then its body slowly, or
//! not at all, holds a connection and a file descriptor. Every body is read through
//! [`Deadline`], which ends it with a `TimedOut` error once its deadline passes: from the
//! request's arrival, `server.body_timeout` plus the time the declared length takes at
//! [`MIN_RATE`] (a 4 MiB import on a slow venue connection gets a minute more). The extractors
//! answer that with 408 and close the connection (see `AppError::RequestTimeout`). Headers have
//! their own limit, actix-web's `client_request_timeout`, set from `server.body_timeout` in
//! `app::serve`.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BodySize, BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::Stream;

/// The slowest upload a body's deadline allows for beyond `server.body_timeout`: 64 KiB a
/// second.
pub const MIN_RATE: u64 = 64 * 1024;

/// The deadline of a body of `length` bytes (chunked: unknown, `base` alone).
pub fn deadline_for(base: Duration, length: Option<u64>) -> Duration {
    base + Duration::from_millis(length.unwrap_or(0).saturating_mul(1000) / MIN_RATE)
}

/// A body that ends with a `TimedOut` error at its deadline. The connection's own payload is
/// shared with a [`Hold`] that the response keeps: see [`limit_body`].
pub struct Deadline {
    inner: Rc<RefCell<Payload>>,
    sleep: Pin<Box<tokio::time::Sleep>>,
    expired: bool,
}

impl Deadline {
    pub fn new(inner: Rc<RefCell<Payload>>, timeout: Duration) -> Self {
        Deadline {
            inner,
            sleep: Box::pin(tokio::time::sleep(timeout)),
            expired: false,
        }
    }
}

/// A response body that keeps the request's payload alive until the body is sent.
pub struct Held {
    body: BoxBody,
    _payload: Rc<RefCell<Payload>>,
}

impl MessageBody for Held {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.body).poll_next(cx)
    }
}

impl Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired {
            return Poll::Ready(None);
        }
        let polled = {
            let mut inner = self.inner.borrow_mut();
            Pin::new(&mut *inner).poll_next(cx)
        };
        match polled {
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

/// Whether the request says it has a body (a length above zero, or chunks), and its length.
fn body_length(req: &ServiceRequest) -> Option<Option<u64>> {
    let headers = req.headers();
    let length = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if headers.contains_key(header::TRANSFER_ENCODING) {
        Some(None)
    } else {
        length.filter(|n| *n > 0).map(Some)
    }
}

/// Middleware: every request body is read under its deadline. Requests without a body (the
/// reads) pass untouched, with no timer.
///
/// The answer keeps the connection's payload alive until it is sent. actix-http closes a
/// connection whose request body was not all read when it answers — unless the handler dropped
/// a chunked body, which it then drains to its end, however slowly it comes, with no timer: a
/// client trickling chunks to a route that answered at once (401, 405, 408, 429…) would hold the
/// connection for ever. With the payload still held when the answer goes out, the connection
/// closes after it instead.
pub async fn limit_body(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, Held>>, actix_web::Error> {
    let timeout = req
        .app_data::<super::State>()
        .map(|s| s.settings.server.body_timeout);
    let Some((timeout, length)) = timeout.zip(body_length(&req)) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let payload = Rc::new(RefCell::new(req.take_payload()));
    let stream: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(Deadline::new(
        payload.clone(),
        deadline_for(timeout, length),
    ));
    req.set_payload(Payload::Stream { payload: stream });
    let res = next.call(req).await?;
    Ok(res
        .map_into_boxed_body()
        .map_body(|_, body| Held {
            body,
            _payload: payload,
        })
        .map_into_right_body())
}

/// Whether a payload error is the deadline's.
pub fn timed_out(e: &PayloadError) -> bool {
    matches!(e, PayloadError::Io(io) if io.kind() == std::io::ErrorKind::TimedOut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_body_gets_time_for_its_length() {
        let base = Duration::from_secs(10);
        assert_eq!(deadline_for(base, None), base);
        assert_eq!(
            deadline_for(base, Some(60_000)),
            Duration::from_millis(10_915)
        );
        assert_eq!(
            deadline_for(base, Some(4 * 1024 * 1024)),
            Duration::from_secs(74)
        );
    }
}
