use reqwest::StatusCode;

use crate::helpers::*;

/// Every route of `src/web/routes.rs`, with its methods.
const ROUTES: &[(&str, &[&str])] = &[
    ("/healthz", &["get"]),
    ("/readyz", &["get"]),
    ("/metrics", &["get"]),
    ("/api/v1/openapi.json", &["get"]),
    ("/api/v1/docs", &["get"]),
    ("/api/v1/auth/tokens", &["post"]),
    ("/api/v1/auth/tokens/{id}", &["delete"]),
    ("/api/v1/organizers", &["post"]),
    ("/api/v1/audit", &["get"]),
    ("/api/v1/events", &["get", "post"]),
    ("/api/v1/events/{slug}", &["get", "patch"]),
    ("/api/v1/events/{slug}/publish", &["post"]),
    ("/api/v1/events/{slug}/audit", &["get"]),
    ("/api/v1/events/{slug}/rooms", &["get", "post"]),
    (
        "/api/v1/events/{slug}/rooms/{id}",
        &["get", "patch", "delete"],
    ),
    ("/api/v1/events/{slug}/tracks", &["get", "post"]),
    (
        "/api/v1/events/{slug}/tracks/{id}",
        &["get", "patch", "delete"],
    ),
    ("/api/v1/events/{slug}/speakers", &["get", "post"]),
    (
        "/api/v1/events/{slug}/speakers/{id}",
        &["get", "patch", "delete"],
    ),
    ("/api/v1/events/{slug}/sessions", &["get", "post"]),
    (
        "/api/v1/events/{slug}/sessions/{id}",
        &["get", "patch", "delete"],
    ),
    ("/api/v1/events/{slug}/schedule", &["get"]),
    ("/api/v1/events/{slug}/schedule/conflicts", &["get"]),
    ("/api/v1/events/{slug}/schedule/releases", &["get", "post"]),
    ("/api/v1/events/{slug}/registrations", &["get", "post"]),
    ("/api/v1/events/{slug}/registrations.csv", &["get"]),
    (
        "/api/v1/events/{slug}/registrations/{id}",
        &["patch", "delete"],
    ),
    ("/api/v1/events/{slug}/registrations/{id}/resend", &["post"]),
    ("/api/v1/events/{slug}/registrations/{id}/badge", &["get"]),
    ("/api/v1/registrations/confirm", &["post"]),
    ("/api/v1/me", &["get", "delete"]),
    ("/api/v1/me/erase", &["post"]),
    ("/api/v1/me/bookings", &["post"]),
    ("/api/v1/events/{slug}/schedule/import", &["post"]),
    ("/api/v1/me/bookings/{session_id}", &["delete"]),
    ("/api/v1/events/{slug}/bookings/summary", &["get"]),
    ("/api/v1/events/{slug}/sessions/{id}/bookings.csv", &["get"]),
    ("/a/{feed_token}.ics", &["get"]),
    ("/api/v1/events/{slug}/emails", &["get"]),
    ("/api/v1/events/{slug}/emails/{id}/retry", &["post"]),
    (
        "/api/v1/events/{slug}/email-templates/{kind}/{lang}",
        &["get", "put"],
    ),
    ("/api/v1/events/{slug}/booths", &["get", "post"]),
    ("/api/v1/events/{slug}/booths/summary", &["get"]),
    (
        "/api/v1/events/{slug}/booths/{id}",
        &["get", "patch", "delete"],
    ),
    ("/api/v1/events/{slug}/exhibitors", &["get", "post"]),
    ("/api/v1/exhibitors/confirm", &["post"]),
    (
        "/api/v1/events/{slug}/exhibitors/{id}",
        &["patch", "delete"],
    ),
    ("/api/v1/events/{slug}/exhibitors/{id}/approve", &["post"]),
    ("/api/v1/events/{slug}/exhibitors/{id}/reject", &["post"]),
    ("/api/v1/events/{slug}/exhibitors/{id}/booth", &["put"]),
    ("/api/v1/exhibitor", &["get", "patch"]),
    ("/api/v1/exhibitor/withdraw", &["post"]),
    ("/api/v1/exhibitor/erase", &["post"]),
    ("/api/v1/exhibitor/staff", &["post"]),
    ("/api/v1/exhibitor/staff/{id}", &["delete"]),
    ("/api/v1/events/{slug}/checkins", &["post"]),
    ("/api/v1/events/{slug}/checkins/summary", &["get"]),
    ("/events/{slug}", &["get"]),
    ("/events/{slug}/exhibit", &["get", "post"]),
    ("/events/{slug}/register", &["get", "post"]),
    ("/confirm/{token}/mine", &["get", "post"]),
    ("/r/{token}/details", &["post"]),
    ("/r/{token}/erase", &["post"]),
    ("/r/{token}/bookings", &["post"]),
    ("/r/{token}/remember", &["post"]),
    ("/events/{slug}/sessions/{id}", &["get"]),
    ("/events/{slug}/sessions/{id}/calendar.ics", &["get"]),
    ("/events/{slug}/speakers/{id}", &["get"]),
    ("/events/{slug}/changes", &["get"]),
    ("/events/{slug}/bookings", &["post"]),
    ("/events/{slug}/schedule.ics", &["get"]),
    ("/events/{slug}/schedule.xml", &["get"]),
    ("/events/{slug}/schedule.json", &["get"]),
    ("/events/{slug}/exhibitors", &["get"]),
    ("/exhibitor/{token}/profile", &["post"]),
    ("/exhibitor/{token}/withdraw", &["post"]),
    ("/exhibitor/{token}/staff", &["post"]),
    ("/exhibitor/{token}/staff/{id}/remove", &["post"]),
    ("/exhibitors/confirm/{token}", &["get", "post"]),
    ("/exhibitor/{token}", &["get"]),
    ("/confirm/{token}", &["get", "post"]),
    ("/r/{token}", &["get"]),
    ("/r/{token}/cancel", &["post"]),
    ("/r/{token}/badge", &["get"]),
];

