//! Schedule releases and their diffs.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

fn ids(diff: &Value, list: &str) -> Vec<i64> {
    diff[list]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["id"].as_i64()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn releases_snapshot_the_working_copy_with_diffs() {
    let app = spawn_app().await;
    let f = app.programme_fixture("releases").await;
    let releases = format!("/api/v1/events/{}/schedule/releases", f.slug);

    let (_, schedule) = app
        .get(&format!("/api/v1/events/{}/schedule", f.slug), None)
        .await;
    assert_eq!(
        schedule["version"],
        Value::Null,
        "empty before the first release"
    );
    assert_eq!(schedule["sessions"], json!([]));

    let keep = app
        .create(
            &f.sessions(),
            session_body("Keep", f.room_a, "09:00", "10:00", &[f.amina]),
        )
        .await;
    let mover = app
        .create(
            &f.sessions(),
            session_body("Move", f.room_a, "10:00", "11:00", &[]),
        )
        .await;
    let edit = app
        .create(
            &f.sessions(),
            session_body("Edit", f.room_b, "10:00", "11:00", &[f.omar]),
        )
        .await;
    let drop = app
        .create(
            &f.sessions(),
            session_body("Drop", f.room_b, "11:00", "12:00", &[]),
        )
        .await;
    let unsched = app
        .create(
            &f.sessions(),
            session_body("Unschedule", f.room_b, "12:00", "13:00", &[]),
        )
        .await;
    app.post(
        &f.sessions(),
        Some(&app.admin),
        json!({"title": "Not scheduled", "kind": "seminar", "language": "en"}),
    )
    .await;

    let (status, first) = app
        .post(
            &releases,
            Some(&app.admin),
            json!({"version": "1.0", "comment": "Premier programme"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(
        first["sessions"], 5,
        "unscheduled sessions are not published"
    );
    assert_eq!(
        ids(&first["diff"], "new"),
        vec![keep, mover, edit, drop, unsched]
    );

    let (status, _) = app
        .post(&releases, Some(&app.admin), json!({"version": "1.0"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "versions are unique");
    let (status, problem) = app
        .post(&releases, Some(&app.admin), json!({"version": " "}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["version"]);

    app.patch(&format!("{}/{mover}", f.sessions()), Some(&app.admin), json!({"room_id": f.room_b, "starts_at": "2027-05-03T14:00:00+01:00", "ends_at": "2027-05-03T15:00:00+01:00"})).await;
    app.patch(
        &format!("{}/{edit}", f.sessions()),
        Some(&app.admin),
        json!({"title": "Edited", "speaker_ids": [f.omar, f.amina]}),
    )
    .await;
    app.delete(&format!("{}/{drop}", f.sessions()), Some(&app.admin))
        .await;
    app.patch(
        &format!("{}/{unsched}", f.sessions()),
        Some(&app.admin),
        json!({"room_id": null, "starts_at": null, "ends_at": null}),
    )
    .await;
    let added = app
        .create(
            &f.sessions(),
            session_body("Added", f.room_a, "16:00", "17:00", &[]),
        )
        .await;

    let (status, second) = app
        .post(&releases, Some(&app.admin), json!({"version": "1.1"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let diff = &second["diff"];
    assert_eq!(ids(diff, "new"), vec![added]);
    assert_eq!(ids(diff, "moved"), vec![mover]);
    assert_eq!(diff["moved"][0]["previous_room_id"], f.room_a);
    assert_eq!(
        diff["moved"][0]["previous_starts_at"],
        "2027-05-03T10:00:00+01:00"
    );
    assert_eq!(ids(diff, "changed"), vec![edit]);
    assert_eq!(ids(diff, "cancelled"), vec![drop, unsched]);
    assert_eq!(diff["cancelled"][0]["title"], "Drop");

    let (_, schedule) = app
        .get(&format!("/api/v1/events/{}/schedule", f.slug), None)
        .await;
    assert_eq!(schedule["version"], "1.1");
    assert_eq!(schedule["timezone"], "Africa/Casablanca");
    let titles: Vec<&str> = schedule["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .filter_map(|s| s["title"].as_str())
        .collect();
    assert_eq!(
        titles,
        vec!["Keep", "Edited", "Move", "Added"],
        "ordered by start"
    );
    assert_eq!(schedule["rooms"].as_array().map(|r| r.len()), Some(2));
    assert_eq!(schedule["tracks"][0]["color"], "#ff7f0e");

    let (status, list) = app.get(&releases, Some(&app.admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["total"], 2);
    assert_eq!(list["items"][0]["version"], "1.0");
    assert_eq!(list["items"][0]["comment"], "Premier programme");

    let (_, unchanged) = app
        .post(&releases, Some(&app.admin), json!({"version": "1.2"}))
        .await;
    for l in ["new", "moved", "changed", "cancelled"] {
        assert_eq!(unchanged["diff"][l], json!([]), "{l}");
    }
}

#[tokio::test]
async fn a_release_with_a_hard_conflict_is_refused() {
    let app = spawn_app().await;
    let f = app.programme_fixture("release-conflict").await;
    let a = app
        .create(
            &f.sessions(),
            session_body("A", f.room_a, "10:00", "11:00", &[]),
        )
        .await;
    let b = app
        .create(
            &f.sessions(),
            session_body("B", f.room_b, "10:00", "11:00", &[]),
        )
        .await;
    // Writes cannot create a conflict; simulate one that slipped in (say, a hand-edited row).
    {
        use diesel::prelude::*;
        use salon::db::schema::sessions;
        let mut pooled = app.db.get().expect("conn");
        salon::run!(&mut pooled.conn(), |c| diesel::update(
            sessions::table.find(b)
        )
        .set(sessions::room_id.eq(Some(f.room_a)))
        .execute(c))
        .expect("update");
    }
    let (status, problem) = app
        .post(
            &format!("/api/v1/events/{}/schedule/releases", f.slug),
            Some(&app.admin),
            json!({"version": "1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert_eq!(conflict_kinds(&problem), vec!["room_overlap"]);
    assert_eq!(problem["conflicts"][0]["session_id"], a);
    assert_eq!(problem["conflicts"][0]["with_session_id"], b);
    let (_, report) = app
        .get(
            &format!("/api/v1/events/{}/schedule/conflicts", f.slug),
            Some(&app.admin),
        )
        .await;
    assert_eq!(
        conflict_kinds(&json!({"conflicts": report["conflicts"]})),
        vec!["room_overlap"]
    );
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{}/schedule/releases", f.slug),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn the_programme_page_shows_the_release_in_the_visitors_language() {
    let app = spawn_app().await;
    let f = app.programme_fixture("page").await;
    let mut body = session_body(
        "الذكاء الاصطناعي وخدمة العملاء",
        f.room_a,
        "10:00",
        "11:00",
        &[f.omar],
    );
    body["language"] = json!("ar");
    app.create(&f.sessions(), body).await;
    app.create(
        &format!("/api/v1/events/{}/schedule/releases", f.slug),
        json!({"version": "1.0"}),
    )
    .await;

    let res = app
        .client
        .get(app.url("/events/page"))
        .header("accept-language", "ar-MA,ar;q=0.9")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["referrer-policy"], "same-origin");
    let html = res.text().await.expect("html");
    assert!(html.contains(r#"<html lang="ar" dir="rtl">"#), "{html}");
    assert!(html.contains("البرنامج"));
    assert!(html.contains("القاعة أ"), "room name in Arabic");
    assert!(html.contains("الذكاء الاصطناعي وخدمة العملاء"));
    assert!(html.contains("عمر بنعلي"));

    let html = app
        .client
        .get(app.url("/events/page?lang=en"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(html.contains(r#"<html lang="en" dir="ltr">"#));
    assert!(html.contains("Programme") && html.contains("Contact centre fair"));
    let html = app
        .client
        .get(app.url("/events/page"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(
        html.contains(r#"lang="fr""#),
        "the event's default language"
    );
    assert!(html.contains("Salle A"));
}

/// The speakers of a moved, changed or cancelled session hear of it once per release, with
/// what was and what is now and the release's comment — unless the organizer says not to.
#[tokio::test]
async fn speakers_of_moved_and_cancelled_sessions_are_told_unless_unticked() {
    let app = spawn_app().await;
    let f = app.programme_fixture("speakers-told").await;
    let moved = app
        .create(
            &f.sessions(),
            session_body("Relation client", f.room_a, "10:00", "11:00", &[f.amina]),
        )
        .await;
    let dropped = app
        .create(
            &f.sessions(),
            session_body("Télévente", f.room_b, "14:00", "15:00", &[f.amina, f.omar]),
        )
        .await;
    let path = format!("/api/v1/events/{}/schedule/releases", f.slug);
    let publish = |version: &str, notify: bool| {
        let body = json!({"version": version, "comment": "Salle A fermée le matin", "notify_speakers": notify});
        app.post(&path, Some(&app.admin), body)
    };
    let (status, body) = publish("1.0", true).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        app.outbox("speaker_schedule_changed").is_empty(),
        "new sessions tell no one"
    );

    let (status, body) = app
        .patch(
            &format!("{}/{moved}", f.sessions()),
            Some(&app.admin),
            json!({"room_id": f.room_b, "starts_at": "2027-05-03T16:00", "ends_at": "2027-05-03T17:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .delete(&format!("{}/{dropped}", f.sessions()), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = publish("1.1", true).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let amina = app
        .delivered("speaker_schedule_changed", "amina@example.ma", 1)
        .await;
    assert_eq!(amina.len(), 1, "one email per speaker per release");
    let text = &amina[0].text;
    assert!(
        text.contains("Relation client") && text.contains("Télévente"),
        "{text}"
    );
    assert!(
        text.contains("10:00") && text.contains("16:00"),
        "was and now: {text}"
    );
    assert!(
        text.contains("Salle A fermée le matin"),
        "the comment: {text}"
    );
    app.delivered("speaker_schedule_changed", "omar@example.ma", 1)
        .await;
    let told = app.outbox("speaker_schedule_changed").len();
    assert_eq!(told, 2);

    let (status, _) = app
        .patch(
            &format!("{}/{moved}", f.sessions()),
            Some(&app.admin),
            json!({"starts_at": "2027-05-03T17:00", "ends_at": "2027-05-03T18:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = publish("1.2", false).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(
        app.outbox("speaker_schedule_changed").len(),
        told,
        "unticked: no speaker is told"
    );
}
