use reqwest::StatusCode;
use salon::domain::Role;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn create_read_update_publish() {
    let app = spawn_app().await;
    let (status, ev) = app
        .post(
            "/api/v1/events",
            Some(&app.admin),
            event_body("siccam-2027"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{ev}");
    assert_eq!(ev["status"], "draft");
    assert_eq!(ev["name"]["ar"], "معرض مراكز الاتصال");
    assert_eq!(ev["timezone"], "Africa/Casablanca");
    assert_eq!(ev["opens_at"], "09:00");
    assert_eq!(ev["languages"], json!(["fr", "ar", "en"]));
    assert_eq!(ev["description"], "Deux jours");

    let (status, ev) = app
        .patch(
            "/api/v1/events/siccam-2027",
            Some(&app.admin),
            json!({"city": "Oujda", "capacity": null, "name": "SICCAM"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ev}");
    assert_eq!(ev["city"], "Oujda");
    assert_eq!(ev["capacity"], serde_json::Value::Null);
    assert_eq!(ev["name"], "SICCAM");
    assert_eq!(ev["venue"], "OFEC", "untouched fields stay");

    let (status, ev) = app
        .post(
            "/api/v1/events/siccam-2027/publish",
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ev["status"], "published");
    let (status, body) = app
        .post(
            "/api/v1/events/siccam-2027/publish",
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let detail = body["detail"].as_str().unwrap_or("");
    assert!(detail.contains("published to published"), "{detail}");

    let (status, ev) = app.get("/api/v1/events/siccam-2027", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ev["slug"], "siccam-2027");
}

#[tokio::test]
async fn drafts_are_invisible_to_the_public() {
    let app = spawn_app().await;
    app.create_event("draft-fair").await;
    app.create_event("open-fair").await;
    app.post(
        "/api/v1/events/open-fair/publish",
        Some(&app.admin),
        json!({}),
    )
    .await;
    app.create(
        "/api/v1/events/draft-fair/rooms",
        json!({"name": "R", "capacity": 10}),
    )
    .await;

    for path in [
        "/api/v1/events/draft-fair",
        "/api/v1/events/draft-fair/rooms",
        "/api/v1/events/draft-fair/rooms/1",
        "/api/v1/events/draft-fair/tracks",
        "/api/v1/events/draft-fair/speakers",
        "/api/v1/events/draft-fair/sessions",
        "/api/v1/events/draft-fair/schedule",
    ] {
        let (status, _) = app.get(path, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    // The pages answer with a page, never JSON.
    for path in [
        "/events/draft-fair",
        "/events/draft-fair/register",
        "/events/draft-fair/exhibitors",
        "/events/draft-fair/changes",
    ] {
        let res = app.client.get(app.url(path)).send().await.expect("get");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/html"));
    }
    let (_, list) = app.get("/api/v1/events", None).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["slug"], "open-fair");

    let viewer = app.organizer_token(Role::Viewer).await;
    let (_, list) = app.get("/api/v1/events", Some(&viewer)).await;
    assert_eq!(list["total"], 2);
    let (status, _) = app.get("/api/v1/events/draft-fair", Some(&viewer)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn validation_names_each_bad_field_and_writes_nothing() {
    let app = spawn_app().await;
    let mut body = event_body("bad-fair");
    body["timezone"] = json!("Mars/Olympus");
    body["ends_on"] = json!("2027-05-01");
    body["closes_at"] = json!("08:00");
    body["default_language"] = json!("en");
    body["languages"] = json!(["fr", "ar"]);
    body["capacity"] = json!(0);
    body["venue"] = json!("  ");
    let (status, problem) = app.post("/api/v1/events", Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&problem);
    fields.sort();
    assert_eq!(
        fields,
        vec![
            "capacity",
            "closes_at",
            "default_language",
            "ends_on",
            "timezone",
            "venue"
        ]
    );

    for (field, value) in [
        ("slug", json!("Not A Slug")),
        ("contact_email", json!("nope")),
        ("languages", json!(["de"])),
        ("starts_on", json!("3 May")),
        ("opens_at", json!("9h")),
        ("name", json!({"de": "x"})),
        ("capacity", json!("ten")),
    ] {
        let mut body = event_body("bad-fair");
        body[field] = value;
        let (status, problem) = app.post("/api/v1/events", Some(&app.admin), body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {problem}"
        );
        let fields = error_fields(&problem);
        assert!(fields[0].starts_with(field), "{field}: {fields:?}");
    }
    let mut body = event_body("bad-fair");
    body["colour"] = json!("red");
    let (status, problem) = app.post("/api/v1/events", Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["colour"]);
    let mut body = event_body("bad-fair");
    body.as_object_mut().expect("object").remove("city");
    let (_, problem) = app.post("/api/v1/events", Some(&app.admin), body).await;
    assert_eq!(error_fields(&problem), vec!["city"]);

    let (_, list) = app.get("/api/v1/events", Some(&app.admin)).await;
    assert_eq!(list["total"], 0, "nothing was written");

    app.create_event("dup-fair").await;
    let (status, _) = app
        .post("/api/v1/events", Some(&app.admin), event_body("dup-fair"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn event_lists_page_search_and_sort() {
    let app = spawn_app().await;
    for i in 0..5 {
        app.create_event(&format!("fair-{i}")).await;
    }
    let mut body = event_body("marrakech-fair");
    body["name"] = json!({"ar": "معرض مراكش", "fr": "Salon de Marrakech"});
    app.post("/api/v1/events", Some(&app.admin), body).await;

    let (_, page) = app
        .get("/api/v1/events?per_page=2&page=2", Some(&app.admin))
        .await;
    assert_eq!(page["total"], 6);
    assert_eq!(page["page"], 2);
    assert_eq!(page["per_page"], 2);
    assert_eq!(page["items"][0]["slug"], "fair-2");
    let (_, page) = app
        .get(
            "/api/v1/events?sort=-created_at&per_page=1",
            Some(&app.admin),
        )
        .await;
    assert_eq!(page["items"][0]["slug"], "marrakech-fair");
    let (_, page) = app
        .get(
            "/api/v1/events?q=%D9%85%D8%B1%D8%A7%D9%83%D8%B4",
            Some(&app.admin),
        )
        .await; // مراكش
    assert_eq!(page["total"], 1);
    let (_, page) = app
        .get("/api/v1/events?q=MARRAKECH", Some(&app.admin))
        .await;
    assert_eq!(page["total"], 1);
    for bad in [
        "per_page=201",
        "per_page=0",
        "page=0",
        "sort=colour",
        "per_page=x",
    ] {
        let (status, problem) = app
            .get(&format!("/api/v1/events?{bad}"), Some(&app.admin))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        let field = bad.split('=').next().unwrap_or("");
        assert_eq!(error_fields(&problem), vec![field.to_string()], "{bad}");
    }
}

#[tokio::test]
async fn changing_days_or_hours_cannot_strand_sessions() {
    let app = spawn_app().await;
    let f = app.programme_fixture("hours").await;
    let id = app
        .create(
            &f.sessions(),
            session_body("Late talk", f.room_a, "16:00", "17:30", &[]),
        )
        .await;
    let day2 = app
        .create(
            &f.sessions(),
            json!({"title": "Day two", "kind": "panel", "language": "ar", "room_id": f.room_a,
            "starts_at": "2027-05-04T10:00:00+01:00", "ends_at": "2027-05-04T11:00:00+01:00"}),
        )
        .await;

    let (status, body) = app
        .patch(
            &format!("/api/v1/events/{}", f.slug),
            Some(&app.admin),
            json!({"closes_at": "17:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(conflict_kinds(&body), vec!["outside_event"]);
    assert_eq!(body["conflicts"][0]["session_id"], id);

    let (status, body) = app
        .patch(
            &format!("/api/v1/events/{}", f.slug),
            Some(&app.admin),
            json!({"ends_on": "2027-05-03"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["conflicts"][0]["session_id"], day2);

    let (_, ev) = app
        .get(&format!("/api/v1/events/{}", f.slug), Some(&app.admin))
        .await;
    assert_eq!(ev["closes_at"], "18:00", "the refused change wrote nothing");
    assert_eq!(ev["ends_on"], "2027-05-04");

    let (status, _) = app
        .patch(
            &format!("/api/v1/events/{}", f.slug),
            Some(&app.admin),
            json!({"closes_at": "17:30"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_missing_description_is_null() {
    let app = spawn_app().await;
    let mut body = event_body("no-description");
    body.as_object_mut().expect("object").remove("description");
    let (status, ev) = app.post("/api/v1/events", Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::CREATED);
    // Null, never "" (which the Translatable schema refuses), and so the payment instructions.
    assert!(ev["description"].is_null(), "{ev}");
    assert!(ev["payment_instructions"].is_null(), "{ev}");
    let (status, ev) = app
        .patch(
            "/api/v1/events/no-description",
            Some(&app.admin),
            json!({"description": {"fr": "Deux jours"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ev}");
    assert_eq!(ev["description"], json!({"fr": "Deux jours"}));
    // A text sent must say something, as the schema says (schemathesis sent `{}`).
    for blank in [json!({}), json!(""), json!({"fr": " "})] {
        let (status, problem) = app
            .patch(
                "/api/v1/events/no-description",
                Some(&app.admin),
                json!({"description": blank}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{blank}: {problem}"
        );
    }
}

#[tokio::test]
async fn a_draft_can_be_deleted_with_everything_in_it_a_published_fair_cannot() {
    let app = spawn_app().await;
    let slug = app.create_event("typo-2027").await;
    let room = app
        .create(
            &format!("/api/v1/events/{slug}/rooms"),
            json!({"name": "Salle Atlas", "capacity": 50}),
        )
        .await;
    let viewer = app.organizer_token(Role::Viewer).await;
    let (status, _) = app
        .delete(&format!("/api/v1/events/{slug}"), Some(&viewer))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = app
        .delete(&format!("/api/v1/events/{slug}"), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (status, _) = app
        .get(&format!("/api/v1/events/{slug}"), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .get(
            &format!("/api/v1/events/{slug}/rooms/{room}"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // The slug is free again, and the deletion is in the audit log.
    app.create_event("typo-2027").await;

    let published = app.create_event("kept-2027").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{published}/publish"),
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .delete(&format!("/api/v1/events/{published}"), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["detail"].as_str().unwrap_or("").contains("draft"),
        "{body}"
    );
    let (status, _) = app.get(&format!("/api/v1/events/{published}"), None).await;
    assert_eq!(status, StatusCode::OK);
}

/// `ETag` on an organizer's GET of an event or a room, `If-Match` on their PATCH and DELETE:
/// a write based on an older version is 412 and changes nothing.
#[tokio::test]
async fn events_and_rooms_refuse_a_stale_if_match() {
    let app = spawn_app().await;
    let slug = app.create_event("etag-2027").await;
    let room = app
        .create(
            &format!("/api/v1/events/{slug}/rooms"),
            json!({"name": "Salle Atlas", "capacity": 50}),
        )
        .await;
    for path in [
        format!("/api/v1/events/{slug}"),
        format!("/api/v1/events/{slug}/rooms/{room}"),
    ] {
        let url = app.url(&path);
        let res = app
            .client
            .get(&url)
            .bearer_auth(&app.admin)
            .send()
            .await
            .expect("get");
        let tag = res
            .headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .expect("an ETag")
            .to_string();
        let patch = |body: serde_json::Value| {
            app.client
                .patch(&url)
                .bearer_auth(&app.admin)
                .header("if-match", tag.clone())
                .json(&body)
                .send()
        };
        let first = patch(json!({"capacity": 40})).await.expect("patch");
        assert_eq!(first.status(), StatusCode::OK, "{path}");
        let stale = patch(json!({"capacity": 30})).await.expect("patch");
        assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED, "{path}");
        let (_, now) = app.get(&path, Some(&app.admin)).await;
        assert_eq!(
            now["capacity"], 40,
            "{path}: the stale write changed nothing"
        );
    }
    let res = app
        .client
        .delete(app.url(&format!("/api/v1/events/{slug}/rooms/{room}")))
        .bearer_auth(&app.admin)
        .header("if-match", "\"0000\"")
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
}
