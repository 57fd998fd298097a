//! Seats in sessions (SPEC §4.2): booking, the waiting list, overlaps, the agenda feed, the
//! organizers' counts and CSV, exactness under concurrency, and the `schedule_changed` emails
//! a release sends to the attendees whose booked sessions it moved, changed or cancelled.

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::*;

/// A confirmed attendee created by an organizer; returns their manage token (from the
/// `registration_confirmed` email, as the attendee gets it).
pub(crate) async fn attendee(app: &TestApp, slug: &str, email: &str, lang: &str) -> String {
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
            json!({"name": format!("Guest {email}"), "email": email, "language": lang, "category": "professional"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mail = app.delivered("registration_confirmed", email, 1).await;
    mail[0].token(&format!("{}/r/", app.settings.base_url()))
}

/// Creates a session (201) and returns its id.
pub(crate) async fn session(app: &TestApp, f: &Fixture, body: Value) -> i64 {
    app.create(&f.sessions(), body).await
}

pub(crate) async fn release(app: &TestApp, slug: &str, version: &str) -> Value {
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{slug}/schedule/releases"),
            Some(&app.admin),
            json!({"version": version}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

pub(crate) async fn book(app: &TestApp, token: &str, session_id: i64) -> (StatusCode, Value) {
    app.post(
        "/api/v1/me/bookings",
        Some(token),
        json!({"session_id": session_id}),
    )
    .await
}

/// A VEVENT's UID, SEQUENCE and STATUS.
type Vevent = (String, Option<String>, Option<String>);

/// The VEVENTs of a calendar, parsed by the `ical` crate.
pub fn vevents(ics: &str) -> Vec<Vevent> {
    let reader = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let mut out = Vec::new();
    for cal in reader {
        let cal = cal.expect("a valid calendar");
        for ev in cal.events {
            let prop = |name: &str| {
                ev.properties
                    .iter()
                    .find(|p| p.name == name)
                    .and_then(|p| p.value.clone())
            };
            out.push((prop("UID").expect("UID"), prop("SEQUENCE"), prop("STATUS")));
        }
    }
    out
}

async fn text(app: &TestApp, url: &str) -> (StatusCode, String, String) {
    let res = app.client.get(url).send().await.expect("get");
    let status = res.status();
    let ct = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ct, res.text().await.expect("body"))
}

#[tokio::test]
async fn booking_waitlist_overlap_leave_and_the_agenda_feed() {
    let app = spawn_app().await;
    let f = app.programme_fixture("seats").await;
    let mut small = session_body("Petit atelier", f.room_b, "10:00", "11:00", &[]);
    small["capacity"] = json!(1);
    let s1 = session(&app, &f, small).await;
    let s2 = session(
        &app,
        &f,
        session_body("Chevauche", f.room_a, "10:30", "11:30", &[]),
    )
    .await;
    let s3 = session(
        &app,
        &f,
        session_body("Juste après", f.room_b, "11:00", "12:00", &[]),
    )
    .await;
    // Before any release there is nothing to book.
    let ali = attendee(&app, &f.slug, "ali@example.ma", "fr").await;
    let (status, body) = book(&app, &ali, s1).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    release(&app, &f.slug, "1.0").await;
    let sara = attendee(&app, &f.slug, "sara@example.ma", "ar").await;

    let (status, body) = book(&app, &ali, s1).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["status"], "booked");
    assert_eq!(body["title"], "Petit atelier");
    let (status, body) = book(&app, &sara, s1).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["status"], "waitlisted");
    // Booking what one holds changes nothing.
    let (status, body) = book(&app, &ali, s1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "booked");
    // Overlap with a held session: 409 naming it; touching is fine.
    let (status, body) = book(&app, &ali, s2).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("Petit atelier"),
        "{body}"
    );
    let (status, _) = book(&app, &ali, s3).await;
    assert_eq!(status, StatusCode::CREATED);
    // Unknown session, bad bodies, no token.
    let (status, _) = book(&app, &ali, 999_999).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = app
        .post("/api/v1/me/bookings", Some(&ali), json!({"session": s1}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        error_fields(&body).contains(&"session_id".to_string()),
        "{body}"
    );
    let (status, _) = app
        .post("/api/v1/me/bookings", None, json!({"session_id": s1}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // GET /me lists the bookings with titles, rooms and times, and the feed.
    let (status, me) = app.get("/api/v1/me", Some(&ali)).await;
    assert_eq!(status, StatusCode::OK);
    let held: Vec<(i64, &str)> = me["bookings"]
        .as_array()
        .expect("bookings")
        .iter()
        .map(|b| {
            (
                b["session_id"].as_i64().expect("id"),
                b["status"].as_str().expect("status"),
            )
        })
        .collect();
    assert_eq!(held, vec![(s1, "booked"), (s3, "booked")]);
    assert_eq!(me["bookings"][0]["room"], "Salle B");
    assert_eq!(me["bookings"][0]["starts_at"], "2027-05-03T10:00:00+01:00");
    let feed = me["agenda_url"].as_str().expect("agenda_url").to_string();
    assert!(feed.contains("/a/slf_"), "{feed}");

    // The feed holds exactly the booked sessions, with the exports' UIDs.
    let (status, ct, ics) = text(&app, &feed).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ct.starts_with("text/calendar"), "{ct}");
    let mut uids: Vec<String> = vevents(&ics).into_iter().map(|(u, _, _)| u).collect();
    uids.sort();
    assert_eq!(
        uids,
        vec![
            format!("session-{s1}@127.0.0.1"),
            format!("session-{s3}@127.0.0.1")
        ]
    );
    // Sara is waitlisted: her feed has nothing yet.
    let (_, sara_me) = app.get("/api/v1/me", Some(&sara)).await;
    let sara_feed = sara_me["agenda_url"].as_str().expect("feed").to_string();
    assert!(vevents(&text(&app, &sara_feed).await.2).is_empty());

    // Organizers see the counts and who holds the seats.
    let (status, summary) = app
        .get(
            &format!("/api/v1/events/{}/bookings/summary", f.slug),
            Some(&app.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let row = summary
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["session_id"] == s1)
        .expect("s1")
        .clone();
    assert_eq!(
        (
            row["capacity"].clone(),
            row["booked"].clone(),
            row["waitlisted"].clone()
        ),
        (json!(1), json!(1), json!(1))
    );
    let res = app
        .client
        .get(app.url(&format!(
            "/api/v1/events/{}/sessions/{s1}/bookings.csv",
            f.slug
        )))
        .bearer_auth(&app.admin)
        .send()
        .await
        .expect("csv");
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.expect("csv");
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a byte-order mark, so that Excel reads UTF-8"
    );
    let csv = String::from_utf8(bytes.to_vec()).expect("utf-8");
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    // Times as the fair's clock shows them (Africa/Casablanca), with their offset.
    let offset = chrono::Utc::now()
        .with_timezone(&chrono_tz::Africa::Casablanca)
        .format("%:z\"")
        .to_string();
    assert!(lines[1].ends_with(&offset), "{} in {csv}", offset);
    assert!(
        lines[1].starts_with("\"booked\",\"\",\"Guest ali@example.ma\""),
        "{csv}"
    );
    assert!(
        lines[2].starts_with("\"waitlisted\",\"1\",\"Guest sara@example.ma\""),
        "{csv}"
    );

    // Leaving frees the seat for the first waitlisted attendee.
    let (status, _) = app
        .delete(&format!("/api/v1/me/bookings/{s1}"), Some(&ali))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .delete(&format!("/api/v1/me/bookings/{s1}"), Some(&ali))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, sara_me) = app.get("/api/v1/me", Some(&sara)).await;
    assert_eq!(sara_me["bookings"][0]["status"], "booked");
    let uids: Vec<String> = vevents(&text(&app, &sara_feed).await.2)
        .into_iter()
        .map(|(u, _, _)| u)
        .collect();
    assert_eq!(uids, vec![format!("session-{s1}@127.0.0.1")]);

    // Cancelling the registration frees every seat and closes the feed.
    let (status, _) = app.delete("/api/v1/me", Some(&sara)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(text(&app, &sara_feed).await.0, StatusCode::NOT_FOUND);
    let (status, body) = book(&app, &sara, s3).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    let (_, summary) = app
        .get(
            &format!("/api/v1/events/{}/bookings/summary", f.slug),
            Some(&app.admin),
        )
        .await;
    let row = summary
        .as_array()
        .expect("list")
        .iter()
        .find(|r| r["session_id"] == s1)
        .expect("s1")
        .clone();
    assert_eq!(
        (row["booked"].clone(), row["waitlisted"].clone()),
        (json!(0), json!(0))
    );
    // A forged feed token is a 404 like any unknown one.
    let forged = format!("{}/a/slf_{}.ics", app.settings.base_url(), "A".repeat(43));
    assert_eq!(text(&app, &forged).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_five_concurrent_bookings_on_two_instances_fill_five_seats() {
    let first = spawn_app().await;
    let second = spawn_sibling(&first).await;
    let f = first.programme_fixture("seat-race").await;
    let mut body = session_body("Très demandé", f.room_a, "10:00", "11:00", &[]);
    body["capacity"] = json!(5);
    let s = session(&first, &f, body).await;
    release(&first, &f.slug, "1.0").await;
    let mut tokens = Vec::new();
    for i in 0..25 {
        tokens.push(attendee(&first, &f.slug, &format!("race{i}@example.ma"), "fr").await);
    }
    let apps = [&first, &second];
    let results = join_all(tokens.iter().enumerate().map(|(i, t)| {
        let app = apps[i % 2];
        async move { book(app, t, s).await }
    }))
    .await;
    let booked = results
        .iter()
        .filter(|(st, _)| *st == StatusCode::CREATED)
        .count();
    let waitlisted = results
        .iter()
        .filter(|(st, _)| *st == StatusCode::ACCEPTED)
        .count();
    assert_eq!((booked, waitlisted), (5, 20), "{results:?}");
    let (_, summary) = first
        .get(
            &format!("/api/v1/events/{}/bookings/summary", f.slug),
            Some(&first.admin),
        )
        .await;
    assert_eq!(summary[0]["booked"], 5);
    assert_eq!(summary[0]["waitlisted"], 20);
}

/// The calendar parts of a mail: (method parameter of the part's type, its VEVENTs).
fn calendar_parts(mail: &Mail) -> Vec<(String, Vec<Vevent>)> {
    mail.attachments
        .iter()
        .filter(|(ct, _, _)| ct.starts_with("text/calendar"))
        .map(|(ct, _, bytes)| {
            let ics = String::from_utf8(bytes.clone()).expect("utf-8");
            let method = ics
                .lines()
                .find_map(|l| l.strip_prefix("METHOD:"))
                .expect("METHOD")
                .to_string();
            assert!(
                ct.to_lowercase()
                    .contains(&format!("method={}", method.to_lowercase())),
                "{ct} vs METHOD:{method}"
            );
            (method, vevents(&ics))
        })
        .collect()
}

#[tokio::test]
async fn a_release_emails_each_affected_attendee_once_with_itip_parts() {
    let app = spawn_app().await;
    let f = app.programme_fixture("changes").await;
    let moved = session(
        &app,
        &f,
        session_body("Relation client", f.room_a, "10:00", "11:00", &[]),
    )
    .await;
    let dropped = session(
        &app,
        &f,
        session_body("Télévente", f.room_b, "11:00", "12:00", &[]),
    )
    .await;
    let quiet = session(
        &app,
        &f,
        session_body("Inchangée", f.room_b, "14:00", "15:00", &[]),
    )
    .await;
    release(&app, &f.slug, "1.0").await;
    let both = attendee(&app, &f.slug, "both@example.ma", "fr").await;
    let one = attendee(&app, &f.slug, "one@example.ma", "ar").await;
    let calm = attendee(&app, &f.slug, "calm@example.ma", "en").await;
    for (token, s) in [
        (&both, moved),
        (&both, dropped),
        (&one, moved),
        (&calm, quiet),
    ] {
        let (status, body) = book(&app, token, s).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (_, me) = app.get("/api/v1/me", Some(&both)).await;
    let feed = me["agenda_url"].as_str().expect("feed").to_string();
    let before = vevents(&text(&app, &feed).await.2);
    assert!(
        before.iter().all(|(_, seq, _)| seq.as_deref() == Some("0")),
        "{before:?}"
    );

    // Move one booked session, delete another, release.
    let (status, body) = app
        .patch(
            &format!("{}/{moved}", f.sessions()),
            Some(&app.admin),
            json!({"starts_at": "2027-05-03T16:00:00+01:00", "ends_at": "2027-05-03T17:00:00+01:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = app
        .delete(&format!("{}/{dropped}", f.sessions()), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    release(&app, &f.slug, "1.1").await;

    // Nothing is lost between the release's commit and the job: its notices are rows already,
    // and a job started afresh (as after a crash) writes the emails from them.
    let fresh = salon::db::Db::connect(
        app.settings.database.url.expose(),
        2,
        std::time::Duration::from_secs(5),
    )
    .expect("db");
    let written = salon::registrations::notices::write_due(&fresh, &app.settings).expect("job");
    assert_eq!(written, 2, "one email per affected attendee");
    assert_eq!(
        salon::registrations::notices::write_due(&fresh, &app.settings).expect("job"),
        0,
        "never twice"
    );

    let mails = app
        .delivered("schedule_changed", "both@example.ma", 1)
        .await;
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(
        mail.text.contains("Relation client") && mail.text.contains("Télévente"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("16:00"), "{}", mail.text);
    assert!(
        mail.text.contains("Avant\u{a0}:") && mail.text.contains("Désormais\u{a0}:"),
        "what was and what is now: {}",
        mail.text
    );
    let parts = calendar_parts(mail);
    let request = parts
        .iter()
        .find(|(m, _)| m == "REQUEST")
        .expect("REQUEST part");
    assert_eq!(
        request.1,
        vec![(
            format!("session-{moved}@127.0.0.1"),
            Some("1".into()),
            Some("CONFIRMED".into())
        )]
    );
    let cancel = parts
        .iter()
        .find(|(m, _)| m == "CANCEL")
        .expect("CANCEL part");
    assert_eq!(cancel.1.len(), 1);
    assert_eq!(cancel.1[0].0, format!("session-{dropped}@127.0.0.1"));
    assert_eq!(cancel.1[0].2.as_deref(), Some("CANCELLED"));
    // The feed now carries the new SEQUENCE; the cancelled booking is gone.
    let after = vevents(&text(&app, &feed).await.2);
    assert_eq!(
        after,
        vec![(
            format!("session-{moved}@127.0.0.1"),
            Some("1".into()),
            Some("CONFIRMED".into())
        )]
    );
    let (_, me) = app.get("/api/v1/me", Some(&both)).await;
    assert_eq!(me["bookings"].as_array().map(Vec::len), Some(1));

    let ar = app.delivered("schedule_changed", "one@example.ma", 1).await;
    assert_eq!(ar.len(), 1);
    assert!(ar[0].html.contains("dir=\"rtl\""));
    let parts = calendar_parts(&ar[0]);
    assert_eq!(
        parts.len(),
        1,
        "only a REQUEST: nothing of theirs was cancelled"
    );
    assert!(app
        .outbox("schedule_changed")
        .iter()
        .all(|(to, _, _)| to.as_deref() != Some("calm@example.ma")));

    // A release that changes no booked session emails no one.
    let count = app.outbox("schedule_changed").len();
    session(
        &app,
        &f,
        session_body("Nouvelle", f.room_a, "09:00", "09:30", &[]),
    )
    .await;
    release(&app, &f.slug, "1.2").await;
    app.drain_mail();
    assert_eq!(app.outbox("schedule_changed").len(), count);
    // Nor does one that only gives a booked session more seats (nothing an attendee sees).
    let (status, body) = app
        .patch(
            &format!("{}/{quiet}", f.sessions()),
            Some(&app.admin),
            json!({"capacity": 40}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let diff = release(&app, &f.slug, "1.3").await;
    assert_eq!(diff["diff"]["changed"][0]["id"], quiet);
    app.drain_mail();
    assert_eq!(app.outbox("schedule_changed").len(), count);
    // A new title is news: the holder hears of it.
    let (status, _) = app
        .patch(
            &format!("{}/{quiet}", f.sessions()),
            Some(&app.admin),
            json!({"title": "Plus du tout inchangée"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    release(&app, &f.slug, "1.4").await;
    let mails = app
        .delivered("schedule_changed", "calm@example.ma", 1)
        .await;
    assert!(
        mails[0].text.contains("Plus du tout inchangée"),
        "{}",
        mails[0].text
    );
}

#[tokio::test]
async fn the_pages_book_and_leave_for_an_attendee_who_came_through_their_link() {
    let app = spawn_app().await;
    let f = app.programme_fixture("seat-pages").await;
    let s = session(
        &app,
        &f,
        session_body("Atelier vocal", f.room_a, "10:00", "11:00", &[]),
    )
    .await;
    release(&app, &f.slug, "1.0").await;
    let token = attendee(&app, &f.slug, "pages@example.ma", "fr").await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let session_page = app.url(&format!("/events/{}/sessions/{s}?lang=fr", f.slug));

    // A stranger sees no seat form.
    let html = browser
        .get(&session_page)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(
        !html.contains("/bookings"),
        "no form without the attendee's cookie"
    );

    // The attendee page remembers the attendee for the fair's pages.
    let res = browser
        .get(app.url(&format!("/r/{token}?lang=fr")))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("salon_attendee="))
        .expect("the attendee cookie")
        .to_string();
    assert!(cookie.contains("Path=/;"), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let jar = cookie.split(';').next().expect("pair").to_string();

    let html = browser
        .get(&session_page)
        .header("cookie", &jar)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    let action = format!("/events/{}/bookings", f.slug);
    let html = html.replace("&#x2f;", "/");
    assert!(
        html.contains(&action),
        "the session page offers a seat: {html}"
    );
    assert!(
        !html.contains(&token),
        "the fair's pages never show the manage token"
    );
    assert!(html.contains("Réserver une place"));
    let csrf = html
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    let back = format!("/events/{}/sessions/{s}?lang=fr", f.slug);
    let post = |form: Vec<(&'static str, String)>| {
        browser
            .post(app.url(&format!("{action}?lang=fr")))
            .header("origin", app.address.as_str())
            .header("cookie", &jar)
            .form(&form)
            .send()
    };
    let res = post(vec![
        ("csrf", csrf.clone()),
        ("session_id", s.to_string()),
        ("action", "book".into()),
        ("back", back.clone()),
    ])
    .await
    .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], back.as_str());
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["bookings"][0]["session_id"], s);
    let html = browser
        .get(&session_page)
        .header("cookie", &jar)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Place réservée") && html.contains("Libérer ma place"));

    // A `back` elsewhere is not followed; leaving frees the seat.
    let res = post(vec![
        ("csrf", csrf.clone()),
        ("session_id", s.to_string()),
        ("action", "leave".into()),
        ("back", "https://evil.example/".into()),
    ])
    .await
    .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/events/{}?lang=fr", f.slug).as_str()
    );
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["bookings"].as_array().map(Vec::len), Some(0));

    // Without the cookie the form books nothing: a page says to open one's own link.
    let res = browser
        .post(app.url(&format!("{action}?lang=fr")))
        .header("origin", app.address.as_str())
        .form(&[
            ("csrf", csrf.as_str()),
            ("session_id", &s.to_string()),
            ("action", "book"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert!(res.text().await.expect("html").contains("<html"));
    // A form from elsewhere is refused and books nothing.
    let res = browser
        .post(app.url(&format!("{action}?lang=fr")))
        .header("origin", "https://evil.example")
        .header("cookie", &jar)
        .form(&[
            ("csrf", csrf.as_str()),
            ("session_id", &s.to_string()),
            ("action", "book"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me["bookings"].as_array().map(Vec::len), Some(0));
}

/// A release whose process dies before its notices job runs (here: the test app, which runs no
/// mail jobs) loses no change email: the real binary, started on the same database, writes and
/// sends each affected attendee's email — once.
#[tokio::test]
async fn change_emails_survive_a_crash_right_after_the_release() {
    let app = spawn_app().await;
    let f = app.programme_fixture("crash-notices").await;
    let moved = session(
        &app,
        &f,
        session_body("Avant la panne", f.room_a, "10:00", "11:00", &[]),
    )
    .await;
    release(&app, &f.slug, "1.0").await;
    let ali = attendee(&app, &f.slug, "ali@crash.example", "fr").await;
    let (status, _) = book(&app, &ali, moved).await;
    assert_eq!(status, StatusCode::CREATED);
    app.drain_mail();
    let (status, _) = app
        .patch(
            &format!("{}/{moved}", f.sessions()),
            Some(&app.admin),
            json!({"starts_at": "2027-05-03T15:00:00+01:00", "ends_at": "2027-05-03T16:00:00+01:00"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    release(&app, &f.slug, "1.1").await;
    assert!(
        app.outbox("schedule_changed").is_empty(),
        "no job ran: only the notices are committed"
    );

    let sink = crate::smtp::SmtpSink::start(crate::smtp::Mode::Accept).await;
    let dir = std::env::temp_dir().join(format!("salon-notices-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let mut salon = std::process::Command::new(env!("CARGO_BIN_EXE_salon"))
        .current_dir(&dir)
        .env("SALON__DATABASE__URL", app.settings.database.url.expose())
        .env("SALON__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("SALON__MAIL__URL", sink.url())
        .env("SALON_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start salon");
    let mails = sink.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let _ = salon.kill();
    let _ = salon.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let changed: Vec<_> = sink
        .messages()
        .into_iter()
        .filter(|m| m.to == "ali@crash.example" && m.text.contains("Avant la panne"))
        .collect();
    assert_eq!(changed.len(), 1, "sent exactly once: {mails:?}");
    assert!(changed[0].text.contains("15:00"), "{}", changed[0].text);
}
