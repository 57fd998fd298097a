//! Attendee registration, confirmation, the waiting list and self-service (SPEC §3, §4, §6).

use reqwest::StatusCode;
use salon::domain::Role;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn register_confirm_and_manage() {
    let app = spawn_app().await;
    let slug = app.open_event("fair", Some(100)).await;
    let (status, body) = app
        .post(&format!("/api/v1/events/{slug}/registrations"), None, json!({
            "name": "Amina El Idrissi", "email": "Amina@Example.ma", "organization": "Atlas Contact",
            "job_title": "Directrice", "country": "MA", "phone": "+212 600 000 000", "language": "fr",
            "category": "professional", "consent": true}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    let mail = &app
        .delivered("registration_confirm", "amina@example.ma", 1)
        .await[0];
    assert!(
        mail.subject.contains("confirmez votre inscription"),
        "{}",
        mail.subject
    );
    assert!(mail.html.contains(r#"dir="ltr""#));
    let token = mail.token(&format!("{}/confirm/", app.settings.base_url()));
    assert!(token.starts_with("slr_"));

    // The row: pending, consent stored, email lower-cased.
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["items"][0]["status"], "pending");
    assert_eq!(list["items"][0]["email"], "amina@example.ma");
    assert!(list["items"][0]["consent_at"].is_string());
    assert_eq!(
        list["items"][0]["badge_code"],
        serde_json::Value::Null,
        "no badge before confirmation"
    );

    // A GET of the confirmation page never confirms.
    let page = app
        .client
        .get(app.url(&format!("/confirm/{token}")))
        .send()
        .await
        .expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["items"][0]["status"], "pending");

    let (status, confirmed) = app
        .post(
            "/api/v1/registrations/confirm",
            None,
            json!({"token": token}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["registration"]["status"], "confirmed");
    let badge = confirmed["registration"]["badge_code"]
        .as_str()
        .expect("badge code")
        .to_string();
    assert!(badge.len() >= 16);

    let mail = &app
        .delivered("registration_confirmed", "amina@example.ma", 1)
        .await[0];
    assert!(mail.subject.contains("est confirmée"), "{}", mail.subject);
    assert!(mail.text.contains(&badge) && mail.html.contains(&badge));
    let manage = mail.token(&format!("{}/r/", app.settings.base_url()));
    assert!(
        mail.text.contains(&format!("/r/{manage}/badge"))
            || mail.html.contains(&format!("/r/{manage}/badge"))
    );
    assert!(mail.html.contains("cid:badge-qr"));
    let types: Vec<&str> = mail
        .attachments
        .iter()
        .map(|(ct, _, _)| ct.as_str())
        .collect();
    assert!(
        types.contains(&"image/png") && types.contains(&"text/calendar; method=PUBLISH"),
        "{types:?}"
    );
    let ics = mail
        .attachments
        .iter()
        .find(|(ct, _, _)| ct.starts_with("text/calendar"))
        .map(|(_, _, b)| String::from_utf8_lossy(b).to_string())
        .expect("ics");
    assert!(
        ics.contains("BEGIN:VEVENT")
            && ics.contains("DTSTART;VALUE=DATE:20270503")
            && ics.contains("DTEND;VALUE=DATE:20270505"),
        "{ics}"
    );

    let (status, me) = app.get("/api/v1/me", Some(&manage)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["registration"]["name"], "Amina El Idrissi");
    assert_eq!(me["registration"]["badge_code"], badge.as_str());

    // The token was single use.
    let (status, _) = app
        .post(
            "/api/v1/registrations/confirm",
            None,
            json!({"token": token}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, _) = app
        .post(
            "/api/v1/registrations/confirm",
            None,
            json!({"token": "slr_unknown"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The attendee's page and badge.
    let page = app
        .client
        .get(app.url(&format!("/r/{manage}")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("<svg") && page.contains(&badge),
        "the page shows the QR"
    );
    let printable = app
        .client
        .get(app.url(&format!("/r/{manage}/badge")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(
        printable.contains("Amina El Idrissi")
            && printable.contains("Atlas Contact")
            && printable.contains("Professionnel")
    );

    // Cancelling.
    let (status, cancelled) = app.delete("/api/v1/me", Some(&manage)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(cancelled["status"], "cancelled");
    app.delivered("registration_cancelled", "amina@example.ma", 1)
        .await;
    let (status, problem) = app.delete("/api/v1/me", Some(&manage)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(problem["detail"]
        .as_str()
        .unwrap_or("")
        .contains("cancelled to cancelled"));
    // An organizer token is not an attendee token, and the reverse.
    let (status, _) = app.get("/api/v1/me", Some(&app.admin)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get("/api/v1/events", Some(&manage)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_answer_never_reveals_who_is_registered() {
    let app = spawn_app_with(|s| s.registration.resend_interval = std::time::Duration::ZERO).await;
    let slug = app.open_event("enum", None).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    let body = |email: &str| json!({"name": "X", "email": email, "consent": true});
    let (s1, new) = app.post(&path, None, body("new@example.com")).await;
    let (s2, pending) = app.post(&path, None, body("new@example.com")).await;
    let token = app
        .delivered("registration_confirm", "new@example.com", 2)
        .await[1]
        .token(&format!("{}/confirm/", app.settings.base_url()));
    app.post(
        "/api/v1/registrations/confirm",
        None,
        json!({"token": token}),
    )
    .await;
    let (s3, confirmed) = app.post(&path, None, body("new@example.com")).await;
    assert_eq!(
        (s1, s2, s3),
        (
            StatusCode::ACCEPTED,
            StatusCode::ACCEPTED,
            StatusCode::ACCEPTED
        )
    );
    assert_eq!(new, pending);
    assert_eq!(new, confirmed);
    let mail = &app
        .delivered("already_registered", "new@example.com", 1)
        .await[0];
    assert!(mail.text.contains("/r/slr_"), "a manage link");
    let (_, list) = app.get(&path, Some(&app.admin)).await;
    assert_eq!(list["total"], 1, "one registration per email per event");
}

#[tokio::test]
async fn a_pending_registrant_gets_the_link_again_at_most_once_per_interval() {
    let app = spawn_app().await; // resend_interval 10m
    let slug = app.open_event("resend", None).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    for _ in 0..3 {
        let (s, _) = app
            .post(
                &path,
                None,
                json!({"name": "X", "email": "again@example.com", "consent": true}),
            )
            .await;
        assert_eq!(s, StatusCode::ACCEPTED);
    }
    app.delivered("registration_confirm", "again@example.com", 1)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.outbox("registration_confirm").len(), 1);
}

#[tokio::test]
async fn consent_categories_and_fields_are_checked() {
    let app = spawn_app().await;
    let slug = app.open_event("checks", None).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    let cases = [
        (json!({"name": "X", "email": "a@example.com"}), "consent"),
        (
            json!({"name": "X", "email": "a@example.com", "consent": false}),
            "consent",
        ),
        (
            json!({"name": "X", "email": "a@example.com", "consent": true, "category": "press"}),
            "category",
        ),
        (
            json!({"name": "X", "email": "a@example.com", "consent": true, "category": "exhibitor_staff"}),
            "category",
        ),
        (
            json!({"name": "X", "email": "a@example.com", "consent": true, "category": "king"}),
            "category",
        ),
        (
            json!({"name": "", "email": "a@example.com", "consent": true}),
            "name",
        ),
        (
            json!({"name": "X", "email": "not-an-email", "consent": true}),
            "email",
        ),
        (
            json!({"name": "X", "email": "a@example.com", "consent": true, "phone": "call me"}),
            "phone",
        ),
        (
            json!({"name": "X", "email": "a@example.com", "consent": true, "language": "de"}),
            "language",
        ),
        (
            json!({"name": "X", "email": "a@example.com", "consent": true, "badge_code": "X"}),
            "badge_code",
        ),
    ];
    for (body, field) in cases {
        let (status, problem) = app.post(&path, None, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error_fields(&problem), vec![field.to_string()], "{body}");
    }
    let (_, list) = app.get(&path, Some(&app.admin)).await;
    assert_eq!(list["total"], 0, "nothing was written");
    assert!(app.outbox("registration_confirm").is_empty());
    // A draft event takes no registration.
    app.create_event("draft-reg").await;
    let (status, _) = app
        .post(
            "/api/v1/events/draft-reg/registrations",
            None,
            json!({"name": "X", "email": "a@example.com", "consent": true}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_registration_window_is_enforced() {
    let app = spawn_app().await;
    let slug = app.open_event("window", None).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    let body = json!({"name": "X", "email": "w@example.com", "consent": true});
    app.patch(
        &format!("/api/v1/events/{slug}"),
        Some(&app.admin),
        json!({"registration_opens_at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let (status, problem) = app.post(&path, None, body.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(problem["detail"]
        .as_str()
        .unwrap_or("")
        .contains("not open yet"));
    app.patch(
        &format!("/api/v1/events/{slug}"),
        Some(&app.admin),
        json!({"registration_opens_at": null, "registration_closes_at": "2000-01-01T00:00:00Z"}),
    )
    .await;
    let (status, _) = app.post(&path, None, body.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    app.patch(
        &format!("/api/v1/events/{slug}"),
        Some(&app.admin),
        json!({"registration_closes_at": null}),
    )
    .await;
    let (status, _) = app.post(&path, None, body).await;
    assert_eq!(status, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn expired_links_are_gone_and_registering_again_sends_a_new_one() {
    let app = spawn_app_with(|s| s.registration.resend_interval = std::time::Duration::ZERO).await;
    let slug = app.open_event("expiry", None).await;
    let token = app
        .register_and_get_token(&slug, "late@example.com", "en")
        .await;
    // The link lives `registration.confirm_ttl` (72 h): three days and an hour later, it is gone.
    app.clock
        .set(Some(chrono::Utc::now() + chrono::TimeDelta::hours(73)));
    let (status, problem) = app
        .post(
            "/api/v1/registrations/confirm",
            None,
            json!({"token": token}),
        )
        .await;
    assert_eq!(status, StatusCode::GONE);
    assert!(problem["detail"]
        .as_str()
        .unwrap_or("")
        .contains("register again"));
    app.clock.set(None);
    app.post(
        &format!("/api/v1/events/{slug}/registrations"),
        None,
        json!({"name": "X", "email": "late@example.com", "consent": true}),
    )
    .await;
    let fresh = app
        .delivered("registration_confirm", "late@example.com", 2)
        .await[1]
        .token(&format!("{}/confirm/", app.settings.base_url()));
    let (status, _) = app
        .post(
            "/api/v1/registrations/confirm",
            None,
            json!({"token": fresh}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_full_fair_waitlists_and_a_cancellation_promotes() {
    let app = spawn_app().await;
    let slug = app.open_event("full", Some(2)).await;
    let mut manage = Vec::new();
    for (i, lang) in ["ar", "fr", "en"].iter().enumerate() {
        let email = format!("p{i}@example.com");
        let token = app.register_and_get_token(&slug, &email, lang).await;
        let (status, body) = app
            .post(
                "/api/v1/registrations/confirm",
                None,
                json!({"token": token}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        manage.push(body["manage_token"].as_str().expect("token").to_string());
        let expected = if i < 2 { "confirmed" } else { "waitlisted" };
        assert_eq!(body["registration"]["status"], expected, "{body}");
    }
    let waitlisted = &app
        .delivered("registration_waitlisted", "p2@example.com", 1)
        .await[0];
    assert!(waitlisted.subject.contains("waiting list"));

    let (status, _) = app.delete("/api/v1/me", Some(&manage[0])).await;
    assert_eq!(status, StatusCode::OK);
    let promoted = &app
        .delivered("registration_promoted", "p2@example.com", 1)
        .await[0];
    assert!(
        promoted.subject.contains("Good news"),
        "{}",
        promoted.subject
    );
    let (_, me) = app.get("/api/v1/me", Some(&manage[2])).await;
    assert_eq!(me["registration"]["status"], "confirmed");
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations?status=confirmed"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["total"], 2);
}

#[tokio::test]
async fn organizers_register_walk_ins_and_change_statuses() {
    let app = spawn_app().await;
    let slug = app.open_event("walk-in", Some(1)).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    let (status, vip) = app.post(&path, Some(&app.admin), json!({"name": "Ministre", "email": "vip@example.ma", "category": "vip", "language": "ar"})).await;
    assert_eq!(status, StatusCode::CREATED, "{vip}");
    assert_eq!(vip["status"], "confirmed");
    assert_eq!(vip["category"], "vip");
    let mail = &app
        .delivered("registration_confirmed", "vip@example.ma", 1)
        .await[0];
    assert!(mail.html.contains(r#"dir="rtl""#));
    let (status, _) = app
        .post(
            &path,
            Some(&app.admin),
            json!({"name": "Ministre", "email": "vip@example.ma"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let viewer = app.organizer_token(Role::Viewer).await;
    let (status, _) = app
        .post(
            &path,
            Some(&viewer),
            json!({"name": "X", "email": "x@example.ma"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Full: the next public confirmation is waitlisted; an organizer may confirm it anyway.
    let token = app
        .register_and_get_token(&slug, "wait@example.com", "en")
        .await;
    let (_, body) = app
        .post(
            "/api/v1/registrations/confirm",
            None,
            json!({"token": token}),
        )
        .await;
    assert_eq!(body["registration"]["status"], "waitlisted");
    let id = body["registration"]["id"].as_i64().expect("id");
    let (status, changed) = app
        .patch(
            &format!("{path}/{id}"),
            Some(&app.admin),
            json!({"status": "confirmed", "category": "press"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["status"], "confirmed");
    assert_eq!(changed["category"], "press");
    app.delivered("registration_promoted", "wait@example.com", 1)
        .await;
    let (status, _) = app
        .patch(
            &format!("{path}/{id}"),
            Some(&app.admin),
            json!({"status": "cancelled"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, problem) = app
        .patch(
            &format!("{path}/{id}"),
            Some(&app.admin),
            json!({"status": "confirmed"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or("")
            .contains("cancelled to confirmed"),
        "{problem}"
    );
    let (status, _) = app
        .patch(
            &format!("{path}/{id}"),
            Some(&app.admin),
            json!({"status": "waitlisted"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, queued) = app
        .post(
            &format!("{path}/{}/resend", vip["id"]),
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(queued["queued"], "registration_confirmed");
    app.delivered("registration_confirmed", "vip@example.ma", 2)
        .await;

    let res = app
        .client
        .get(app.url(&format!("{path}/{}/badge", vip["id"])))
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("badge");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    assert!(html.contains("Ministre") && html.contains(r#"dir="rtl""#) && html.contains("<svg"));
}

#[tokio::test]
async fn csv_export_neutralises_formulas() {
    let app = spawn_app().await;
    let slug = app.open_event("csv", None).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    app.post(&path, Some(&app.admin), json!({"name": "=HYPERLINK(\"http://evil\")", "email": "a@example.com", "organization": "+Atlas, \"SA\""})).await;
    app.post(
        &path,
        None,
        json!({"name": "@Bob", "email": "b@example.com", "organization": "-1", "consent": true}),
    )
    .await;
    let res = app
        .client
        .get(app.url(&format!("{path}.csv")))
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/csv"));
    let csv = res.text().await.expect("text");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.len(),
        3,
        "header and every registration, any status: {csv}"
    );
    assert!(csv.contains(r#""'=HYPERLINK(""http://evil"")""#), "{csv}");
    assert!(csv.contains(r#""'+Atlas, ""SA""""#));
    assert!(csv.contains(r#""'@Bob""#) && csv.contains(r#""'-1""#));
    assert!(lines[2].contains("pending"));
}

#[tokio::test]
async fn erasure_keeps_only_counts() {
    let app = spawn_app().await;
    let slug = app.open_event("erase", Some(1)).await;
    let token = app
        .register_and_get_token(&slug, "me@example.com", "fr")
        .await;
    let (_, body) = app
        .post(
            "/api/v1/registrations/confirm",
            None,
            json!({"token": token}),
        )
        .await;
    let manage = body["manage_token"].as_str().expect("manage").to_string();
    let other = app
        .register_and_get_token(&slug, "next@example.com", "en")
        .await;
    let (_, waiting) = app
        .post(
            "/api/v1/registrations/confirm",
            None,
            json!({"token": other}),
        )
        .await;
    assert_eq!(waiting["registration"]["status"], "waitlisted");

    let (status, _) = app.post("/api/v1/me/erase", Some(&manage), json!({})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get("/api/v1/me", Some(&manage)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the token is gone");
    app.delivered("registration_promoted", "next@example.com", 1)
        .await;

    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
        )
        .await;
    let erased = &list["items"][0];
    assert_eq!(erased["erased"], true);
    for field in ["name", "email", "organization", "job_title", "phone"] {
        assert_eq!(erased[field], serde_json::Value::Null, "{field}");
    }
    let csv = app
        .client
        .get(app.url(&format!("/api/v1/events/{slug}/registrations.csv")))
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("csv")
        .text()
        .await
        .expect("text");
    assert!(!csv.contains("me@example.com"));
    // The outbox forgets the address too.
    assert!(app
        .outbox("registration_confirmed")
        .iter()
        .all(|(to, _, _)| to.as_deref() != Some("me@example.com")));

    // The organizer's DELETE erases as well.
    let id = list["items"][1]["id"].as_i64().expect("id");
    let (status, _) = app
        .delete(
            &format!("/api/v1/events/{slug}/registrations/{id}"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["items"][1]["email"], serde_json::Value::Null);
}

#[tokio::test]
async fn the_retention_purge_erases_past_fairs() {
    let app = spawn_app().await;
    let slug = app.open_event("past", None).await;
    app.post(
        &format!("/api/v1/events/{slug}/registrations"),
        Some(&app.admin),
        json!({"name": "Old", "email": "old@example.com"}),
    )
    .await;
    let future = app.open_event("future", None).await;
    app.post(
        &format!("/api/v1/events/{future}/registrations"),
        Some(&app.admin),
        json!({"name": "New", "email": "new@example.com"}),
    )
    .await;
    // Move the first fair 200 days into the past (retention is 180 days).
    let past = chrono::Utc::now().date_naive() - chrono::TimeDelta::days(200);
    let (status, body) = app
        .patch(
            &format!("/api/v1/events/{slug}"),
            Some(&app.admin),
            json!({"starts_on": past, "ends_on": past}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let erased =
        salon::registrations::purge::run(&app.db, &app.settings, app.clock.now().date_naive())
            .expect("purge");
    assert_eq!(erased, 1);
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["items"][0]["name"], serde_json::Value::Null);
    assert_eq!(list["total"], 1, "the count remains");
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{future}/registrations"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["items"][0]["name"], "New");
}

#[tokio::test]
async fn public_posts_are_rate_limited() {
    let app = spawn_app_with(|s| s.rate_limit.per_minute = 3).await;
    let slug = app.open_event("limited", None).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    for i in 0..3 {
        let (status, _) = app
            .post(
                &path,
                None,
                json!({"name": "X", "email": format!("r{i}@example.com"), "consent": true}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED);
    }
    let res = app
        .client
        .post(app.url(&path))
        .json(&json!({"name": "X", "email": "r9@example.com", "consent": true}))
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .expect("header")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry));
    let (status, _) = app
        .post(
            "/api/v1/registrations/confirm",
            None,
            json!({"token": "slr_x"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "the limit covers every public POST"
    );
    let (status, _) = app
        .post(
            "/api/v1/auth/tokens",
            None,
            json!({"email": "a@example.com", "password": "guess guess guess", "name": "x"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "login attempts are limited too"
    );
    // Organizers are not limited.
    let (status, _) = app
        .post(
            &path,
            Some(&app.admin),
            json!({"name": "X", "email": "org@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn each_registration_email_speaks_the_attendees_language() {
    let app = spawn_app_with(|s| s.registration.resend_interval = std::time::Duration::ZERO).await;
    let slug = app.open_event("languages", Some(1)).await;
    let phrases: &[(&str, [&str; 3])] = &[
        (
            "registration_confirm",
            [
                "يُرجى تأكيد تسجيلكم",
                "confirmez votre inscription",
                "Please confirm your registration",
            ],
        ),
        (
            "registration_confirmed",
            ["تأكيد تسجيلكم", "est confirmée", "is confirmed"],
        ),
        (
            "already_registered",
            ["مؤكد مسبقًا", "déjà confirmée", "already registered"],
        ),
        (
            "registration_cancelled",
            [
                "إلغاء تسجيلكم",
                "votre inscription est annulée",
                "has been cancelled",
            ],
        ),
        (
            "registration_waitlisted",
            ["لائحة الانتظار", "liste d'attente", "waiting list"],
        ),
        (
            "registration_promoted",
            ["خبر سار", "Bonne nouvelle", "Good news"],
        ),
    ];
    for (i, lang) in ["ar", "fr", "en"].iter().enumerate() {
        let holder = format!("holder-{lang}@example.com");
        let waiter = format!("waiter-{lang}@example.com");
        let t = app.register_and_get_token(&slug, &holder, lang).await;
        let (_, first) = app
            .post("/api/v1/registrations/confirm", None, json!({"token": t}))
            .await;
        let manage = first["manage_token"].as_str().expect("token").to_string();
        app.post(
            &format!("/api/v1/events/{slug}/registrations"),
            None,
            json!({"name": "X", "email": holder, "consent": true}),
        )
        .await;
        let t = app.register_and_get_token(&slug, &waiter, lang).await;
        let (_, second) = app
            .post("/api/v1/registrations/confirm", None, json!({"token": t}))
            .await;
        assert_eq!(second["registration"]["status"], "waitlisted");
        app.delete("/api/v1/me", Some(&manage)).await;
        for (kind, by_lang) in phrases {
            let to = if ["registration_waitlisted", "registration_promoted"].contains(kind) {
                &waiter
            } else {
                &holder
            };
            let mail = &app.delivered(kind, to, 1).await[0];
            let phrase = by_lang[i];
            assert!(
                mail.subject.contains(phrase) || mail.text.contains(phrase),
                "{kind}/{lang}: {phrase} not in {}",
                mail.subject
            );
            let dir = if *lang == "ar" {
                r#"dir="rtl""#
            } else {
                r#"dir="ltr""#
            };
            assert!(mail.html.contains(dir), "{kind}/{lang} direction");
            assert!(
                mail.html.contains(&format!(r#"lang="{lang}""#)),
                "{kind}/{lang} lang"
            );
        }
        // Free the seat for the next language: the promoted waiter cancels.
        let promoted = &app.delivered("registration_promoted", &waiter, 1).await[0];
        let waiter_manage = promoted.token(&format!("{}/r/", app.settings.base_url()));
        app.delete("/api/v1/me", Some(&waiter_manage)).await;
    }
}

#[tokio::test]
async fn the_register_form_registers_like_the_api() {
    let app = spawn_app().await;
    let slug = app.open_event("form-reg", None).await;
    let page = app
        .client
        .get(app.url(&format!("/events/{slug}/register?lang=ar")))
        .send()
        .await
        .expect("get");
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.expect("html");
    assert!(page.contains(r#"dir="rtl""#) && page.contains("التسجيل في المعرض"));
    let csrf = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    let mut form = vec![
        ("csrf", csrf.as_str()),
        ("name", "Hind"),
        ("email", "hind@example.ma"),
        ("organization", "Atlas"),
        ("category", "professional"),
        ("consent", "true"),
    ];
    let url = app.url(&format!("/events/{slug}/register?lang=ar"));
    let res = app
        .client
        .post(&url)
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.text().await.expect("html").contains(r#"role="status""#));
    let mail = &app
        .delivered("registration_confirm", "hind@example.ma", 1)
        .await[0];
    assert!(
        mail.html.contains(r#"dir="rtl""#),
        "the page's language becomes the attendee's"
    );
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["items"][0]["category"], "professional");

    // Without consent the form comes back with the error and nothing is written.
    form.retain(|(k, _)| *k != "consent");
    form.iter_mut().for_each(|(k, v)| {
        if *k == "email" {
            *v = "other@example.ma"
        }
    });
    let res = app
        .client
        .post(&url)
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("html").contains("role=\"alert\""));
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["total"], 1);
    // A forged form is refused.
    let res = app
        .client
        .post(&url)
        .form(&[("csrf", "forged"), ("name", "X")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn more_seats_promote_the_waiting_list_and_organizers_follow_the_transitions() {
    let app = spawn_app().await;
    let slug = app.open_event("grow", Some(1)).await;
    for (i, email) in ["first@example.com", "second@example.com"]
        .iter()
        .enumerate()
    {
        let t = app.register_and_get_token(&slug, email, "fr").await;
        let (_, body) = app
            .post("/api/v1/registrations/confirm", None, json!({"token": t}))
            .await;
        assert_eq!(
            body["registration"]["status"],
            if i == 0 { "confirmed" } else { "waitlisted" }
        );
    }
    let (status, _) = app
        .patch(
            &format!("/api/v1/events/{slug}"),
            Some(&app.admin),
            json!({"capacity": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.delivered("registration_promoted", "second@example.com", 1)
        .await;
    let (_, waiting) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations?status=waitlisted"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(waiting["total"], 0);

    // Organizers confirm only from the waiting list; a pending email stays unverified.
    app.post(
        &format!("/api/v1/events/{slug}/registrations"),
        None,
        json!({"name": "P", "email": "p@example.com", "consent": true}),
    )
    .await;
    let (_, pending) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations?status=pending"),
            Some(&app.admin),
        )
        .await;
    let id = pending["items"][0]["id"].as_i64().expect("id");
    let path = format!("/api/v1/events/{slug}/registrations/{id}");
    let (status, problem) = app
        .patch(&path, Some(&app.admin), json!({"status": "confirmed"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(problem["detail"]
        .as_str()
        .unwrap_or("")
        .contains("pending to confirmed"));
    // Sending back the current status changes nothing.
    let (status, same) = app
        .patch(
            &path,
            Some(&app.admin),
            json!({"status": "pending", "job_title": "Analyste"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{same}");
    assert_eq!(same["job_title"], "Analyste");
    let (status, problem) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations?page=99999999"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["page"]);
}

#[tokio::test]
async fn a_cross_site_form_post_is_refused() {
    let app = spawn_app().await;
    let slug = app.open_event("cross", None).await;
    let (_, csrf) = app.page_and_csrf(&format!("/events/{slug}/register")).await;
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "X"),
        ("email", "x@example.com"),
        ("consent", "true"),
    ];
    let res = app
        .client
        .post(app.url(&format!("/events/{slug}/register")))
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = app
        .client
        .post(app.url(&format!("/events/{slug}/register")))
        .header("origin", app.address.as_str())
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the site's own origin is fine"
    );
    // What Chromium sends from a page served under `Referrer-Policy: no-referrer`.
    let res = app
        .client
        .post(app.url(&format!("/events/{slug}/register")))
        .header("origin", "null")
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::OK, "a browser's same-origin post");
    for (origin, fetch_site) in [
        ("null", None),
        ("null", Some("cross-site")),
        (app.address.as_str(), Some("cross-site")),
    ] {
        let mut post = app
            .client
            .post(app.url(&format!("/events/{slug}/register")))
            .header("origin", origin);
        if let Some(site) = fetch_site {
            post = post.header("sec-fetch-site", site);
        }
        let res = post.form(&form).send().await.expect("post");
        assert_eq!(
            res.status(),
            StatusCode::FORBIDDEN,
            "Origin {origin}, Sec-Fetch-Site {fetch_site:?}"
        );
    }
}

/// The registration form runs the API's parse step: every bad field comes back at once, each
/// beside its input in the page's language, with what was typed kept (the consent box too).
#[tokio::test]
async fn the_form_shows_every_error_beside_its_field_in_the_pages_language() {
    let app = spawn_app().await;
    let slug = app.open_event("form-errors", None).await;
    let (page, csrf) = app
        .page_and_csrf(&format!("/events/{slug}/register?lang=ar"))
        .await;
    assert!(
        page.contains("register?lang=ar\""),
        "the form carries its language"
    );
    let form = [
        ("csrf", csrf.as_str()),
        ("name", "  "),
        ("email", "amina@"),
        ("organization", "Atlas Contact"),
        ("phone", "06 12 ab"),
    ];
    let res = app
        .client
        .post(app.url(&format!("/events/{slug}/register?lang=ar")))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("html");
    assert!(html.contains(r#"dir="rtl""#));
    for field in ["name", "email", "phone", "consent"] {
        assert!(
            html.contains(&format!(r#"aria-describedby="e-{field}""#)),
            "{field} is marked invalid"
        );
        assert!(
            html.contains(&format!(r#"id="e-{field}""#)),
            "{field} has its message"
        );
    }
    assert!(html.contains("هذه الخانة إلزامية"), "required, in Arabic");
    assert!(
        html.contains("أدخلوا عنوان بريد إلكتروني صحيحًا"),
        "email, in Arabic"
    );
    assert!(html.contains("نحتاج إلى موافقتكم"), "consent, in Arabic");
    assert!(!html.contains("must be"), "no English on an Arabic page");
    assert!(
        html.contains(r#"value="Atlas Contact""#),
        "typed values are kept"
    );

    let checked = [
        ("csrf", csrf.as_str()),
        ("name", ""),
        ("email", "amina@example.ma"),
        ("consent", "true"),
    ];
    let res = app
        .client
        .post(app.url(&format!("/events/{slug}/register?lang=fr")))
        .form(&checked)
        .send()
        .await
        .expect("post");
    let html = res.text().await.expect("html");
    assert!(html.contains("Ce champ est obligatoire."), "{html}");
    assert!(
        html.contains(r#"value="true" required aria-required="true" checked"#),
        "the consent box stays ticked"
    );
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["total"], 0, "nothing was written");
}

/// Errors on pages are pages, in the visitor's language, with a way forward: an unknown link
/// is a 404 page; a used confirmation link leads back to the attendee's page; a `?lang=`
/// choice is remembered in a cookie.
#[tokio::test]
async fn page_errors_are_pages_in_the_visitors_language() {
    // Links by email as often as asked (the used-link button below comes right after the
    // confirmation, within the default resend interval).
    let app = spawn_app_with(|s| s.registration.resend_interval = std::time::Duration::ZERO).await;
    let slug = app.open_event("page-errors", None).await;
    let res = app
        .client
        .get(app.url("/confirm/slr_nothing?lang=ar"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap_or("")
        .starts_with("text/html"));
    let html = res.text().await.expect("html");
    assert!(
        html.contains(r#"dir="rtl""#) && html.contains("الصفحة غير موجودة"),
        "{html}"
    );

    let token = app
        .register_and_get_token(&slug, "twice@example.com", "en")
        .await;
    let (status, _) = app
        .post(
            "/api/v1/registrations/confirm",
            None,
            json!({"token": token}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let res = app
        .client
        .get(app.url(&format!("/confirm/{token}?lang=en")))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.expect("html");
    assert!(html.contains("This link was already used"), "{html}");
    // The holder of a used link mints nothing by opening it: a button asks for the link to
    // their page by email, sent to the address of the registration.
    let tokens_before = manage_tokens(&app);
    let (page, csrf) = app
        .page_and_csrf(&format!("/confirm/{token}/mine?lang=en"))
        .await;
    assert!(page.contains("Email me the link"), "{page}");
    assert_eq!(manage_tokens(&app), tokens_before, "a GET mints no token");
    let sent = app
        .client
        .post(app.url(&format!("/confirm/{token}/mine?lang=en")))
        .header("origin", app.address.clone())
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(sent.status(), StatusCode::OK);
    let said = sent.text().await.expect("html");
    assert!(said.contains("is on its way"), "{said}");
    let mail = app
        .delivered("already_registered", "twice@example.com", 1)
        .await;
    let mine = format!(
        "/r/{}",
        mail[0].token(&format!("{}/r/", app.settings.base_url()))
    );
    let page = app
        .client
        .get(app.url(&mine))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Your registration is confirmed"), "{page}");

    let res = app
        .client
        .get(app.url(&format!("/events/{slug}?lang=ar")))
        .send()
        .await
        .expect("get");
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap_or("")
        .to_string();
    assert!(cookie.starts_with("lang=ar;"), "{cookie}");
    let form = app
        .client
        .get(app.url(&format!("/events/{slug}/register")))
        .header("cookie", "lang=ar")
        .header("accept-language", "fr")
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(
        form.contains(r#"<html lang="ar" dir="rtl">"#),
        "the cookie wins over Accept-Language"
    );
}

/// An attendee changes their own details from their page, with the registration's checks.
#[tokio::test]
async fn attendees_edit_their_details_from_their_page() {
    let app = spawn_app().await;
    let slug = app.open_event("details", None).await;
    let token = app
        .register_and_get_token(&slug, "self@example.com", "fr")
        .await;
    let (_, answer) = app
        .post(
            "/api/v1/registrations/confirm",
            None,
            json!({"token": token}),
        )
        .await;
    let manage = answer["manage_token"].as_str().expect("manage").to_string();
    let page = app
        .client
        .get(app.url(&format!("/r/{manage}")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    let csrf = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the details form's csrf")
        .to_string();
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let post = |form: Vec<(&'static str, String)>| {
        no_redirect
            .post(app.url(&format!("/r/{manage}/details?lang=fr")))
            .form(&form)
            .send()
    };
    let res = post(vec![
        ("csrf", csrf.clone()),
        ("name", " ".into()),
        ("phone", "06 ab".into()),
        ("language", "ar".into()),
    ])
    .await
    .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("html");
    assert!(
        html.contains(r#"aria-describedby="e-name""#)
            && html.contains(r#"aria-describedby="e-phone""#)
    );
    let res = post(vec![
        ("csrf", csrf),
        ("name", "Yasmine Alaoui".into()),
        ("organization", "Atlas Contact".into()),
        ("phone", "+212 6 12 34 56 78".into()),
        ("language", "ar".into()),
    ])
    .await
    .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, me) = app.get("/api/v1/me", Some(&manage)).await;
    assert_eq!(me["registration"]["name"], "Yasmine Alaoui");
    assert_eq!(me["registration"]["organization"], "Atlas Contact");
    assert_eq!(me["registration"]["language"], "ar");
    assert_eq!(
        me["registration"]["email"], "self@example.com",
        "the email is not the page's to change"
    );
}

/// Instances behind one load balancer share the key of the forms' CSRF tokens through the
/// database when none is configured: a form rendered by one instance is accepted by another.
#[tokio::test]
async fn a_form_from_one_instance_posts_to_another() {
    let app = spawn_app_with(|s| s.server.secret_key = salon::config::Secret::new("")).await;
    let other = spawn_sibling(&app).await;
    let slug = app.open_event("shared-key", None).await;
    let (_, csrf) = app
        .page_and_csrf(&format!("/events/{slug}/register?lang=en"))
        .await;
    let res = other
        .client
        .post(other.url(&format!("/events/{slug}/register?lang=en")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Salma"),
            ("email", "salma@example.com"),
            ("consent", "true"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the other instance knows the key"
    );
    assert!(res.text().await.expect("html").contains("Thank you"));
    let mut pooled = app.db.get().expect("conn");
    let stored = salon::db::secrets::get_or_create(&mut pooled.conn(), "secret_key", || {
        "a key nobody made".into()
    })
    .expect("secret");
    assert_ne!(
        stored, "a key nobody made",
        "the key lives in the database, not in a file"
    );
}

/// How many manage tokens exist, of every registration.
fn manage_tokens(app: &TestApp) -> i64 {
    use diesel::prelude::*;
    let mut pooled = app.db.get().expect("connection");
    use salon::db::schema::link_tokens;
    salon::run!(&mut pooled.conn(), |c| link_tokens::table
        .filter(link_tokens::registration_id.is_not_null())
        .filter(link_tokens::purpose.eq("manage"))
        .count()
        .get_result::<i64>(c))
    .expect("count")
}

#[tokio::test]
async fn the_register_page_says_a_full_fair_is_full_and_when_a_new_link_can_go() {
    let app = spawn_app().await;
    let slug = app.open_event("full", Some(1)).await;
    let path = format!("/events/{slug}/register?lang=fr");
    let (page, csrf) = app.page_and_csrf(&path).await;
    assert!(!page.contains("data-full"), "seats left: no notice");
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
            json!({"name": "Walk-in", "email": "walkin@full.ma"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (page, _) = app.page_and_csrf(&path).await;
    assert!(page.contains("data-full"), "{page}");
    assert!(
        page.contains("Le salon est complet") && page.contains("(0 personnes y sont"),
        "before the form, with the waiting list's length: {page}"
    );
    // The thank-you page says when a new link can be asked for.
    let done = app
        .client
        .post(app.url(&path))
        .header("origin", app.address.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Amina"),
            ("email", "amina@full.ma"),
            ("consent", "true"),
        ])
        .send()
        .await
        .expect("post")
        .text()
        .await
        .expect("html");
    assert!(done.contains("10 minutes après le précédent"), "{done}");
    // Post, redirect, get: the thank-you page can be reloaded without posting again.
    let (_, csrf) = app.page_and_csrf(&path).await;
    let res = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(app.url(&path))
        .header("origin", app.address.clone())
        .form(&[
            ("csrf", csrf.as_str()),
            ("name", "Omar"),
            ("email", "omar@full.ma"),
            ("consent", "true"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/events/{slug}/register?done=1&lang=fr").as_str()
    );
}
