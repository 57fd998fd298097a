//! The public exports of the latest release (SPEC §4.2), each read back by a parser that is not
//! Salon's writer — `ical` for the calendar, `roxmltree` for frab XML, `serde_json` for the
//! c3voc JSON — and the import of a c3voc JSON or frab XML into a fair: the demo fair exported
//! and imported into an empty fair gives the same programme back.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

async fn get_text(app: &TestApp, path: &str, etag: Option<&str>) -> (StatusCode, String, String) {
    let mut req = app.client.get(app.url(path));
    if let Some(tag) = etag {
        req = req.header("if-none-match", tag);
    }
    let res = req.send().await.expect("get");
    let status = res.status();
    let tag = res
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, tag, res.text().await.expect("body"))
}

/// Loads the demo fair (32 sessions in 5 rooms, three languages) into the app's database.
fn demo(app: &TestApp) -> String {
    let mut pooled = app.db.get().expect("conn");
    salon::demo::load(
        &mut pooled.conn(),
        chrono::NaiveDate::from_ymd_opt(2027, 4, 12).expect("date"),
        std::time::Duration::from_secs(600),
    )
    .expect("demo")
    .slug
}

/// A programme as the public JSON shows it, reduced to what an export must carry: per session
/// (start, end, title, room name, kind, language, track name, speaker names).
async fn programme(app: &TestApp, slug: &str) -> BTreeSet<String> {
    let (status, body) = app
        .get(&format!("/api/v1/events/{slug}/schedule"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let name_of = |list: &str, id: &Value| {
        body[list]
            .as_array()
            .expect("list")
            .iter()
            .find(|r| r["id"] == *id)
            .map(|r| {
                let n = &r["name"];
                n.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| n["fr"].as_str().unwrap_or("").to_string())
            })
            .unwrap_or_default()
    };
    body["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| {
            let speakers: Vec<&str> = s["speakers"]
                .as_array()
                .expect("speakers")
                .iter()
                .map(|p| p["name"].as_str().unwrap_or(""))
                .collect();
            format!(
                "{} {} {} | {} | {} {} | {} | {}",
                s["starts_at"],
                s["ends_at"],
                s["title"],
                name_of("rooms", &s["room_id"]),
                s["kind"],
                s["language"],
                name_of("tracks", &s["track_id"]),
                speakers.join(", ")
            )
        })
        .collect()
}

