//! The console's door and the pages a browser opens, as HTTP sees them (the console itself is
//! driven by Chromium in tests/browser/console.py).

use reqwest::StatusCode;
use salon::domain::Role;

use crate::helpers::*;

/// A client that does not follow redirects, so their targets can be read.
pub(crate) fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub(crate) fn csrf_of(page: &str) -> String {
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

/// Signs `email` in to the console; the session's cookie, to send as `cookie`.
pub(crate) async fn console_cookie(app: &TestApp, email: &str) -> String {
    let client = no_redirects();
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
            ("email", email),
            ("password", TEST_PASSWORD),
            ("csrf", &csrf_of(&page)),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let cookie = res.headers()["set-cookie"].to_str().expect("cookie");
    cookie.split(';').next().expect("name=value").to_string()
}

/// The door: a badge code posted from the page (as a handheld scanner types it) answers green,
/// then amber for the same badge, red for an unknown one, each with today's count; asked for
/// JSON (the page's script) the same outcome comes as JSON; a camera frame's grey picture is read
/// for its QR code. A door steward (checkin) lands on the door and sees nothing else of the fair;
/// a viewer may not check badges in.
#[tokio::test]
async fn the_door_checks_badges_and_is_all_a_steward_sees() {
    let app = spawn_app().await;
    let slug = app.open_event("door-console", None).await; // 3–4 May 2027, Casablanca
    let (_, reg) = app
        .post(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
            serde_json::json!({"name": "Nadia Berrada", "email": "nadia@example.ma", "organization": "Atlas Contact", "category": "press"}),
        )
        .await;
    let code = reg["badge_code"].as_str().expect("badge").to_string();
    app.clock.set(Some(
        chrono::DateTime::parse_from_rfc3339("2027-05-03T08:30:00Z")
            .expect("time")
            .with_timezone(&chrono::Utc),
    ));
    let steward = app.create_organizer(Role::Checkin);
    let cookie = console_cookie(&app, &steward).await;
    let client = no_redirects();
    let door = format!("/console/events/{slug}/door");

    // The fair's overview sends a steward to the door; the door shows no other tab.
    let res = client
        .get(app.url(&format!("/console/events/{slug}")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("overview");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"].to_str().expect("to"),
        format!("{door}?lang=en")
    );
    let page = client
        .get(app.url(&format!("{door}?lang=en")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("door")
        .text()
        .await
        .expect("page");
    assert!(page.contains("Ready: scan a badge"), "{page}");
    assert!(!page
        .replace("&#x2f;", "/")
        .contains(&format!("/console/events/{slug}/schedule")));
    let csrf = csrf_of(
        page.split(r#"class="door-check""#)
            .nth(1)
            .expect("the door's form"),
    );

    let scan = |badge: String, json: bool| {
        let mut req = client
            .post(app.url(&format!("{door}?lang=en")))
            .header("cookie", &cookie)
            .header("origin", app.url("").trim_end_matches('/'))
            .form(&[("csrf", csrf.as_str()), ("badge_code", badge.as_str())]);
        if json {
            req = req.header("accept", "application/json");
        }
        req.send()
    };
    let first = scan(code.to_lowercase().replace('-', " "), false)
        .await
        .expect("scan")
        .text()
        .await
        .expect("page");
    assert!(
        first.contains(r#"class="door-result in""#)
            && first.contains("Nadia Berrada")
            && first.contains("Press"),
        "{first}"
    );
    let again: serde_json::Value = scan(code.clone(), true)
        .await
        .expect("scan")
        .json()
        .await
        .expect("json");
    assert_eq!(again["kind"], "again", "{again}");
    assert_eq!(again["detail"], "First scanned at 09:30.", "{again}");
    assert_eq!(again["today"], 1);
    let unknown: serde_json::Value = scan("NOPE-NOPE-NOPE-NOPE".into(), true)
        .await
        .expect("scan")
        .json()
        .await
        .expect("json");
    assert_eq!(
        (unknown["kind"].as_str(), unknown["detail"].as_str()),
        (Some("refused"), Some("Unknown badge: check the code."))
    );

    // A frame from the camera: the badge's QR code, read on the server.
    let qr = qrcode::QrCode::new(code.as_bytes()).expect("qr");
    let (w, h, scale) = (480usize, 360usize, 8usize);
    let modules = qr.width();
    let mut grey = vec![200u8; w * h];
    let side = (modules + 8) * scale;
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = ((x / scale).wrapping_sub(4), (y / scale).wrapping_sub(4));
            let dark = mx < modules && my < modules && qr[(mx, my)] == qrcode::Color::Dark;
            grey[((h - side) / 2 + y) * w + (w - side) / 2 + x] = if dark { 30 } else { 235 };
        }
    }
    let frame_csrf = page
        .split("data-csrf=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the frame's token")
        .to_string();
    let send_frame = |body: Vec<u8>, token: String| {
        client
            .post(app.url(&format!("{door}/frame?w={w}&h={h}")))
            .header("cookie", &cookie)
            .header("origin", app.url("").trim_end_matches('/'))
            .header("x-csrf", token)
            .header("content-type", "application/octet-stream")
            .body(body)
            .send()
    };
    let seen: serde_json::Value = send_frame(grey.clone(), frame_csrf.clone())
        .await
        .expect("frame")
        .json()
        .await
        .expect("json");
    assert_eq!(seen["code"].as_str(), Some(code.as_str()));
    let res = send_frame(grey[..100].to_vec(), frame_csrf.clone())
        .await
        .expect("frame");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = send_frame(grey, "forged".into()).await.expect("frame");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A viewer reads the fair but does not check badges in.
    let viewer = app.create_organizer(Role::Viewer);
    let viewer_cookie = console_cookie(&app, &viewer).await;
    let res = client
        .get(app.url(&door))
        .header("cookie", &viewer_cookie)
        .send()
        .await
        .expect("door");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, summary) = app
        .get(
            &format!("/api/v1/events/{slug}/checkins/summary"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(summary[0]["total"], 1, "one badge in, scanned twice");
}

/// Registrations in the console: the CSV downloads with the session (no API token), a walk-in
/// is confirmed at once, and a second walk-in with the same email is said on the form and adds
/// nothing.
#[tokio::test]
async fn console_registrations_csv_and_walk_in() {
    let app = spawn_app().await;
    let slug = app.open_event("reg-console", None).await;
    let editor = app.create_organizer(Role::Editor);
    let cookie = console_cookie(&app, &editor).await;
    let client = no_redirects();
    let origin = app.url("").trim_end_matches('/').to_string();
    let new = format!("/console/events/{slug}/registrations/new");
    let form = client
        .get(app.url(&format!("{new}?lang=fr")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("form")
        .text()
        .await
        .expect("page");
    let csrf = csrf_of(form.split("<main").nth(1).expect("main"));
    let post = |email: &'static str| {
        client
            .post(app.url(&format!("{new}?lang=fr")))
            .header("cookie", &cookie)
            .header("origin", &origin)
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Hassan Tazi"),
                ("email", email),
                ("category", "vip"),
                ("language", "fr"),
            ])
            .send()
    };
    let res = post("hassan@example.ma").await.expect("walk-in");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = post("hassan@example.ma").await.expect("again");
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(res
        .text()
        .await
        .expect("page")
        .contains("Cet e-mail a déjà une inscription à ce salon."));
    let res = client
        .get(app.url(&format!(
            "/console/events/{slug}/registrations?page=abc&lang=fr"
        )))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("a query that does not read");
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/html"),
        "a page in the visitor's language, not plain text"
    );
    let res = client
        .get(app.url(&format!("/console/events/{slug}/registrations.csv")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.expect("body");
    let text = String::from_utf8(bytes.to_vec()).expect("utf-8");
    assert!(text.starts_with('\u{feff}'), "a byte-order mark for Excel");
    assert_eq!(text.matches("hassan@example.ma").count(), 1, "{text}");
    assert!(text.contains("\"confirmed\",\"vip\""), "{text}");
}

/// Exhibitors in the console: the review queue lists a confirmed application; its page offers
/// the free booths that match the kind and area asked for first; approving from the page is the
/// API's step (emailed, audited by its author); a viewer may read but not approve.
#[tokio::test]
async fn console_exhibitor_review() {
    let app = spawn_app().await;
    let slug = app.open_event("ex-console", None).await;
    for (code, area, kind) in [
        ("S6", 6, "standard"),
        ("C18", 18, "corner"),
        ("S12", 12, "standard"),
    ] {
        let (status, body) = app
            .post(
                &format!("/api/v1/events/{slug}/booths"),
                Some(&app.admin),
                serde_json::json!({"code": code, "hall": "Hall A", "area_m2": area, "kind": kind, "staff_passes": 2, "price": {"amount": 900_000, "currency": "MAD"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors"),
            None,
            serde_json::json!({"company_name": "Atlas Outsourcing", "contact_name": "Karim", "email": "karim@atlas.example",
                "booth_kind": "standard", "booth_area_m2": 9, "language": "fr", "consent": true}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mail = &app
        .delivered("exhibitor_confirm", "karim@atlas.example", 1)
        .await[0];
    let token = mail.token(&format!("{}/exhibitors/confirm/", app.settings.base_url()));
    let (_, ex) = app
        .post(
            "/api/v1/exhibitors/confirm",
            None,
            serde_json::json!({"token": token}),
        )
        .await;
    let id = ex["id"].as_i64().expect("id");

    let editor = app.create_organizer(Role::Editor);
    let cookie = console_cookie(&app, &editor).await;
    let client = no_redirects();
    let get = |path: String, cookie: String| {
        let client = client.clone();
        let url = app.url(&path);
        async move {
            let res = client
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .expect("get");
            (
                res.status(),
                res.text().await.expect("page").replace("&#x2f;", "/"),
            )
        }
    };
    let (status, queue) = get(
        format!("/console/events/{slug}/exhibitors?lang=en"),
        cookie.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(queue.contains("Atlas Outsourcing"), "{queue}");
    let (_, page) = get(
        format!("/console/events/{slug}/exhibitors/{id}?lang=en"),
        cookie.clone(),
    )
    .await;
    let options: Vec<&str> = page
        .split(r#"<select name="booth_code" id="booth_code">"#)
        .nth(1)
        .expect("the picker")
        .split("</select>")
        .next()
        .expect("options")
        .split("<option value=\"")
        .skip(1)
        .map(|o| o.split('"').next().unwrap_or(""))
        .collect();
    assert_eq!(
        options,
        ["S12", "C18", "S6", ""],
        "standard ≥ 9 m² first, then bigger, then smaller; none last"
    );
    let action = format!("/console/events/{slug}/exhibitors/{id}/approve");
    let csrf = csrf_of(
        page.split(&format!(r#"action="{action}"#))
            .nth(1)
            .expect("the approve form"),
    );
    let origin = app.url("").trim_end_matches('/').to_string();

    // A rejection without a reason: said on the page in its language, nothing changed.
    let reject = format!("/console/events/{slug}/exhibitors/{id}/reject");
    let reject_csrf = csrf_of(
        page.split(&format!(r#"action="{reject}"#))
            .nth(1)
            .expect("the reject form"),
    );
    let res = client
        .post(app.url(&format!("{reject}?lang=en")))
        .header("cookie", &cookie)
        .header("origin", &origin)
        .form(&[("csrf", reject_csrf.as_str()), ("reason", "  ")])
        .send()
        .await
        .expect("reject");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("page")
        .contains("This field is required."));
    let (_, still) = app
        .get(
            &format!("/api/v1/events/{slug}/exhibitors?status=submitted"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(still["total"], 1, "still waiting for review");

    let viewer = app.create_organizer(Role::Viewer);
    let viewer_cookie = console_cookie(&app, &viewer).await;
    let res = client
        .post(app.url(&action))
        .header("cookie", &viewer_cookie)
        .header("origin", &origin)
        .form(&[("csrf", csrf.as_str()), ("booth_code", "S12")])
        .send()
        .await
        .expect("viewer");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let res = client
        .post(app.url(&action))
        .header("cookie", &cookie)
        .header("origin", &origin)
        .form(&[("csrf", csrf.as_str()), ("booth_code", "S12")])
        .send()
        .await
        .expect("approve");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, out) = app
        .get(
            &format!("/api/v1/events/{slug}/exhibitors?status=approved"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(out["items"][0]["booth"]["code"], "S12", "{out}");
    app.delivered("exhibitor_approved", "karim@atlas.example", 1)
        .await;
    let (_, audit) = app
        .get(&format!("/api/v1/events/{slug}/audit"), Some(&app.admin))
        .await;
    assert!(
        audit["items"]
            .as_array()
            .expect("entries")
            .iter()
            .any(|e| e["action"] == "approve" && e["entity_id"] == id),
        "{audit}"
    );
    // The booths page: the hall's summary and the exhibitor on its booth, for a viewer too.
    let (status, booths) = get(
        format!("/console/events/{slug}/booths?lang=en"),
        viewer_cookie.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let hall = booths
        .split(r#"<table class="list halls">"#)
        .nth(1)
        .expect("halls");
    assert!(
        hall.contains("<td>3</td><td>1</td><td>2</td>") && hall.contains("12 / 36 m²"),
        "{hall}"
    );
    let s12 = booths.split("<strong>S12</strong>").nth(1).expect("S12");
    assert!(s12
        .split("</tr>")
        .next()
        .expect("the row")
        .contains("Atlas Outsourcing"));
    // The fair's audit log, for admins only, holds the console's approval.
    let admin = app.create_organizer(Role::Admin);
    let admin_cookie = console_cookie(&app, &admin).await;
    let (status, log) = get(
        format!("/console/events/{slug}/audit?lang=en"),
        admin_cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        log.contains("<code>approve</code>") && log.contains(&editor),
        "{log}"
    );
    let (status, _) = get(format!("/console/events/{slug}/audit"), cookie).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an editor does not read it");
}

/// Deactivating an organizer from the team ends what they hold at once: their API token is
/// refused, their console session is over, and they cannot sign in; only admins see the team,
/// and an admin cannot deactivate themself.
#[tokio::test]
async fn a_deactivated_organizer_is_refused_at_once() {
    let app = spawn_app().await;
    let admin = app.create_organizer(Role::Admin);
    let admin_cookie = console_cookie(&app, &admin).await;
    let editor = app.create_organizer(Role::Editor);
    let editor_cookie = console_cookie(&app, &editor).await;
    let (status, token) = app
        .post(
            "/api/v1/auth/tokens",
            None,
            serde_json::json!({"email": editor, "password": TEST_PASSWORD, "name": "laptop"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let token = token["token"].as_str().expect("token").to_string();
    let client = no_redirects();
    let origin = app.url("").trim_end_matches('/').to_string();
    let res = client
        .get(app.url("/console/team"))
        .header("cookie", &editor_cookie)
        .send()
        .await
        .expect("team");
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "editors do not see the team"
    );
    let page = client
        .get(app.url("/console/team?lang=en"))
        .header("cookie", &admin_cookie)
        .send()
        .await
        .expect("team")
        .text()
        .await
        .expect("page")
        .replace("&#x2f;", "/");
    let id = {
        let mut pooled = app.db.get().expect("conn");
        let email = salon::domain::EmailAddress::parse(&editor).expect("email");
        salon::auth::store::find_by_email(&mut pooled.conn(), &email)
            .expect("query")
            .expect("editor")
            .id
    };
    let action = format!("/console/team/{id}/deactivate");
    let csrf = csrf_of(
        page.split(&format!(r#"action="{action}"#))
            .nth(1)
            .expect("the form"),
    );
    let res = client
        .post(app.url(&action))
        .header("cookie", &admin_cookie)
        .header("origin", &origin)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("deactivate");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let (status, _) = app.get("/api/v1/events", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the API token is revoked");
    let res = client
        .get(app.url("/console"))
        .header("cookie", &editor_cookie)
        .send()
        .await
        .expect("console");
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the session is over: to sign in"
    );
    let (status, _) = app
        .post(
            "/api/v1/auth/tokens",
            None,
            serde_json::json!({"email": editor, "password": TEST_PASSWORD, "name": "again"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "cannot sign in");
}