#[tokio::test]
async fn the_document_covers_every_route() {
    let app = spawn_app().await;
    let (status, doc) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    for (path, methods) in ROUTES {
        for m in *methods {
            assert!(
                paths.get(*path).and_then(|p| p.get(*m)).is_some(),
                "{m} {path} is missing from the OpenAPI document"
            );
        }
    }
    let documented: usize = paths
        .values()
        .map(|p| p.as_object().map_or(0, |o| o.len()))
        .sum();
    let listed: usize = ROUTES.iter().map(|(_, m)| m.len()).sum();
    assert_eq!(documented, listed, "the document and this list disagree");
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let mut ids: Vec<&str> = paths
        .values()
        .filter_map(|p| p.as_object())
        .flat_map(|o| o.values())
        .map(|op| {
            op["operationId"]
                .as_str()
                .expect("every operation has an id")
        })
        .collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "operation ids are unique");

    // And every listed route is really served (a wrong method would be 405, an unknown path 404).
    for (path, methods) in ROUTES {
        let concrete = path
            .replace("{slug}", "nope")
            .replace("{id}", "1")
            .replace("{token}", "slr_x")
            .replace("{kind}", "registration_confirm")
            .replace("{lang}", "fr");
        for m in *methods {
            let method = reqwest::Method::from_bytes(m.to_uppercase().as_bytes()).expect("method");
            let res = app
                .client
                .request(method, app.url(&concrete))
                .send()
                .await
                .expect("send");
            assert_ne!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{m} {path}");
            let html = res
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.starts_with("text/html"));
            // A page answers 404 with a page (served by its route); the API with problem+json.
            if res.status() == StatusCode::NOT_FOUND && !html {
                let body: serde_json::Value = res.json().await.expect("json");
                assert_ne!(body["detail"], "no such route", "{m} {path} is not served");
            }
        }
    }
}
