//! Rooms, tracks and speakers.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn rooms_crud_and_deletion_guard() {
    let app = spawn_app().await;
    let f = app.programme_fixture("rooms").await;
    let base = format!("/api/v1/events/{}/rooms", f.slug);

    let (status, room) = app.get(&format!("{base}/{}", f.room_a), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(room["name"]["ar"], "القاعة أ");
    assert_eq!(room["hall"], "Hall 1");
    assert_eq!(room["capacity"], 100);

    let (status, room) = app
        .patch(
            &format!("{base}/{}", f.room_b),
            Some(&app.admin),
            json!({"hall": {"fr": "Hall 2", "ar": "الجناح 2"}, "capacity": 60}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{room}");
    assert_eq!(room["capacity"], 60);
    assert_eq!(room["hall"]["fr"], "Hall 2");
    let (status, room) = app
        .patch(
            &format!("{base}/{}", f.room_b),
            Some(&app.admin),
            json!({"hall": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(room["hall"], serde_json::Value::Null);

    let (status, problem) = app
        .post(
            &base,
            Some(&app.admin),
            json!({"name": "Tiny", "capacity": 0}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["capacity"]);
    let (status, problem) = app
        .post(&base, Some(&app.admin), json!({"name": "", "capacity": 5}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["name"]);

    let (_, list) = app.get(&format!("{base}?q=salle"), None).await;
    assert_eq!(list["total"], 2);
    let (_, list) = app
        .get(
            &format!("{base}?q=%D8%A7%D9%84%D9%82%D8%A7%D8%B9%D8%A9"),
            None,
        )
        .await; // القاعة
    assert_eq!(list["total"], 1);

    let session = app
        .create(
            &f.sessions(),
            session_body("Busy", f.room_a, "10:00", "11:00", &[]),
        )
        .await;
    let (status, body) = app
        .delete(&format!("{base}/{}", f.room_a), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict_kinds(&body), vec!["room_in_use"]);
    assert_eq!(body["conflicts"][0]["session_id"], session);
    let (status, _) = app.get(&format!("{base}/{}", f.room_a), None).await;
    assert_eq!(status, StatusCode::OK, "the room is still there");

    let (status, _) = app
        .delete(&format!("{base}/{}", f.room_b), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&format!("{base}/{}", f.room_b), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A room of another event is not reachable through this one.
    let g = app.programme_fixture("rooms-other").await;
    let (status, _) = app.get(&format!("{base}/{}", g.room_a), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn tracks_crud() {
    let app = spawn_app().await;
    let f = app.programme_fixture("tracks").await;
    let base = format!("/api/v1/events/{}/tracks", f.slug);
    let (_, track) = app.get(&format!("{base}/{}", f.track), None).await;
    assert_eq!(track["color"], "#ff7f0e");
    let (status, problem) = app
        .post(
            &base,
            Some(&app.admin),
            json!({"name": "x", "color": "red"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["color"]);
    let (status, track) = app
        .patch(
            &format!("{base}/{}", f.track),
            Some(&app.admin),
            json!({"name": {"en": "AI", "fr": "IA"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(track["name"]["en"], "AI");

    let mut body = session_body("Tracked", f.room_a, "10:00", "11:00", &[]);
    body["track_id"] = json!(f.track);
    let session = app.create(&f.sessions(), body).await;
    let (status, _) = app
        .delete(&format!("{base}/{}", f.track), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, s) = app
        .get(&format!("{}/{session}", f.sessions()), Some(&app.admin))
        .await;
    assert_eq!(s["track_id"], serde_json::Value::Null);
    let (_, list) = app.get(&base, None).await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn speakers_emails_are_never_public() {
    let app = spawn_app().await;
    let f = app.programme_fixture("speakers").await;
    let base = format!("/api/v1/events/{}/speakers", f.slug);

    let (_, list) = app.get(&base, Some(&app.admin)).await;
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["email"], "amina@example.ma");

    // Before any release the public sees no speaker.
    let (_, list) = app.get(&base, None).await;
    assert_eq!(list["total"], 0);
    let (status, _) = app.get(&format!("{base}/{}", f.amina), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    app.create(
        &f.sessions(),
        session_body("Talk", f.room_a, "10:00", "11:00", &[f.amina]),
    )
    .await;
    app.create(
        &format!("/api/v1/events/{}/schedule/releases", f.slug),
        json!({"version": "1"}),
    )
    .await;
    let (_, list) = app.get(&base, None).await;
    assert_eq!(list["total"], 1);
    let public = &list["items"][0];
    assert_eq!(public["name"], "Amina El Idrissi");
    assert!(public.get("email").is_none(), "{public}");
    let (status, one) = app.get(&format!("{base}/{}", f.amina), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(one.get("email").is_none());
    let text = app
        .client
        .get(app.url(&format!("/api/v1/events/{}/schedule", f.slug)))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(
        !text.contains("amina@example.ma"),
        "the schedule leaks an email"
    );

    let (status, s) = app
        .patch(
            &format!("{base}/{}", f.omar),
            Some(&app.admin),
            json!({"email": null, "bio": "خبير"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["bio"], "خبير");
    assert!(s.get("email").is_none());
    let (status, problem) = app
        .patch(
            &format!("{base}/{}", f.omar),
            Some(&app.admin),
            json!({"email": "not an email"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["email"]);

    // The public search cannot be used to probe an email.
    let (_, probe) = app.get(&format!("{base}?q=amina%40example"), None).await;
    assert_eq!(probe["total"], 0);
    let (_, by_name) = app.get(&format!("{base}?q=idrissi"), None).await;
    assert_eq!(by_name["total"], 1);
    let (_, list) = app
        .get(&format!("{base}?q=IDRISSI"), Some(&app.admin))
        .await;
    assert_eq!(list["total"], 1);
    let (_, list) = app.get(&format!("{base}?q=atlas"), Some(&app.admin)).await;
    assert_eq!(list["total"], 1, "search covers organizations");

    let (status, _) = app
        .delete(&format!("{base}/{}", f.amina), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, sessions) = app.get(&f.sessions(), Some(&app.admin)).await;
    assert_eq!(sessions["items"][0]["speaker_ids"], json!([]));
}
