//! The console's door and the pages a browser opens, as HTTP sees them (the console itself is
//! driven by Chromium in tests/browser/console.py).

use reqwest::StatusCode;
use salon::domain::Role;

use crate::helpers::*;

/// A client that does not follow redirects, so their targets can be read.
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    page[at..].split('"').next().expect("a token").to_string()
}

/// Signing in goes back to the console page asked for, and never to another site.
#[tokio::test]
async fn sign_in_goes_back_to_a_console_page_only() {
    let app = spawn_app().await;
    let email = app.create_organizer(Role::Editor);
    let client = no_redirects();
    for (next, landing) in [
        ("/console/events/new", "/console/events/new"),
        ("//evil.example/console", "/console"),
        ("https://evil.example/", "/console"),
        ("/console/../api/v1/events", "/console"),
        ("/console\\\\evil.example", "/console"),
    ] {
        let page = client
            .get(app.url("/console/sign-in"))
            .send()
            .await
            .expect("form")
            .text()
            .await
            .expect("page");
        let res = client
            .post(app.url("/console/sign-in"))
            .header("origin", app.url("").trim_end_matches('/'))
            .form(&[
                ("email", email.as_str()),
                ("password", TEST_PASSWORD),
                ("next", next),
                ("csrf", &csrf_of(&page)),
            ])
            .send()
            .await
            .expect("sign in");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{next}");
        let location = res.headers()["location"].to_str().expect("location");
        assert_eq!(location, landing, "after sign-in with next={next}");
        let cookie = res.headers()["set-cookie"].to_str().expect("cookie");
        assert!(
            cookie.starts_with("salon_console=slc_")
                && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Lax")
                && cookie.contains("Path=/console"),
            "{cookie}"
        );
    }
}

/// Every non-API address a browser opens answers a page, never JSON.
#[tokio::test]
async fn browser_addresses_answer_pages() {
    let app = spawn_app().await;
    let slug = app.create_event("pages-2027").await;
    app.post(
        &format!("/api/v1/events/{slug}/publish"),
        Some(&app.admin),
        serde_json::json!({}),
    )
    .await;
    let client = no_redirects();
    let get = |path: String| client.get(app.url(&path)).send();
    let res = get("/".into()).await.expect("home");
    assert_eq!(res.status(), StatusCode::OK);
    let home = res.text().await.expect("body");
    assert!(
        home.contains("Salon des centres de contact"),
        "the published fair, in French"
    );
    assert!(home.contains("console?lang=fr"), "a way to the console");
    for (path, to) in [
        ("/events".to_string(), "/"),
        (format!("/events/{slug}/"), "/events/pages-2027"),
    ] {
        let res = get(path.clone()).await.expect("redirect");
        assert_eq!(res.status(), StatusCode::PERMANENT_REDIRECT, "{path}");
        assert_eq!(res.headers()["location"], to, "{path}");
    }
    let res = get("/favicon.ico".into()).await.expect("icon");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "image/x-icon");
    for path in [
        format!("/events/{slug}/sessions/abc"),
        "/no/such/page".to_string(),
        "/console/events/x/sessions/abc".to_string(),
    ] {
        let res = get(path.clone()).await.expect("page");
        let html = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("text/html"));
        assert!(
            res.status() == StatusCode::NOT_FOUND || res.status() == StatusCode::SEE_OTHER,
            "{path}: {}",
            res.status()
        );
        assert!(
            html || res.status() == StatusCode::SEE_OTHER,
            "{path} is a page"
        );
    }
    let res = get("/api/v1/no/such".into()).await.expect("api");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
}
