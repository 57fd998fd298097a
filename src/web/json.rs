//! The JSON body extractor used by every API route, so that bad input is answered the same way
//! everywhere (SPEC §7): 415 when the body is not declared as JSON, 413 over `server.max_body`,
//! 400 only when the bytes are not JSON at all, and 422 naming the field for everything rejected
//! after parsing (wrong type, missing or unknown field, unknown enum value, bad value).

use actix_web::dev::Payload;
use actix_web::{http::header, web, FromRequest, HttpRequest};
use futures_util::future::{ready, Ready};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::domain::text::{Check, Rule};
use crate::error::{AppError, AppResult, FieldError};

/// A JSON request body, declared as JSON and within `server.max_body` (checked from the
/// headers, before anything else), but not yet read: the handler reads it with
/// [`Json::into_parts`] or [`Json::into_checked`] after its rate limit and credentials, so an
/// anonymous or unauthorised client never gets its body parsed. The body is read into `T` with
/// every member that did not fit noted (wrong type, unknown enum value, unknown member).
/// Request DTOs give their members as `Option`s, so a missing member is never a serde error:
/// the parse step reports it, together with these, and every bad field is answered at once.
pub struct Json<T> {
    payload: Payload,
    limit: usize,
    _body: std::marker::PhantomData<T>,
}

impl<T: DeserializeOwned> Json<T> {
    /// Reads the body: the value and the errors found while reading it, for a parse step that
    /// adds its own. 400 when it is not JSON, 413 over the limit, 408 when it comes too slowly.
    pub async fn into_parts(self) -> AppResult<(T, Check)> {
        let body = read_body(self.payload, self.limit).await?;
        let (value, errors) = read(&body)?;
        Ok((value, Check::new(errors)))
    }

    /// The body, or 422 listing every member that did not fit.
    pub async fn into_checked(self) -> AppResult<T> {
        let (value, check) = self.into_parts().await?;
        check.done().map_err(AppError::Validation)?;
        Ok(value)
    }
}

/// What was wrong with a body (400, 422), told only to a caller whose credentials
/// `authenticate` accepts: a route whose token is checked in its write answers a stranger
/// 401, not the list of its body's errors.
pub async fn told_to_owner<T, F, Fut>(parsed: AppResult<T>, authenticate: F) -> AppResult<T>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = AppResult<()>>,
{
    match parsed {
        Err(bad @ (AppError::Validation(_) | AppError::BadRequest(_))) => {
            authenticate().await?;
            Err(bad)
        }
        other => other,
    }
}

/// The body of a confirmation (an attendee's or an exhibitor's emailed link).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    /// The token from the confirmation email's link.
    #[schema(required = true, nullable = false)]
    pub token: Option<String>,
}

/// The token of a confirmation body, read after the address's rate limit (a public POST).
pub async fn confirmation_token(
    state: &super::AppState,
    req: &HttpRequest,
    body: Json<ConfirmRequest>,
) -> AppResult<String> {
    state.limiter.check(req)?;
    let (body, mut check) = body.into_parts().await?;
    let token = check.text("token", body.token, 200);
    check.done().map_err(AppError::Validation)?;
    Ok(token.unwrap_or_default())
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<super::State>()
            .map(|s| s.settings.server.max_body)
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
        ready(if declared_len.is_some_and(|n| n > limit) {
            Err(AppError::PayloadTooLarge(limit))
        } else if !is_json {
            Err(AppError::UnsupportedMediaType)
        } else {
            Ok(Json {
                payload: payload.take(),
                limit,
                _body: std::marker::PhantomData,
            })
        })
    }
}

/// The whole body of a request, refused (413) beyond `limit` bytes; a body that has not all
/// arrived by its deadline is 408 (see `web::deadline`).
pub async fn read_body(mut payload: Payload, limit: usize) -> AppResult<web::BytesMut> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            if super::deadline::timed_out(&e) {
                AppError::RequestTimeout
            } else {
                AppError::BadRequest("could not read the request body".into())
            }
        })?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge(limit));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

