//! Meetings between attendees and exhibitors (SPEC §4.4): the settings, free slots, the rules
//! each refusal names, the race for an exhibitor's last table on two instances, expiry
//! freeing the table, and the emails of each step with their calendar parts.

use chrono::DateTime;
use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::bookings::{attendee, book, release, session, vevents};
use crate::exhibitors::{approved, booth};
use crate::helpers::*;

/// The fair's first day's block, 10:00–11:00 local (UTC+1): three 20-minute slots.
const FIRST_SLOT: &str = "2027-05-03T10:00";
const SECOND_SLOT: &str = "2027-05-03T10:20";

/// A published fair with meeting blocks and one approved exhibitor on booth A1; the
/// exhibitor's id and manage token.
async fn fair(app: &TestApp, slug: &str) -> (i64, String) {
    app.open_event(slug, None).await;
    let (status, body) = app
        .put_json(
            &format!("/api/v1/events/{slug}/meetings/settings"),
            json!({"blocks": [{"day": "2027-05-03", "starts": "10:00", "ends": "11:00"}], "request_ttl": "24h", "max_pending": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["slot_minutes"], 20, "the default slot length");
    assert_eq!(body["request_ttl"], "24h");
    booth(app, slug, "A1", json!("Hall A"), 12, 2).await;
    approved(
        app,
        slug,
        &format!("ex-{slug}@example.com"),
        "fr",
        Some("A1"),
    )
    .await
}

async fn request(app: &TestApp, token: &str, exhibitor: i64, at: &str) -> (StatusCode, Value) {
    app.post(
        "/api/v1/me/meetings",
        Some(token),
        json!({"exhibitor_id": exhibitor, "starts_at": at, "message": "Nous cherchons un partenaire pour 40 positions."}),
    )
    .await
}

fn calendar_of(mail: &Mail, method: &str) -> String {
    let (_, _, bytes) = mail
        .attachments
        .iter()
        .find(|(ct, _, _)| ct == &format!("text/calendar; method={method}"))
        .unwrap_or_else(|| panic!("a {method} part in {}", mail.subject));
    String::from_utf8(bytes.clone()).expect("utf-8")
}

#[tokio::test]
async fn a_meeting_from_request_to_cancellation() {
    let app = spawn_app().await;
    let (exhibitor, ex_token) = fair(&app, "meet").await;
    let guest = attendee(&app, "meet", "buyer@example.com", "en").await;

    let (status, slots) = app
        .get(
            &format!("/api/v1/events/meet/meetings/slots?exhibitor_id={exhibitor}"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let starts: Vec<&str> = slots
        .as_array()
        .expect("slots")
        .iter()
        .map(|s| s["starts_at"].as_str().expect("start"))
        .collect();
    assert_eq!(
        starts,
        [
            "2027-05-03T10:00:00+01:00",
            "2027-05-03T10:20:00+01:00",
            "2027-05-03T10:40:00+01:00"
        ]
    );

    // Not a slot, then a request that holds the table.
    let (status, body) = request(&app, &guest, exhibitor, "2027-05-03T10:05").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["detail"]
        .as_str()
        .expect("detail")
        .contains("not the start of a meeting slot"));
    let (status, pending) = request(&app, &guest, exhibitor, FIRST_SLOT).await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    assert_eq!(pending["status"], "pending");
    assert_eq!(pending["exhibitor"]["booth_code"], "A1");
    let id = pending["id"].as_i64().expect("id");
    let (_, slots) = app
        .get(
            &format!("/api/v1/events/meet/meetings/slots?exhibitor_id={exhibitor}"),
            None,
        )
        .await;
    assert_eq!(
        slots.as_array().expect("slots").len(),
        2,
        "the pending request holds its table"
    );
    let (status, body) = request(&app, &guest, exhibitor, SECOND_SLOT).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .contains("already have a request waiting"),
        "{body}"
    );

    // The exhibitor is emailed, in its language, with links to answer.
    let mail = &app
        .delivered("meeting_requested", "ex-meet@example.com", 1)
        .await[0];
    assert!(
        mail.text.contains("Guest buyer@example.com"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("40 positions"));
    assert!(mail
        .link(&format!("{}/exhibitor/", app.settings.base_url()))
        .contains(&format!("/meetings/{id}")));

    // Accepted with a host who is not its staff: refused; then accepted.
    let accept = format!("/api/v1/exhibitor/meetings/{id}/accept");
    let (status, _) = app
        .post(
            &accept,
            Some(&ex_token),
            json!({"host_registration_id": 999}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = app.post(&accept, Some(&ex_token), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "accepted");
    assert_eq!(body["attendee"]["name"], "Guest buyer@example.com");
    let (status, _) = app.post(&accept, Some(&ex_token), json!({})).await;
    assert_eq!(status, StatusCode::CONFLICT, "answered once");
    let mail = &app
        .delivered("meeting_accepted", "buyer@example.com", 1)
        .await[0];
    let ics = calendar_of(mail, "REQUEST");
    let events = vevents(&ics);
    let uid = format!("meeting-{id}@{}", app.settings.message_domain());
    assert_eq!(
        events,
        [(uid.clone(), Some("0".into()), Some("CONFIRMED".into()))]
    );
    assert!(ics.contains("DTSTART:20270503T090000Z"), "{ics}");

    let (_, mine) = app.get("/api/v1/me/meetings", Some(&guest)).await;
    assert_eq!(mine[0]["status"], "accepted");
    assert!(
        mine[0].get("attendee").is_none(),
        "the attendee is not shown themself"
    );
    let (_, theirs) = app.get("/api/v1/exhibitor/meetings", Some(&ex_token)).await;
    assert_eq!(theirs[0]["id"], id);
    // The exhibitor's own calendar, linked from its meetings page (not its manage link).
    let page = app
        .client
        .get(app.url(&format!("/exhibitor/{ex_token}/meetings?lang=en")))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text")
        .replace("&#x2f;", "/");
    let at = page
        .find(&format!("{}/m/", app.settings.base_url()))
        .expect("the feed's address");
    let feed = page[at..].split('"').next().expect("url").to_string();
    assert!(!feed.contains(&ex_token));
    let ics = app
        .client
        .get(&feed)
        .send()
        .await
        .expect("feed")
        .text()
        .await
        .expect("ics");
    assert!(vevents(&ics).iter().any(|v| v.0 == uid), "{ics}");
    let forged = feed.replace("/m/", "/m/9");
    let res = app.client.get(&forged).send().await.expect("forged");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // The exhibitor cancels: the attendee's calendar is told to drop it.
    let (status, body) = app
        .post(
            &format!("/api/v1/exhibitor/meetings/{id}/cancel"),
            Some(&ex_token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["cancelled_by"], "exhibitor");
    let mail = &app
        .delivered("meeting_cancelled", "buyer@example.com", 1)
        .await[0];
    let events = vevents(&calendar_of(mail, "CANCEL"));
    assert_eq!(events, [(uid, Some("1".into()), Some("CANCELLED".into()))]);
    let (status, _) = app
        .delete(&format!("/api/v1/me/meetings/{id}"), Some(&guest))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "nothing left to cancel");

    // Declined: the attendee is told, with a CANCEL part too.
    let (_, again) = request(&app, &guest, exhibitor, SECOND_SLOT).await;
    let second = again["id"].as_i64().expect("id");
    let (status, _) = app
        .post(
            &format!("/api/v1/exhibitor/meetings/{second}/decline"),
            Some(&ex_token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mail = &app
        .delivered("meeting_declined", "buyer@example.com", 1)
        .await[0];
    assert_eq!(vevents(&calendar_of(mail, "CANCEL")).len(), 1);

    // Someone else's token cannot cancel it; a stranger is 401.
    let other = attendee(&app, "meet", "other@example.com", "fr").await;
    let (status, _) = app
        .delete(&format!("/api/v1/me/meetings/{second}"), Some(&other))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = request(&app, "slr_not-a-token", exhibitor, FIRST_SLOT).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_rules_each_name_their_reason() {
    let app = spawn_app().await;
    let f = app.programme_fixture("rules").await;
    let (status, body) = app
        .put_json(
            "/api/v1/events/rules/meetings/settings",
            json!({"blocks": [{"day": "2027-05-03", "starts": "10:00", "ends": "11:00"}], "max_pending": 1}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    booth(&app, "rules", "A1", json!("Hall A"), 12, 2).await;
    booth(&app, "rules", "A2", json!("Hall A"), 12, 2).await;
    let (first, _) = approved(&app, "rules", "one@rules.example", "fr", Some("A1")).await;
    let (second, _) = approved(&app, "rules", "two@rules.example", "en", Some("A2")).await;
    let guest = attendee(&app, "rules", "guest@rules.example", "fr").await;
    // A seat in a session 10:40–11:30: the 10:40 slot overlaps it.
    let talk = session(
        &app,
        &f,
        session_body("Keynote", f.room_a, "10:40", "11:30", &[f.amina]),
    )
    .await;
    release(&app, "rules", "1.0").await;
    let (status, _) = book(&app, &guest, talk).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = request(&app, &guest, first, "2027-05-03T10:40").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .contains(&format!("session {talk}")),
        "{body}"
    );

    let (status, _) = request(&app, &guest, first, FIRST_SLOT).await;
    assert_eq!(status, StatusCode::CREATED);
    for (exhibitor, at, reason) in [
        (
            second,
            FIRST_SLOT,
            "already have a meeting or a request at this time",
        ),
        (second, SECOND_SLOT, "the most this fair allows"),
        (999_999, SECOND_SLOT, "no exhibitor"),
    ] {
        let (status, body) = request(&app, &guest, exhibitor, at).await;
        assert!(
            status == StatusCode::CONFLICT || status == StatusCode::NOT_FOUND,
            "{body}"
        );
        assert!(
            body["detail"].as_str().expect("detail").contains(reason),
            "{reason}: {body}"
        );
    }
    // A slot that has begun, and settings outside the fair's days.
    let late = attendee(&app, "rules", "late@rules.example", "fr").await;
    app.clock.set(Some(
        DateTime::parse_from_rfc3339("2027-05-03T09:21:00Z")
            .expect("time")
            .to_utc(),
    ));
    let (status, body) = request(&app, &late, second, SECOND_SLOT).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["detail"]
            .as_str()
            .expect("detail")
            .contains("has begun"),
        "{body}"
    );
    let (status, body) = app
        .put_json(
            "/api/v1/events/rules/meetings/settings",
            json!({"blocks": [{"day": "2027-06-01", "starts": "10:00", "ends": "09:00"}], "slot_minutes": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&body),
        ["blocks.0.day", "blocks.0.ends", "slot_minutes"]
    );
    let viewer = app.organizer_token(salon::domain::Role::Viewer).await;
    let (status, _) = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/events/rules/meetings/settings",
            Some(&viewer),
            Some(&json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A pending request past its lifetime frees the table: the slot is offered again and another
/// attendee gets it.
#[tokio::test]
async fn an_expired_request_frees_its_table() {
    let app = spawn_app().await;
    let (exhibitor, ex_token) = fair(&app, "lapse").await;
    let first = attendee(&app, "lapse", "first@example.com", "fr").await;
    let second = attendee(&app, "lapse", "second@example.com", "fr").await;
    let (status, _) = request(&app, &first, exhibitor, FIRST_SLOT).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = request(&app, &second, exhibitor, FIRST_SLOT).await;
    assert_eq!(status, StatusCode::CONFLICT, "the table is held");
    app.clock.set(Some(
        chrono::Utc::now() + chrono::TimeDelta::hours(24) + chrono::TimeDelta::minutes(1),
    ));
    let (_, slots) = app
        .get(
            &format!("/api/v1/events/lapse/meetings/slots?exhibitor_id={exhibitor}"),
            None,
        )
        .await;
    assert_eq!(
        slots.as_array().expect("slots").len(),
        3,
        "free again after 24 h"
    );
    let (_, mine) = app.get("/api/v1/me/meetings", Some(&first)).await;
    assert_eq!(mine[0]["status"], "expired");
    let (status, body) = request(&app, &second, exhibitor, FIRST_SLOT).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    // A second table (set by the exhibitor; the organizers' bound is 50): a third attendee
    // gets the same slot.
    let third = attendee(&app, "lapse", "third@example.com", "fr").await;
    let (status, _) = request(&app, &third, exhibitor, FIRST_SLOT).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, body) = app
        .patch(
            &format!("/api/v1/events/lapse/exhibitors/{exhibitor}"),
            Some(&app.admin),
            json!({"meeting_tables": 51}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = app
        .patch(
            "/api/v1/exhibitor",
            Some(&ex_token),
            json!({"meeting_tables": 2}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["meeting_tables"], 2);
    let (status, body) = request(&app, &third, exhibitor, FIRST_SLOT).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// SPEC §8 for meetings: an exhibitor's one table in a slot, 16 attendees requesting it at
/// once through two instances: exactly one request holds it, the others are told why.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_table_many_requests_exactly_one_held() {
    let first = spawn_app().await;
    let second = spawn_sibling(&first).await;
    let (exhibitor, _) = fair(&first, "rush-meet").await;
    let mut tokens = Vec::new();
    for i in 0..16 {
        tokens.push(attendee(&first, "rush-meet", &format!("buyer{i}@example.com"), "fr").await);
    }
    let apps = [&first, &second];
    let results = join_all(
        tokens
            .iter()
            .enumerate()
            .map(|(i, t)| request(apps[i % 2], t, exhibitor, FIRST_SLOT)),
    )
    .await;
    let held: Vec<_> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .collect();
    assert_eq!(held.len(), 1, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_eq!(*status, StatusCode::CONFLICT, "{body}");
        assert!(
            body["detail"]
                .as_str()
                .expect("detail")
                .contains("no table free"),
            "{body}"
        );
    }
    let (_, all) = first
        .get("/api/v1/events/rush-meet/meetings", Some(&first.admin))
        .await;
    assert_eq!(
        all.as_array().expect("meetings").len(),
        1,
        "one row, nothing else written"
    );
}

/// The day-before reminder: two instances run the job at once, each person with meetings that
/// day gets exactly one (the attendee's lists the meeting and their badge code); a second run
/// sends nothing. And the expiry job emails the attendee of a lapsed request, once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reminders_and_expiry_are_sent_once_across_instances() {
    let first = spawn_app().await;
    let second = spawn_sibling(&first).await;
    let (exhibitor, ex_token) = fair(&first, "remind").await;
    let guest = attendee(&first, "remind", "remind@example.com", "fr").await;
    let late = attendee(&first, "remind", "late@example.com", "en").await;
    let (_, m) = request(&first, &guest, exhibitor, FIRST_SLOT).await;
    let id = m["id"].as_i64().expect("id");
    let (status, _) = first
        .post(
            &format!("/api/v1/exhibitor/meetings/{id}/accept"),
            Some(&ex_token),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = request(&first, &late, exhibitor, SECOND_SLOT).await;
    assert_eq!(status, StatusCode::CREATED);

    // 17:30 local (UTC+1) the day before: the reminders are due.
    let now =
        chrono::NaiveDateTime::parse_from_str("2027-05-02 16:30", "%Y-%m-%d %H:%M").expect("now");
    let jobs = [&first, &second].map(|app| {
        let (db, settings) = (app.db.clone(), app.settings.clone());
        tokio::task::spawn_blocking(move || {
            salon::meetings::jobs::send_reminders(&db, &settings, now)
        })
    });
    let sent: usize = join_all(jobs)
        .await
        .into_iter()
        .map(|r| r.expect("join").expect("job"))
        .sum();
    assert_eq!(sent, 2, "the attendee and the exhibitor, once each");
    let mail = &first
        .delivered("meetings_reminder", "remind@example.com", 1)
        .await[0];
    assert!(
        mail.text.contains("10:00–10:20") && mail.text.contains("Company ex-remind@example.com"),
        "{}",
        mail.text
    );
    assert!(
        mail.attachments.iter().any(|(ct, _, _)| ct == "image/png"),
        "the badge QR"
    );
    first
        .delivered("meetings_reminder", "ex-remind@example.com", 1)
        .await;
    let again =
        salon::meetings::jobs::send_reminders(&first.db, &first.settings, now).expect("job");
    assert_eq!(again, 0, "nothing twice");

    // The pending request lapses (24 h, and never past its slot): its attendee is told once.
    let later = now + chrono::TimeDelta::hours(24);
    let expired = [&first, &second].map(|app| {
        let (db, settings) = (app.db.clone(), app.settings.clone());
        tokio::task::spawn_blocking(move || {
            salon::meetings::jobs::expire_due(&db, &settings, later)
        })
    });
    let n: usize = join_all(expired)
        .await
        .into_iter()
        .map(|r| r.expect("join").expect("job"))
        .sum();
    assert_eq!(n, 1);
    let mail = &first
        .delivered("meeting_expired", "late@example.com", 1)
        .await[0];
    assert!(mail
        .attachments
        .iter()
        .any(|(ct, _, _)| ct == "text/calendar; method=CANCEL"));
}

/// An attendee who cancels their registration leaves their meetings: the sweep cancels them
/// and tells the exhibitor; an exhibitor that withdraws likewise, telling the attendee.
#[tokio::test]
async fn departures_cancel_their_meetings() {
    let app = spawn_app().await;
    let (exhibitor, ex_token) = fair(&app, "leave").await;
    let guest = attendee(&app, "leave", "leaving@example.com", "fr").await;
    let stays = attendee(&app, "leave", "stays@example.com", "en").await;
    let (_, m) = request(&app, &guest, exhibitor, FIRST_SLOT).await;
    let (_, other) = request(&app, &stays, exhibitor, SECOND_SLOT).await;
    let accept = format!("/api/v1/exhibitor/meetings/{}/accept", other["id"]);
    assert_eq!(
        app.post(&accept, Some(&ex_token), json!({})).await.0,
        StatusCode::OK
    );
    let now = chrono::Utc::now().naive_utc();
    let sweep =
        || salon::meetings::jobs::cancel_orphans(&app.db, &app.settings, now).expect("sweep");
    assert_eq!(sweep(), 0, "nobody left yet");
    let (status, _) = app.delete("/api/v1/me", Some(&guest)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sweep(), 1);
    let (_, theirs) = app.get("/api/v1/exhibitor/meetings", Some(&ex_token)).await;
    assert_eq!(theirs[0]["id"], m["id"]);
    assert_eq!(theirs[0]["status"], "cancelled");
    assert_eq!(theirs[0]["cancelled_by"], "attendee");
    app.delivered("meeting_cancelled", "ex-leave@example.com", 1)
        .await;
    let (status, _) = app
        .post("/api/v1/exhibitor/withdraw", Some(&ex_token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sweep(), 1);
    let mail = &app
        .delivered("meeting_cancelled", "stays@example.com", 1)
        .await[0];
    assert_eq!(vevents(&calendar_of(mail, "CANCEL")).len(), 1);
    assert_eq!(sweep(), 0, "once");
}

/// The console's meetings page: a day's meetings, one booth's day sheet, the CSV; an editor
/// cancels one (a viewer may not) and sets the blocks, a malformed one said beside its field.
#[tokio::test]
async fn the_console_lists_cancels_and_sets_meetings() {
    use crate::console::{console_cookie, csrf_of, no_redirects};
    let app = spawn_app().await;
    let (exhibitor, _) = fair(&app, "desk").await;
    let guest = attendee(&app, "desk", "desk@example.com", "fr").await;
    let (_, m) = request(&app, &guest, exhibitor, FIRST_SLOT).await;
    let id = m["id"].as_i64().expect("id");
    let editor = app.create_organizer(salon::domain::Role::Editor);
    let cookie = console_cookie(&app, &editor).await;
    let viewer = app.create_organizer(salon::domain::Role::Viewer);
    let viewer_cookie = console_cookie(&app, &viewer).await;
    let client = no_redirects();
    let origin = app.url("").trim_end_matches('/').to_string();
    let get = |path: String, cookie: String| {
        let (client, url) = (client.clone(), app.url(&path));
        async move {
            let res = client
                .get(url)
                .header("cookie", cookie)
                .send()
                .await
                .expect("get");
            (
                res.status(),
                res.text().await.expect("text").replace("&#x2f;", "/"),
            )
        }
    };
    let (status, page) = get(
        "/console/events/desk/meetings?day=2027-05-03&lang=en".to_string(),
        cookie.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(&format!(r#"data-meeting-id="{id}""#))
            && page.contains("Guest desk@example.com"),
        "{page}"
    );
    let (_, sheet) = get(
        format!("/console/events/desk/meetings?day=2027-05-03&exhibitor_id={exhibitor}&lang=en"),
        cookie.clone(),
    )
    .await;
    assert!(
        sheet.contains("Company ex-desk@example.com") && sheet.contains("10:00–10:20"),
        "the booth's day sheet"
    );
    let (_, other_day) = get(
        "/console/events/desk/meetings?day=2027-05-04&lang=en".into(),
        cookie.clone(),
    )
    .await;
    assert!(!other_day.contains(&format!(r#"data-meeting-id="{id}""#)));
    let (status, csv) = get(
        "/console/events/desk/meetings.csv".into(),
        viewer_cookie.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        csv.starts_with("\u{FEFF}id,status,starts_at") && csv.contains("2027-05-03T10:00:00+01:00"),
        "{csv}"
    );

    let settings = "/console/events/desk/meetings/settings";
    let csrf = csrf_of(
        page.split(&format!(r#"action="{settings}"#))
            .nth(1)
            .expect("the settings form"),
    );
    let res = client
        .post(app.url(&format!("{settings}?lang=en")))
        .header("cookie", &cookie)
        .header("origin", &origin)
        .form(&[
            ("csrf", csrf.as_str()),
            ("blocks[2027-05-03]", "10:00-9:00"),
            ("blocks[2027-05-04]", "whenever"),
            ("slot_minutes", "20"),
            ("request_ttl_hours", "48"),
            ("max_pending", "10"),
            ("reminder_hour", "17"),
            ("requests_open", "on"),
        ])
        .send()
        .await
        .expect("settings");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused = res.text().await.expect("page");
    assert!(
        refused.contains(r#"id="blocks[2027-05-04]-error""#),
        "said beside the field"
    );
    let res = client
        .post(app.url(settings))
        .header("cookie", &cookie)
        .header("origin", &origin)
        .form(&[
            ("csrf", csrf.as_str()),
            ("blocks[2027-05-03]", "09:00-10:00"),
            ("blocks[2027-05-04]", "14:00-15:00"),
            ("slot_minutes", "30"),
            ("request_ttl_hours", "24"),
            ("max_pending", "3"),
            ("reminder_hour", "18"),
        ])
        .send()
        .await
        .expect("settings");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, saved) = app
        .get("/api/v1/events/desk/meetings/settings", Some(&app.admin))
        .await;
    assert_eq!(saved["slot_minutes"], 30);
    assert_eq!(saved["requests_open"], false);
    assert_eq!(saved["blocks"].as_array().expect("blocks").len(), 2);

    let cancel = format!("/console/events/desk/meetings/{id}/cancel");
    let csrf = csrf_of(
        page.split(&format!(r#"action="{cancel}"#))
            .nth(1)
            .expect("the cancel form"),
    );
    let res = client
        .post(app.url(&cancel))
        .header("cookie", &viewer_cookie)
        .header("origin", &origin)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("viewer");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = client
        .post(app.url(&cancel))
        .header("cookie", &cookie)
        .header("origin", &origin)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("cancel");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let to_guest = &app
        .delivered("meeting_cancelled", "desk@example.com", 1)
        .await[0];
    assert!(
        to_guest.text.contains("Company ex-desk@example.com"),
        "{}",
        to_guest.text
    );
    // The exhibitor's copy names the attendee, the slot, and links to its own page.
    let to_exhibitor = &app
        .delivered("meeting_cancelled", "ex-desk@example.com", 1)
        .await[0];
    assert!(
        to_exhibitor.text.contains("Guest desk@example.com") && to_exhibitor.text.contains("10:00"),
        "{}",
        to_exhibitor.text
    );
    assert!(to_exhibitor
        .link(&format!("{}/exhibitor/", app.settings.base_url()))
        .ends_with("#meetings"));
}
