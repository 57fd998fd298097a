//! The JSON body extractor used by every API route, so that bad input is answered the same way
//! everywhere (SPEC §7): 415 when the body is not declared as JSON, 413 over `server.max_body`,
//! 400 only when the bytes are not JSON at all, and 422 naming the field for everything rejected
//! after parsing (wrong type, missing or unknown field, unknown enum value, bad value).

use actix_web::dev::Payload;
use actix_web::{http::header, web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::{AppError, FieldError};

/// A parsed JSON request body.
pub struct Json<T>(pub T);

/// The body size limit, stored as app data by `app::build`.
#[derive(Clone, Copy)]
pub struct BodyLimit(pub usize);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<BodyLimit>>()
            .map(|l| l.0)
            .unwrap_or(64 * 1024);
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let essence = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_len.is_some_and(|n| n > limit) {
                return Err(AppError::PayloadTooLarge(limit));
            }
            if !is_json {
                return Err(AppError::UnsupportedMediaType);
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk
                    .map_err(|_| AppError::BadRequest("could not read the request body".into()))?;
                if body.len() + chunk.len() > limit {
                    return Err(AppError::PayloadTooLarge(limit));
                }
                body.extend_from_slice(&chunk);
            }
            parse(&body).map(Json)
        })
    }
}

/// Parses `bytes` as `T` in two steps. First bytes → JSON: anything that is not one whole JSON
/// document (a syntax error, a truncated body, trailing bytes) is 400, whatever the fields
/// would have said. Then JSON → `T`: a value of the wrong shape is 422 naming the field.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        AppError::BadRequest(format!(
            "the body is not valid JSON: {}",
            strip_position(&e.to_string())
        ))
    })?;
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(value) => Ok(value),
        Err(err) => {
            let message = strip_position(&err.inner().to_string());
            let mut field = dotted(&err.path().to_string());
            let mut message = message;
            // serde names a missing or unknown field in the message, at the parent's path.
            for prefix in ["missing field `", "unknown field `"] {
                if let Some(rest) = message.strip_prefix(prefix) {
                    if let Some((name, _)) = rest.split_once('`') {
                        // serde_path_to_error already ends an unknown field's path with it.
                        let already = field == name || field.ends_with(&format!(".{name}"));
                        if !already {
                            field = if field.is_empty() {
                                name.to_string()
                            } else {
                                format!("{field}.{name}")
                            };
                        }
                        message = if prefix.starts_with("missing") {
                            "is required".into()
                        } else {
                            "is not a known field".into()
                        };
                    }
                }
            }
            if field.is_empty() {
                field = "body".into();
            }
            Err(AppError::Validation(vec![FieldError::new(field, message)]))
        }
    }
}

/// `a.b[0].c` → `a.b.0.c`; the root `.` → empty.
fn dotted(path: &str) -> String {
    let dotted = path.replace('[', ".").replace(']', "");
    dotted.trim_start_matches('.').to_string()
}

/// serde_json appends " at line L column C"; the field path says more to an API user.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// A field of a PATCH body that may be absent (leave it), `null` (clear it) or a value (set it).
/// Use with `#[serde(default, deserialize_with = "crate::web::json::double_option")]`.
pub fn double_option<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        inner: Option<Inner>,
    }
    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        ids: Vec<i64>,
    }

    fn field_of(r: Result<Body, AppError>) -> (String, String) {
        match r {
            Err(AppError::Validation(e)) => (e[0].field.clone(), e[0].message.clone()),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn classifies_errors() {
        assert!(matches!(
            parse::<Body>(b"{\"name\": "),
            Err(AppError::BadRequest(_))
        ));
        assert!(matches!(
            parse::<Body>(b"nope"),
            Err(AppError::BadRequest(_))
        ));
        assert!(
            matches!(
                parse::<Body>(b"{\"name\": 5, "),
                Err(AppError::BadRequest(_))
            ),
            "truncated, even after a bad field"
        );
        assert!(
            matches!(
                parse::<Body>(b"{\"name\": \"x\"} {}"),
                Err(AppError::BadRequest(_))
            ),
            "trailing bytes"
        );
        assert_eq!(field_of(parse(b"{}")).0, "name");
        assert_eq!(field_of(parse(b"{\"name\":\"x\",\"extra\":1}")).0, "extra");
        assert_eq!(
            field_of(parse(b"{\"name\":\"x\",\"inner\":{\"ids\":[1,\"a\"]}}")).0,
            "inner.ids.1"
        );
        assert_eq!(
            field_of(parse(b"{\"name\":\"x\",\"inner\":{\"idz\":[]}}")).0,
            "inner.idz"
        );
        assert_eq!(field_of(parse(b"[]")).0, "body");
    }
}
