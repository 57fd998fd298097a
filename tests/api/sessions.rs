//! Sessions and the conflict rules of SPEC §5.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn create_read_update_delete() {
    let app = spawn_app().await;
    let f = app.programme_fixture("sessions").await;
    let mut body = session_body(
        "L'IA au service du client",
        f.room_a,
        "10:00",
        "11:00",
        &[f.amina, f.omar],
    );
    body["abstract"] = json!("Un tour d'horizon.");
    body["track_id"] = json!(f.track);
    body["capacity"] = json!(80);
    let (status, s) = app.post(&f.sessions(), Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    assert_eq!(
        s["starts_at"], "2027-05-03T10:00:00+01:00",
        "shown in the event's timezone"
    );
    assert_eq!(s["speaker_ids"], json!([f.amina, f.omar]));
    assert_eq!(s["abstract"], "Un tour d'horizon.");
    assert_eq!(s["warnings"], json!([]));
    let id = s["id"].as_i64().expect("id");

    // Stored in UTC.
    {
        use diesel::prelude::*;
        use salon::db::schema::sessions;
        let mut pooled = app.db.get().expect("conn");
        let start: Option<chrono::NaiveDateTime> =
            salon::run!(&mut pooled.conn(), |c| sessions::table
                .find(id)
                .select(sessions::starts_at)
                .first(c))
            .expect("row");
        assert_eq!(
            start.map(|t| t.to_string()),
            Some("2027-05-03 09:00:00".to_string())
        );
    }

    let (status, s) = app
        .patch(
            &format!("{}/{id}", f.sessions()),
            Some(&app.admin),
            json!({"title": "Nouveau titre", "speaker_ids": [f.omar], "abstract": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["title"], "Nouveau titre");
    assert_eq!(s["speaker_ids"], json!([f.omar]));
    assert_eq!(s["abstract"], serde_json::Value::Null);
    assert_eq!(s["room_id"], f.room_a, "untouched");

    // Unscheduling takes all three together.
    let (status, problem) = app
        .patch(
            &format!("{}/{id}", f.sessions()),
            Some(&app.admin),
            json!({"room_id": null}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["room_id"]);
    let (status, s) = app
        .patch(
            &format!("{}/{id}", f.sessions()),
            Some(&app.admin),
            json!({"room_id": null, "starts_at": null, "ends_at": null}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s["starts_at"], serde_json::Value::Null);

    let (_, list) = app
        .get(
            &format!("{}?scheduled=false", f.sessions()),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["total"], 1);
    let (status, _) = app
        .delete(&format!("{}/{id}", f.sessions()), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .get(&format!("{}/{id}", f.sessions()), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unscheduled_sessions_and_bad_references() {
    let app = spawn_app().await;
    let f = app.programme_fixture("refs").await;
    let (status, s) = app
        .post(
            &f.sessions(),
            Some(&app.admin),
            json!({"title": "Pause", "kind": "break", "language": "fr"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    assert_eq!(s["room_id"], serde_json::Value::Null);

    let g = app.programme_fixture("refs-other").await;
    let mut body = session_body(
        "x",
        g.room_a,
        "10:00",
        "11:00",
        &[f.amina, 999_999, f.amina],
    );
    body["track_id"] = json!(g.track);
    let (status, problem) = app.post(&f.sessions(), Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let fields = error_fields(&problem);
    assert_eq!(
        fields,
        vec!["room_id", "track_id", "speaker_ids.1", "speaker_ids.2"]
    );

    let mut body = session_body("x", f.room_a, "10:00", "11:00", &[]);
    body.as_object_mut().expect("obj").remove("ends_at");
    let (status, problem) = app.post(&f.sessions(), Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["ends_at"]);

    let mut body = session_body("x", f.room_a, "10:00", "11:00", &[]);
    body["starts_at"] = json!("2027-05-03 10:00");
    let (status, problem) = app.post(&f.sessions(), Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["starts_at"]);
    let said = problem["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        said.contains("2027-02-22T09:00"),
        "says which format: {said}"
    );

    let (_, list) = app.get(&f.sessions(), Some(&app.admin)).await;
    assert_eq!(list["total"], 1, "only the valid session was written");
}

#[tokio::test]
async fn room_overlap_is_refused_and_touching_is_allowed() {
    let app = spawn_app().await;
    let f = app.programme_fixture("rooms-clash").await;
    let first = app
        .create(
            &f.sessions(),
            session_body("A", f.room_a, "10:00", "11:00", &[]),
        )
        .await;
    let (status, body) = app
        .post(
            &f.sessions(),
            Some(&app.admin),
            session_body("B", f.room_a, "10:30", "11:30", &[]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(conflict_kinds(&body), vec!["room_overlap"]);
    assert_eq!(
        body["detail"], "the session would create a schedule conflict",
        "one conflict, in the singular"
    );
    assert_eq!(body["conflicts"][0]["with_session_id"], first);
    assert_eq!(body["conflicts"][0]["session_id"], serde_json::Value::Null);
    // Touching on both sides, and the same hour in another room.
    app.create(
        &f.sessions(),
        session_body("Before", f.room_a, "09:00", "10:00", &[]),
    )
    .await;
    app.create(
        &f.sessions(),
        session_body("After", f.room_a, "11:00", "12:00", &[]),
    )
    .await;
    app.create(
        &f.sessions(),
        session_body("Elsewhere", f.room_b, "10:00", "11:00", &[]),
    )
    .await;
    // Moving a session onto another one is refused too, and the refused move changes nothing.
    let (status, body) = app
        .patch(&format!("{}/{first}", f.sessions()), Some(&app.admin), json!({"starts_at": "2027-05-03T11:30:00+01:00", "ends_at": "2027-05-03T12:30:00+01:00"}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["conflicts"][0]["session_id"], first);
    let (_, s) = app
        .get(&format!("{}/{first}", f.sessions()), Some(&app.admin))
        .await;
    assert_eq!(s["starts_at"], "2027-05-03T10:00:00+01:00");
    // A session does not conflict with itself.
    let (status, _) = app
        .patch(
            &format!("{}/{first}", f.sessions()),
            Some(&app.admin),
            json!({"title": "A2"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn speaker_overlap_across_rooms() {
    let app = spawn_app().await;
    let f = app.programme_fixture("speaker-clash").await;
    let first = app
        .create(
            &f.sessions(),
            session_body("A", f.room_a, "10:00", "11:00", &[f.amina]),
        )
        .await;
    let (status, body) = app
        .post(
            &f.sessions(),
            Some(&app.admin),
            session_body("B", f.room_b, "10:59", "12:00", &[f.omar, f.amina]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict_kinds(&body), vec!["speaker_overlap"]);
    assert_eq!(body["conflicts"][0]["speaker_id"], f.amina);
    assert_eq!(body["conflicts"][0]["with_session_id"], first);
    let (status, _) = app
        .post(
            &f.sessions(),
            Some(&app.admin),
            session_body("C", f.room_b, "10:00", "11:00", &[f.omar]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn outside_the_event_and_ends_before_start() {
    let app = spawn_app().await;
    let f = app.programme_fixture("outside").await;
    for (from, to, date) in [
        ("08:30", "09:30", "2027-05-03"),
        ("17:30", "18:30", "2027-05-03"),
        ("10:00", "11:00", "2027-05-05"),
        ("10:00", "11:00", "2027-05-02"),
    ] {
        let body = json!({"title": "x", "kind": "seminar", "language": "en", "room_id": f.room_a,
            "starts_at": format!("{date}T{from}:00+01:00"), "ends_at": format!("{date}T{to}:00+01:00")});
        let (status, problem) = app.post(&f.sessions(), Some(&app.admin), body).await;
        assert_eq!(status, StatusCode::CONFLICT, "{date} {from}");
        assert_eq!(
            conflict_kinds(&problem),
            vec!["outside_event"],
            "{date} {from}"
        );
    }
    // The edges of the day are inside, and times with another offset mean the same instant.
    app.create(
        &f.sessions(),
        session_body("Opening", f.room_a, "09:00", "09:30", &[]),
    )
    .await;
    let body = json!({"title": "Closing", "kind": "keynote", "language": "en", "room_id": f.room_a,
        "starts_at": "2027-05-03T16:30:00Z", "ends_at": "2027-05-03T17:00:00Z"});
    let (status, s) = app.post(&f.sessions(), Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    assert_eq!(s["ends_at"], "2027-05-03T18:00:00+01:00");

    let (status, problem) = app
        .post(
            &f.sessions(),
            Some(&app.admin),
            session_body("Backwards", f.room_a, "12:00", "11:00", &[]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict_kinds(&problem), vec!["ends_before_start"]);
    let (status, problem) = app
        .post(
            &f.sessions(),
            Some(&app.admin),
            session_body("Empty", f.room_a, "12:00", "12:00", &[]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(conflict_kinds(&problem), vec!["ends_before_start"]);
}

#[tokio::test]
async fn several_conflicts_are_listed_together() {
    let app = spawn_app().await;
    let f = app.programme_fixture("many").await;
    app.create(
        &f.sessions(),
        session_body("A", f.room_a, "10:00", "11:00", &[f.amina]),
    )
    .await;
    app.create(
        &f.sessions(),
        session_body("B", f.room_b, "10:00", "11:00", &[f.omar]),
    )
    .await;
    let (status, body) = app
        .post(
            &f.sessions(),
            Some(&app.admin),
            session_body("C", f.room_a, "10:30", "18:30", &[f.amina, f.omar]),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    let mut kinds = conflict_kinds(&body);
    kinds.sort();
    assert_eq!(
        kinds,
        vec![
            "outside_event",
            "room_overlap",
            "speaker_overlap",
            "speaker_overlap"
        ]
    );
}

#[tokio::test]
async fn warnings_do_not_block() {
    let app = spawn_app().await;
    let f = app.programme_fixture("warnings").await;
    let mut body = session_body("Big", f.room_b, "10:00", "11:00", &[f.amina]);
    body["capacity"] = json!(70);
    let (status, s) = app.post(&f.sessions(), Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        conflict_kinds(&json!({"conflicts": s["warnings"]})),
        vec!["over_room_capacity"]
    );
    let big = s["id"].as_i64().expect("id");

    // Amina changes rooms with 5 minutes between: a warning (buffer 10 minutes).
    let (status, s) = app
        .post(
            &f.sessions(),
            Some(&app.admin),
            session_body("Next", f.room_a, "11:05", "12:00", &[f.amina]),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        conflict_kinds(&json!({"conflicts": s["warnings"]})),
        vec!["speaker_tight_change"]
    );
    assert_eq!(s["warnings"][0]["with_session_id"], big);
    // Staying in the same room is fine; so is a 10-minute change.
    let (_, s) = app
        .post(
            &f.sessions(),
            Some(&app.admin),
            session_body("Same room", f.room_a, "12:00", "12:30", &[f.amina]),
        )
        .await;
    assert_eq!(s["warnings"], json!([]));
    let (_, s) = app
        .post(
            &f.sessions(),
            Some(&app.admin),
            session_body("Far", f.room_b, "12:40", "13:00", &[f.amina]),
        )
        .await;
    assert_eq!(s["warnings"], json!([]));

    let (status, report) = app
        .get(
            &format!("/api/v1/events/{}/schedule/conflicts", f.slug),
            Some(&app.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["conflicts"], json!([]));
    let mut kinds = conflict_kinds(&json!({"conflicts": report["warnings"]}));
    kinds.sort();
    assert_eq!(kinds, vec!["over_room_capacity", "speaker_tight_change"]);
}

#[tokio::test]
async fn the_public_reads_the_release_not_the_working_copy() {
    let app = spawn_app().await;
    let f = app.programme_fixture("public-sessions").await;
    let id = app
        .create(
            &f.sessions(),
            session_body("Working", f.room_a, "10:00", "11:00", &[f.amina]),
        )
        .await;
    let (_, list) = app.get(&f.sessions(), None).await;
    assert_eq!(list["total"], 0);
    let (status, _) = app.get(&format!("{}/{id}", f.sessions()), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    app.create(
        &format!("/api/v1/events/{}/schedule/releases", f.slug),
        json!({"version": "1.0"}),
    )
    .await;
    app.patch(
        &format!("{}/{id}", f.sessions()),
        Some(&app.admin),
        json!({"title": "Edited after release"}),
    )
    .await;
    let (_, list) = app.get(&f.sessions(), None).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["title"], "Working");
    assert_eq!(list["items"][0]["speakers"][0]["name"], "Amina El Idrissi");
    assert_eq!(list["items"][0]["capacity"], 100, "the room's capacity");
    let (_, one) = app.get(&format!("{}/{id}", f.sessions()), None).await;
    assert_eq!(one["title"], "Working");
    let (_, mine) = app
        .get(&format!("{}/{id}", f.sessions()), Some(&app.admin))
        .await;
    assert_eq!(mine["title"], "Edited after release");
    let (_, found) = app.get(&format!("{}?q=working", f.sessions()), None).await;
    assert_eq!(found["total"], 1);
    let (_, found) = app.get(&format!("{}?q=edited", f.sessions()), None).await;
    assert_eq!(found["total"], 0);
}

/// A time without an offset is the fair's local time: on 22 February 2027 (Ramadan) Morocco
/// keeps UTC+0, on 3 May UTC+1; 09:00 local is inside the fair's hours either way.
#[tokio::test]
async fn local_times_are_read_in_the_fairs_time_zone_across_its_clock_changes() {
    let app = spawn_app().await;
    let f = app.programme_fixture("ramadan").await;
    let (status, body) = app
        .patch(
            "/api/v1/events/ramadan",
            Some(&app.admin),
            json!({"starts_on": "2027-02-22", "ends_on": "2027-02-23"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut body = session_body("Ramadan", f.room_a, "09:00", "10:00", &[]);
    body["starts_at"] = json!("2027-02-22T09:00");
    body["ends_at"] = json!("2027-02-22T10:00");
    let (status, s) = app.post(&f.sessions(), Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    assert_eq!(s["starts_at"], "2027-02-22T09:00:00Z");
    let may = app.programme_fixture("may").await;
    let mut body = session_body("Mai", may.room_a, "09:00", "10:00", &[]);
    body["starts_at"] = json!("2027-05-03T17:00");
    body["ends_at"] = json!("2027-05-03T18:00");
    let (status, s) = app.post(&may.sessions(), Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    assert_eq!(
        s["starts_at"], "2027-05-03T17:00:00+01:00",
        "17:00 local stays 17:00"
    );
}

/// `ETag` on a session's GET, `If-Match` on its PATCH and DELETE: a stale write is 412 and
/// changes nothing; a write without `If-Match` works as before.
#[tokio::test]
async fn a_stale_if_match_is_refused() {
    let app = spawn_app().await;
    let f = app.programme_fixture("etags").await;
    let body = session_body("Versioned", f.room_a, "10:00", "11:00", &[]);
    let id = app.create(&f.sessions(), body).await;
    let url = app.url(&format!("{}/{id}", f.sessions()));
    let etag = |res: &reqwest::Response| {
        res.headers()
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .expect("an ETag")
    };
    let res = app
        .client
        .get(&url)
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("get");
    let first = etag(&res);
    let patch = |tag: &str, title: &str| {
        app.client
            .patch(&url)
            .bearer_auth(&app.admin)
            .header("if-match", tag.to_string())
            .json(&json!({ "title": title }))
            .send()
    };
    let res = patch(&first, "Renamed").await.expect("patch");
    assert_eq!(res.status(), StatusCode::OK);
    let res = patch(&first, "Lost update").await.expect("patch");
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let res = app
        .client
        .delete(&url)
        .bearer_auth(&app.admin)
        .header("if-match", first.clone())
        .send()
        .await
        .expect("delete");
    assert_eq!(res.status(), StatusCode::PRECONDITION_FAILED);
    let (_, s) = app
        .get(&format!("{}/{id}", f.sessions()), Some(&app.admin))
        .await;
    assert_eq!(s["title"], "Renamed", "the stale writes changed nothing");
    let (status, _) = app
        .patch(
            &format!("{}/{id}", f.sessions()),
            Some(&app.admin),
            json!({"title": "Free"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "no If-Match: any version");
}