pub use crate::error::MAX_ERRORS;

/// Reads `bytes` as `T` in two steps. First bytes → JSON: anything that is not one whole JSON
/// document (a syntax error, a truncated body, trailing bytes) is 400, whatever the members
/// would have said. Then JSON → `T`: a member that does not fit is noted with its dotted path
/// and taken out, and `T` is read again from the rest, so that every such member is noted, not
/// only the first. Only a body that cannot make a `T` at all (not an object, a required member
/// missing) is an error here.
pub fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<(T, Vec<FieldError>), AppError> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(not_json)?;
    integral_numbers(&mut value);
    let mut errors = Vec::new();
    // A control character (NUL above all) in any text is refused before anything reads it.
    if let serde_json::Value::Object(map) = &mut value {
        let bad: Vec<(String, String)> = map
            .iter()
            .filter_map(|(k, v)| control_path(v).map(|p| (k.clone(), p)))
            .collect();
        for (key, path) in bad {
            map.remove(&key);
            let field = if path.is_empty() {
                key
            } else {
                format!("{key}.{path}")
            };
            errors.push(FieldError::with(
                field,
                Rule::Invalid,
                "must not hold control characters",
            ));
        }
    }
    loop {
        if errors.len() >= MAX_ERRORS {
            let unchecked = match &value {
                serde_json::Value::Object(map) => map.len(),
                _ => 0,
            };
            errors.truncate(MAX_ERRORS);
            errors.push(FieldError::with(
                "body",
                Rule::Invalid,
                format!(
                    "only the first {MAX_ERRORS} errors are listed; {unchecked} more members were not checked"
                ),
            ));
            return Err(AppError::Validation(errors));
        }
        // Read from a borrow: each pass costs what the members before the bad one cost, not a
        // copy of the whole body.
        match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(parsed) => return Ok((parsed, errors)),
            Err(err) => {
                let path = dotted(&err.path().to_string());
                let error = field_error(path, &strip_position(&err.inner().to_string()));
                let top = error.field.split('.').next().unwrap_or("").to_string();
                let removed = match &mut value {
                    serde_json::Value::Object(map) if error.rule != Rule::Required => {
                        map.shift_remove(&top).is_some()
                    }
                    _ => false,
                };
                let noted = errors.iter().any(|e: &FieldError| e.field == error.field);
                if !(noted && error.rule == Rule::Required) {
                    errors.push(error);
                }
                if !removed {
                    return Err(AppError::Validation(errors));
                }
            }
        }
    }
}

/// Why `bytes` could not be read as JSON: 400 for bytes that are not JSON, 422 for JSON nested
/// deeper than the reader follows (128 levels: it is JSON, and no request nests that deep).
pub fn not_json(e: serde_json::Error) -> AppError {
    let message = strip_position(&e.to_string());
    if message == "recursion limit exceeded" {
        return AppError::Validation(vec![FieldError::with(
            "body",
            Rule::Invalid,
            format!("nests more than {MAX_DEPTH} levels deep"),
        )]);
    }
    AppError::BadRequest(format!("the body is not valid JSON: {message}"))
}

/// How deep a JSON body may nest: serde_json's own limit, which keeps its parser's stack
/// bounded.
pub const MAX_DEPTH: usize = 128;

/// JSON does not tell `3` from `3.0`, and JSON Schema's `integer` accepts both: a number with no
/// fraction (within the integers a double holds exactly) is read as the whole number it is, so
/// that `"capacity": 3.0` fills an integer member like `3` does.
fn integral_numbers(v: &mut serde_json::Value) {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    match v {
        serde_json::Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            if let Some(f) = n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() <= EXACT) {
                *v = serde_json::Value::from(f as i64);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(integral_numbers),
        serde_json::Value::Object(map) => map.values_mut().for_each(integral_numbers),
        _ => {}
    }
}