#[tokio::test]
async fn the_three_exports_read_back_with_stable_guids_and_etags() {
    let app = spawn_app().await;
    let slug = demo(&app);
    let (status, schedule) = app
        .get(&format!("/api/v1/events/{slug}/schedule"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let sessions = schedule["sessions"].as_array().expect("sessions").clone();
    assert_eq!(sessions.len(), 32);

    // iCalendar, read by the `ical` crate: one VEVENT per session, UIDs as the feed's.
    let (status, ics_tag, ics) =
        get_text(&app, &format!("/events/{slug}/schedule.ics"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!ics_tag.is_empty());
    assert!(
        ics.contains("\r\n") && !ics.replace("\r\n", "").contains('\n'),
        "CRLF only"
    );
    assert!(
        ics.split("\r\n").all(|l| l.len() <= 75),
        "folded at 75 octets"
    );
    let events = crate::bookings::vevents(&ics);
    assert_eq!(events.len(), 32);
    let uids: BTreeSet<String> = events.iter().map(|e| e.0.clone()).collect();
    let expected: BTreeSet<String> = sessions
        .iter()
        .map(|s| format!("session-{}@127.0.0.1", s["id"]))
        .collect();
    assert_eq!(uids, expected);
    assert!(ics.contains("DTSTAMP:") && ics.contains("DTSTART:2027041"));

    // frab XML, read by roxmltree: the fields the c3voc tools and pretalx read.
    let (status, xml_tag, xml) =
        get_text(&app, &format!("/events/{slug}/schedule.xml"), None).await;
    assert_eq!(status, StatusCode::OK);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "schedule");
    let child = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.text().map(str::to_string))
            .unwrap_or_default()
    };
    assert_eq!(child(root, "version"), "1.0");
    let conf = root
        .children()
        .find(|c| c.has_tag_name("conference"))
        .expect("conference");
    assert_eq!(child(conf, "acronym"), slug);
    assert_eq!(child(conf, "start"), "2027-04-12");
    assert_eq!(child(conf, "end"), "2027-04-13");
    assert_eq!(child(conf, "days"), "2");
    assert_eq!(child(conf, "time_zone_name"), "Africa/Casablanca");
    let xml_events: Vec<roxmltree::Node> = root
        .descendants()
        .filter(|n| n.has_tag_name("event"))
        .collect();
    assert_eq!(xml_events.len(), 32);
    let first = sessions[0].clone();
    let ev = xml_events
        .iter()
        .find(|e| e.attribute("id") == Some(&first["id"].to_string()))
        .expect("the first session");
    assert_eq!(child(*ev, "title"), first["title"].as_str().expect("title"));
    assert_eq!(
        child(*ev, "date"),
        first["starts_at"].as_str().expect("start")
    );
    let local_start = &first["starts_at"].as_str().expect("start")[11..16];
    assert_eq!(child(*ev, "start"), local_start);
    assert!(child(*ev, "duration").len() == 5, "HH:MM");
    let xml_guids: BTreeSet<String> = xml_events
        .iter()
        .map(|e| e.attribute("guid").expect("guid").to_string())
        .collect();
    assert_eq!(xml_guids.len(), 32, "one GUID per session");

    // c3voc JSON: the members SPEC §4.2 lists.
    let (status, json_tag, raw) =
        get_text(&app, &format!("/events/{slug}/schedule.json"), None).await;
    assert_eq!(status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&raw).expect("JSON");
    let s = &doc["schedule"];
    assert_eq!(s["version"], "1.0");
    let c = &s["conference"];
    for (key, want) in [
        ("acronym", json!(slug)),
        ("start", json!("2027-04-12")),
        ("end", json!("2027-04-13")),
        ("daysCount", json!(2)),
        ("time_zone_name", json!("Africa/Casablanca")),
    ] {
        assert_eq!(c[key], want, "{key}");
    }
    assert!(c["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(c["timeslot_duration"].as_str().is_some());
    assert_eq!(c["rooms"].as_array().map(Vec::len), Some(5));
    let mut json_events = Vec::new();
    for day in c["days"].as_array().expect("days") {
        for (room, list) in day["rooms"].as_object().expect("rooms") {
            for e in list.as_array().expect("events") {
                assert_eq!(e["room"], json!(room));
                json_events.push(e.clone());
            }
        }
    }
    assert_eq!(json_events.len(), 32);
    for e in &json_events {
        for key in [
            "guid",
            "id",
            "date",
            "start",
            "duration",
            "room",
            "slug",
            "title",
            "subtitle",
            "track",
            "type",
            "language",
            "abstract",
            "description",
            "persons",
            "links",
        ] {
            assert!(!e[key].is_null(), "{key} missing in {e}");
        }
        let hhmm = |v: &Value| {
            let t = v.as_str().unwrap_or("");
            t.len() == 5 && t.as_bytes()[2] == b':'
        };
        assert!(hhmm(&e["start"]) && hhmm(&e["duration"]), "{e}");
        assert!(
            xml_guids.contains(e["guid"].as_str().expect("guid")),
            "same GUIDs in both"
        );
    }

    // Unchanged release: 304 for the ETag; a new release keeps GUIDs and changes the ETag.
    for (path, tag) in [("ics", &ics_tag), ("xml", &xml_tag), ("json", &json_tag)] {
        let (status, _, body) =
            get_text(&app, &format!("/events/{slug}/schedule.{path}"), Some(tag)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path}");
        assert!(body.is_empty());
    }
    let id = first["id"].as_i64().expect("id");
    let (status, body) = app
        .patch(
            &format!("/api/v1/events/{slug}/sessions/{id}"),
            Some(&app.admin),
            json!({"title": "Ouverture officielle"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/schedule/releases"),
            Some(&app.admin),
            json!({"version": "1.1"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, new_tag, raw) = get_text(
        &app,
        &format!("/events/{slug}/schedule.json"),
        Some(&json_tag),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(new_tag, json_tag);
    let again: Value = serde_json::from_str(&raw).expect("JSON");
    let changed = again["schedule"]["conference"]["days"]
        .as_array()
        .expect("days")
        .iter()
        .flat_map(|d| d["rooms"].as_object().expect("rooms").values())
        .flat_map(|l| l.as_array().expect("list").iter())
        .find(|e| e["id"] == json!(id))
        .expect("the renamed session")
        .clone();
    assert_eq!(changed["title"], "Ouverture officielle");
    let before = json_events
        .iter()
        .find(|e| e["id"] == json!(id))
        .expect("before");
    assert_eq!(
        changed["guid"], before["guid"],
        "GUIDs are stable across releases"
    );
    let (_, _, ics) = get_text(&app, &format!("/events/{slug}/schedule.ics"), None).await;
    let seq = crate::bookings::vevents(&ics)
        .into_iter()
        .find(|e| e.0 == format!("session-{id}@127.0.0.1"))
        .and_then(|e| e.1);
    assert_eq!(
        seq.as_deref(),
        Some("1"),
        "SEQUENCE rises with a release that changed it"
    );
    // The session page's own .ics is the same VEVENT.
    let (status, _, one) = get_text(
        &app,
        &format!("/events/{slug}/sessions/{id}/calendar.ics"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        crate::bookings::vevents(&one),
        vec![(
            format!("session-{id}@127.0.0.1"),
            Some("1".into()),
            Some("CONFIRMED".into())
        )]
    );
}

/// An empty published fair on the demo's days, hours and time zone.
async fn empty_fair(app: &TestApp, slug: &str) {
    let mut body = event_body(slug);
    body["starts_on"] = json!("2027-04-12");
    body["ends_on"] = json!("2027-04-13");
    let (status, b) = app.post("/api/v1/events", Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::CREATED, "{b}");
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/publish"),
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

async fn import(app: &TestApp, slug: &str, content_type: &str, body: &str) -> (StatusCode, Value) {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/events/{slug}/schedule/import")))
        .bearer_auth(&app.admin)
        .header("content-type", content_type)
        .body(body.to_string())
        .send()
        .await
        .expect("import");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_demo_fair_exported_and_imported_gives_the_same_programme() {
    let app = spawn_app().await;
    let slug = demo(&app);
    let original = programme(&app, &slug).await;
    assert_eq!(original.len(), 32);
    assert!(
        original
            .iter()
            .any(|p| p.contains("| Grande Salle | \"keynote\" \"fr\" |")),
        "{original:#?}"
    );
    for (format, content_type) in [("json", "application/json"), ("xml", "application/xml")] {
        let (_, _, file) = get_text(&app, &format!("/events/{slug}/schedule.{format}"), None).await;
        let copy = format!("copy-{format}");
        empty_fair(&app, &copy).await;
        let (status, body) = import(&app, &copy, content_type, &file).await;
        assert_eq!(status, StatusCode::CREATED, "{format}: {body}");
        assert_eq!(body["sessions_created"], 32, "{body}");
        assert_eq!(body["rooms_created"], 5, "{body}");
        let (status, _) = app
            .post(
                &format!("/api/v1/events/{copy}/schedule/releases"),
                Some(&app.admin),
                json!({"version": "1.0"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        let copied = programme(&app, &copy).await;
        let missing: Vec<_> = original.difference(&copied).collect();
        let extra: Vec<_> = copied.difference(&original).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{format}: missing {missing:#?}\nextra {extra:#?}"
        );
        // Importing it again collides with itself: 409 listing every session, nothing written.
        let (status, body) = import(&app, &copy, content_type, &file).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        let clashing: BTreeSet<i64> = body["conflicts"]
            .as_array()
            .expect("conflicts")
            .iter()
            .filter_map(|c| c["with_session_id"].as_i64())
            .collect();
        assert_eq!(clashing.len(), 32, "{body}");
        let (_, list) = app
            .get(
                &format!("/api/v1/events/{copy}/sessions?per_page=200"),
                Some(&app.admin),
            )
            .await;
        assert_eq!(list["total"], 32, "nothing half-imported");
    }
}

#[tokio::test]
async fn a_bad_import_says_what_is_wrong_and_changes_nothing() {
    let app = spawn_app().await;
    empty_fair(&app, "bad-import").await;
    let (status, body) = import(&app, "bad-import", "text/plain", "hello").await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    let (status, _) = import(&app, "bad-import", "application/json", "{\"schedule\":").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = import(&app, "bad-import", "application/xml", "<schedule>").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = import(
        &app,
        "bad-import",
        "application/json",
        &json!({"schedule": {"version": "1", "conference": {"days": [{"index": 1, "date": "2027-04-12", "rooms": {"Salle": [{"id": 1, "title": "Sans date", "duration": "1:00"}]}}]}}}).to_string(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        error_fields(&body).iter().any(|f| f.ends_with(".date")),
        "{body}"
    );
    // A session outside the fair's days: the conflict rules refuse it.
    let outside = json!({"schedule": {"version": "1", "conference": {"acronym": "x", "title": "X", "days": [{"index": 1, "date": "2030-01-01", "rooms": {"Salle": [
        {"id": 1, "guid": "00000000-0000-5000-8000-000000000001", "title": "Trop tard", "date": "2030-01-01T10:00:00+01:00", "start": "10:00", "duration": "01:00", "room": "Salle", "type": "seminar", "language": "fr", "persons": []}
    ]}}]}}});
    let (status, body) = import(&app, "bad-import", "application/json", &outside.to_string()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(conflict_kinds(&body), vec!["outside_event"]);
    let (_, rooms) = app
        .get("/api/v1/events/bad-import/rooms", Some(&app.admin))
        .await;
    assert_eq!(
        rooms["total"], 0,
        "the room of a refused import is not kept"
    );
    // Organizers only.
    let res = app
        .client
        .post(app.url("/api/v1/events/bad-import/schedule/import"))
        .header("content-type", "application/json")
        .body(outside.to_string())
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_public_programme_comes_from_memory_and_follows_each_release() {
    let first = spawn_app().await;
    let second = spawn_sibling(&first).await;
    let slug = demo(&first);
    let list = format!("/api/v1/events/{slug}/sessions?per_page=3&sort=starts_at");
    let (status, tag, body) = get_text(&first, &list, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!tag.is_empty());
    let page: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(page["total"], 32);
    // Revalidation: 304, no body.
    let (status, _, body) = get_text(&first, &list, Some(&tag)).await;
    assert_eq!((status, body.as_str()), (StatusCode::NOT_MODIFIED, ""));
    // The other instance has read it too.
    let (_, _, other) = get_text(&second, &list, None).await;
    assert_eq!(other, get_text(&first, &list, None).await.2);

    // A release through the first instance shows there at once, and on the second within a
    // second (each instance checks the database at most once a second).
    let id = page["items"][0]["id"].as_i64().expect("id");
    let (status, _) = first
        .patch(
            &format!("/api/v1/events/{slug}/sessions/{id}"),
            Some(&first.admin),
            json!({"title": "Ouverture en mémoire"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = first
        .post(
            &format!("/api/v1/events/{slug}/schedule/releases"),
            Some(&first.admin),
            json!({"version": "2.0"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, new_tag, body) = get_text(&first, &list, Some(&tag)).await;
    assert_eq!(status, StatusCode::OK, "the old ETag no longer matches");
    assert_ne!(new_tag, tag);
    assert!(body.contains("Ouverture en mémoire"));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (_, _, other) = get_text(&second, &list, None).await;
    assert!(other.contains("Ouverture en mémoire"), "{other}");
    for path in [
        format!("/api/v1/events/{slug}/schedule"),
        format!("/events/{slug}/schedule.json"),
        format!("/events/{slug}/sessions/{id}?lang=fr"),
    ] {
        let (status, _, body) = get_text(&second, &path, None).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body.contains("Ouverture en mémoire"), "{path}");
    }

    // A renamed fair is renamed on the instance that changed it at once.
    let (status, _) = first
        .patch(
            &format!("/api/v1/events/{slug}"),
            Some(&first.admin),
            json!({"name": "SICCAM renommé"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, json) = get_text(&first, &format!("/events/{slug}/schedule.json"), None).await;
    assert!(json.contains("SICCAM renommé"), "{json}");
}
