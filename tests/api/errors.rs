//! SPEC §7: every error is problem+json, with the right status.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

async fn raw(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut req = app
        .client
        .request(method, app.url(path))
        .bearer_auth(&app.admin)
        .body(body);
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let res = req.send().await.expect("send");
    let status = res.status();
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json"),
        "{status}"
    );
    assert_eq!(res.headers()["referrer-policy"], "same-origin");
    let body: Value = res.json().await.expect("json");
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["type"].is_string() && body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    (status, body)
}

#[tokio::test]
async fn malformed_input_is_answered_with_problems() {
    let app = spawn_app().await;
    let post = reqwest::Method::POST;
    let (s, _) = raw(
        &app,
        post.clone(),
        "/api/v1/events",
        Some("application/json"),
        b"{\"slug\": ".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = raw(
        &app,
        post.clone(),
        "/api/v1/events",
        Some("application/json"),
        b"not json".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = raw(
        &app,
        post.clone(),
        "/api/v1/events",
        Some("text/plain"),
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, _) = raw(&app, post.clone(), "/api/v1/events", None, b"{}".to_vec()).await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (s, b) = raw(
        &app,
        post.clone(),
        "/api/v1/events",
        Some("application/json"),
        b"\"just a string\"".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&b), vec!["body"]);
    let big = format!("{{\"slug\": \"{}\"}}", "a".repeat(70 * 1024));
    let (s, _) = raw(
        &app,
        post.clone(),
        "/api/v1/events",
        Some("application/json"),
        big.into_bytes(),
    )
    .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let (s, _) = raw(
        &app,
        reqwest::Method::GET,
        "/api/v1/nothing-here",
        None,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = raw(
        &app,
        reqwest::Method::PUT,
        "/api/v1/events",
        Some("application/json"),
        b"{}".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let (s, _) = raw(&app, reqwest::Method::PUT, "/api/v1/events/x", None, vec![]).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let (s, _) = raw(
        &app,
        reqwest::Method::GET,
        "/api/v1/events/x/rooms/not-a-number",
        None,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = raw(
        &app,
        reqwest::Method::GET,
        "/api/v1/events/no-such-fair",
        None,
        vec![],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, list) = app.get("/api/v1/events", Some(&app.admin)).await;
    assert_eq!(list["total"], 0, "nothing was written");
}

/// Parse, then validate: a body that is not whole JSON is 400 whatever its members say; a
/// body with several bad members — a wrong type, a missing one, a bad value, an unknown one —
/// is one 422 naming each, and writes nothing.
#[tokio::test]
async fn every_bad_field_is_named_at_once() {
    let app = spawn_app().await;
    let (s, _) = raw(
        &app,
        reqwest::Method::POST,
        "/api/v1/events",
        Some("application/json"),
        b"{\"slug\": \"x\", ".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "truncated after a bad slug");
    let (s, _) = raw(
        &app,
        reqwest::Method::POST,
        "/api/v1/events",
        Some("application/json"),
        b"{} []".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "trailing bytes");

    app.create_event("fields").await;
    let (status, problem) = app
        .post(
            "/api/v1/events/fields/rooms",
            Some(&app.admin),
            serde_json::json!({"name": 42, "hall": "Hall A", "colour": "red"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(fields, vec!["capacity", "colour", "name"], "{problem}");
    let codes: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["code"].as_str())
        .collect();
    assert!(
        codes.contains(&"required") && codes.contains(&"unknown"),
        "{problem}"
    );

    let (status, problem) = app
        .post(
            "/api/v1/events/fields/speakers",
            Some(&app.admin),
            serde_json::json!({"name": " ", "email": "not-an-email", "bio": "x".repeat(6000)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(fields, vec!["bio", "email", "name"], "{problem}");

    let (status, problem) = app
        .post(
            "/api/v1/events/fields/sessions",
            Some(&app.admin),
            serde_json::json!({"kind": "lecture", "language": "fr", "speaker_ids": [999], "capacity": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(
        fields,
        vec!["capacity", "kind", "speaker_ids.0", "title"],
        "{problem}"
    );
    for list in ["rooms", "speakers", "sessions"] {
        let (_, page) = app
            .get(&format!("/api/v1/events/fields/{list}"), Some(&app.admin))
            .await;
        assert_eq!(page["total"], 0, "nothing was written to {list}");
    }
}

#[tokio::test]
async fn body_limit_follows_the_setting() {
    let app = spawn_app_with(|s| s.server.max_body = 1024).await;
    let mut body = event_body("limited");
    body["description"] = Value::String("x".repeat(2000));
    let (status, _) = app.post("/api/v1/events", Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = app
        .post("/api/v1/events", Some(&app.admin), event_body("limited"))
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn operations_endpoints() {
    let app =
        spawn_app_with(|s| s.server.metrics_token = salon::config::Secret::new("scrape-me")).await;
    let (s, b) = app.get("/healthz", None).await;
    assert_eq!((s, b["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (s, b) = app.get("/readyz", None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["status"], "ready");
    app.get("/api/v1/events/some-fair/sessions", None).await;
    let metrics = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me")
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    assert!(
        metrics.contains(
            "salon_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(
        metrics.contains("route=\"/api/v1/events/{slug}/sessions\",status=\"404\""),
        "route patterns, never paths"
    );
    assert!(metrics.contains("salon_http_request_duration_seconds_bucket"));
    let (s, _) = app.get("/api/v1/docs", None).await;
    assert_eq!(s, StatusCode::OK);
}

/// RFC 9110: HEAD is answered wherever GET is; a 405 names the methods in `Allow`. Pages may
/// not be framed. A form over its limit is 413.
#[tokio::test]
async fn head_allow_frames_and_form_limits() {
    let app = spawn_app().await;
    let slug = app.open_event("head", None).await;
    for path in ["/healthz", "/api/v1/events", &format!("/events/{slug}")] {
        let res = app.client.head(app.url(path)).send().await.expect("head");
        assert_eq!(res.status(), StatusCode::OK, "HEAD {path}");
        assert_eq!(res.headers()["x-frame-options"], "DENY");
        assert!(
            res.text().await.expect("body").is_empty(),
            "HEAD has no body"
        );
    }
    let res = app
        .client
        .put(app.url("/api/v1/events"))
        .send()
        .await
        .expect("put");
    assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(res.headers()["allow"], "GET, HEAD, POST");
    let big = "x".repeat(20 * 1024);
    let res = app
        .client
        .post(app.url(&format!("/events/{slug}/register?lang=fr")))
        .form(&[("csrf", "x"), ("name", big.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/html"));
    let page = res.text().await.expect("html");
    assert!(
        page.contains("Formulaire trop long") && page.contains(r#"lang="fr""#),
        "a page in the form's language, not JSON: {page}"
    );
    // A page's form that is not a form (JSON, or nothing) is 415, a page, as the document says.
    let res = app
        .client
        .post(app.url(&format!("/events/{slug}/register?lang=en")))
        .json(&serde_json::json!({"csrf": "x", "name": "Salma"}))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/html"));
    let (_, doc) = app.get("/api/v1/openapi.json", None).await;
    let register = &doc["paths"]["/events/{slug}/register"]["post"];
    assert_eq!(register["requestBody"]["required"], true);
    for status in ["400", "413", "415"] {
        assert!(
            register["responses"][status].is_object(),
            "{status} documented"
        );
    }
}

/// Control characters never reach storage: CR/LF in a name, NUL in any text or in `?q=` are
/// 422 naming the field, NUL in a path is 404 (PostgreSQL cannot store NUL; CR/LF would be
/// pasted into email headers). An address no server accepts is refused.
#[tokio::test]
async fn control_characters_and_undeliverable_addresses_are_refused() {
    let app = spawn_app().await;
    let slug = app.open_event("controls", None).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    let (status, problem) = app
        .post(
            &path,
            None,
            serde_json::json!({"name": "Amina\r\nBcc: all@evil.test", "email": "a..b@x.test", "organization": "nul\u{0}", "consent": true}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(fields, vec!["email", "name", "organization"], "{problem}");
    let (status, _) = app
        .get(&format!("/api/v1/events/{slug}/speakers?q=%00"), None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = app.get("/api/v1/events/%00", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, problem) = app
        .post(
            &format!("/api/v1/events/{slug}/rooms"),
            Some(&app.admin),
            serde_json::json!({"name": {"fr": "Salle\u{0}A"}, "capacity": 10}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["name.fr"]);
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["total"], 0, "nothing was written");
}