/// The dotted path (relative) of the first text under `v` holding a control character.
fn control_path(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => crate::domain::text::has_control(s).then(String::new),
        serde_json::Value::Array(items) => items.iter().enumerate().find_map(|(i, x)| {
            control_path(x).map(|p| {
                if p.is_empty() {
                    i.to_string()
                } else {
                    format!("{i}.{p}")
                }
            })
        }),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
            control_path(x).map(|p| {
                if p.is_empty() {
                    k.clone()
                } else {
                    format!("{k}.{p}")
                }
            })
        }),
        _ => None,
    }
}

/// Parses `bytes` as `T`, answering 422 for every member that does not fit.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let (value, errors) = read(bytes)?;
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(AppError::Validation(errors))
    }
}

/// The field error of one serde message at `path` (serde names a missing or unknown member in
/// the message, at its parent's path).
fn field_error(path: String, message: &str) -> FieldError {
    let mut field = path;
    for (prefix, rule) in [
        ("missing field `", Rule::Required),
        ("unknown field `", Rule::Unknown),
    ] {
        if let Some(rest) = message.strip_prefix(prefix) {
            if let Some((name, _)) = rest.split_once('`') {
                // serde_path_to_error already ends an unknown member's path with it.
                let already = field == name || field.ends_with(&format!(".{name}"));
                if !already {
                    field = if field.is_empty() {
                        name.to_string()
                    } else {
                        format!("{field}.{name}")
                    };
                }
                return FieldError::rule(field, rule);
            }
        }
    }
    if field.is_empty() {
        field = "body".into();
    }
    let rule = if message.starts_with("invalid type") {
        Rule::Type
    } else if message.starts_with("unknown variant") {
        Rule::Choice
    } else {
        Rule::Invalid
    };
    FieldError::with(field, rule, message)
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

    fn fields_of(r: Result<Body, AppError>) -> Vec<String> {
        match r {
            Err(AppError::Validation(e)) => e.into_iter().map(|e| e.field).collect(),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn a_number_without_fraction_fills_an_integer_member() {
        let body: Body =
            parse(b"{\"name\": \"x\", \"inner\": {\"ids\": [3.0, -2.0, 5]}}").expect("parses");
        assert_eq!(body.inner.expect("inner").ids, vec![3, -2, 5]);
        assert_eq!(
            fields_of(parse(b"{\"name\": \"x\", \"inner\": {\"ids\": [2.5]}}")),
            vec!["inner.ids.0"]
        );
        assert_eq!(
            fields_of(parse(b"{\"name\": \"x\", \"inner\": {\"ids\": [1e300]}}")),
            vec!["inner.ids.0"]
        );
    }

    #[test]
    fn every_member_that_does_not_fit_is_named() {
        let mut fields = fields_of(parse(
            b"{\"name\": 5, \"inner\": {\"ids\": [\"a\"]}, \"extra\": 1, \"more\": 2}",
        ));
        fields.sort();
        assert_eq!(fields, vec!["extra", "inner.ids.0", "more", "name"]);
    }

    fn field_of(r: Result<Body, AppError>) -> (String, String) {
        match r {
            Err(AppError::Validation(e)) => (e[0].field.clone(), e[0].message.clone()),
            other => panic!("expected 422, got {other:?}"),
        }
    }

    #[test]
    fn a_body_nested_too_deep_is_422_and_a_flood_of_members_stops_at_the_cap() {
        let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
        assert_eq!(
            field_of(parse(format!("{{\"name\": {deep}}}").as_bytes())).0,
            "body"
        );
        let mut many = String::from("{\"name\": \"x\"");
        for i in 0..1000 {
            many.push_str(&format!(", \"m{i}\": 1"));
        }
        many.push('}');
        match parse::<Body>(many.as_bytes()) {
            Err(AppError::Validation(e)) => {
                assert_eq!(e.len(), MAX_ERRORS + 1);
                assert!(
                    e[MAX_ERRORS].message.contains("901 more"),
                    "{:?}",
                    e[MAX_ERRORS]
                );
            }
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
