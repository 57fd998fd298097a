//! The email pipeline (SPEC §6): SMTP delivery, retries, crashes, the outbox routes and
//! template overrides.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;
use crate::smtp::{Mode, SmtpSink};

#[tokio::test]
async fn delivered_over_smtp_in_arabic_and_the_link_confirms() {
    let sink = SmtpSink::start(Mode::Accept).await;
    let url = sink.url();
    let app = spawn_app_with(|s| {
        s.mail.url = salon::config::Secret::new(url);
        s.mail.worker = true;
    })
    .await;
    let slug = app.open_event("smtp", None).await;
    app.post(&format!("/api/v1/events/{slug}/registrations"), None, json!({"name": "سارة بنموسى", "email": "sara@example.ma", "language": "ar", "consent": true}))
        .await;
    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!(mail.to, "sara@example.ma");
    assert!(mail.subject.contains("تأكيد تسجيلكم"), "{}", mail.subject);
    // From the fair (its Arabic name, RFC 2047-encoded) at the configured address; replies
    // to its contact.
    let from = mail
        .raw
        .lines()
        .find(|l| l.starts_with("From: "))
        .unwrap_or("");
    assert!(
        from.starts_with("From: =?utf-8?b?") && from.ends_with("<no-reply@salon.localhost>"),
        "{}",
        &mail.raw[..400.min(mail.raw.len())]
    );
    assert!(mail.raw.contains("Reply-To: contact@siccam.example"));
    assert!(mail.raw.contains("MIME-Version: 1.0"));
    assert!(mail.raw.contains("multipart/alternative"));
    assert!(!mail.message_id.is_empty());
    assert!(
        mail.text.contains("سارة بنموسى"),
        "the text part greets by name"
    );
    assert!(mail.html.contains(r#"<html lang="ar" dir="rtl">"#));
    let link = mail.link(&format!("{}/confirm/", app.settings.base_url()));

    // Follow the link as a person would: the page, then its button.
    let page = app
        .client
        .get(&link)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let csrf = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf field")
        .to_string();
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let res = no_redirect
        .post(&link)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert!(location.starts_with("/r/slr_"));
    let attendee = app
        .client
        .get(app.url(&location))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(attendee.contains(r#"dir="rtl""#) && attendee.contains("<svg"));
    // A forged form is refused.
    let res = no_redirect
        .post(&link)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let confirmed = sink.wait_for(2).await.remove(1);
    assert!(confirmed.subject.contains("تأكيد"));
    assert!(
        confirmed.raw.contains("Content-ID: <badge-qr@127.0.0.1>"),
        "the QR is an inline image, its Content-ID with a domain"
    );
    app.outbox_reaches("registration_confirmed", "sent").await;
}

#[tokio::test]
async fn an_smtp_outage_is_retried_and_delivered_exactly_once() {
    let mut sink = SmtpSink::stopped().await;
    let url = sink.url();
    let app = spawn_app_with(|s| {
        s.mail.url = salon::config::Secret::new(url);
        s.mail.worker = true;
    })
    .await;
    let slug = app.open_event("outage", None).await;
    app.post(
        &format!("/api/v1/events/{slug}/registrations"),
        None,
        json!({"name": "X", "email": "o@example.com", "consent": true}),
    )
    .await;
    let mut attempts = 0;
    for _ in 0..300 {
        attempts = app.outbox("registration_confirm")[0].2;
        if attempts >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(attempts >= 2, "retried while the server is down");
    assert_eq!(
        app.outbox("registration_confirm")[0].1,
        "pending",
        "still unsent"
    );
    let (_, emails) = app
        .get(
            &format!("/api/v1/events/{slug}/emails?status=pending"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(emails["total"], 1);
    assert!(emails["items"][0]["last_error"].is_string());

    sink.restart().await;
    sink.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(sink.messages().len(), 1, "exactly one delivery");
    app.outbox_reaches("registration_confirm", "sent").await;
}

#[tokio::test]
async fn a_permanent_refusal_fails_and_can_be_retried() {
    let sink = SmtpSink::start(Mode::Reject).await;
    let url = sink.url();
    let app = spawn_app_with(|s| {
        s.mail.url = salon::config::Secret::new(url);
        s.mail.worker = true;
    })
    .await;
    let slug = app.open_event("refused", None).await;
    app.post(
        &format!("/api/v1/events/{slug}/registrations"),
        None,
        json!({"name": "X", "email": "nobody@example.com", "consent": true}),
    )
    .await;
    let mut status = String::new();
    for _ in 0..300 {
        status = app.outbox("registration_confirm")[0].1.clone();
        if status == "failed" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(status, "failed");
    assert_eq!(
        app.outbox("registration_confirm")[0].2,
        1,
        "a 5xx is not retried"
    );
    let (_, emails) = app
        .get(
            &format!("/api/v1/events/{slug}/emails?status=failed"),
            Some(&app.admin),
        )
        .await;
    let item = &emails["items"][0];
    assert_eq!(item["kind"], "registration_confirm");
    assert_eq!(item["recipient"], "nobody@example.com");
    assert!(item["last_error"].as_str().unwrap_or("").contains("550"));
    for body_field in [
        "subject",
        "body_text",
        "body_html",
        "text",
        "html",
        "attachments",
    ] {
        assert!(
            item.get(body_field).is_none(),
            "{body_field} must never be listed"
        );
    }
    let id = item["id"].as_i64().expect("id");
    let (s, _) = app
        .post(
            &format!("/api/v1/events/{slug}/emails/{id}/retry"),
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (s, _) = app
        .get(&format!("/api/v1/events/{slug}/emails"), None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// SPEC §6 headers, read off a received message: sent by a machine, in the recipient's
/// language, inline parts with a domain in their Content-ID, the calendar part's method.
#[tokio::test]
async fn every_email_carries_the_headers_of_the_specification() {
    let app = spawn_app().await;
    let slug = app.open_event("headers", None).await;
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
            json!({"name": "Nadia", "email": "nadia@example.ma", "language": "ar", "category": "press"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mail = app
        .delivered("registration_confirmed", "nadia@example.ma", 1)
        .await
        .remove(0);
    let message = mail_parser::MessageParser::default()
        .parse(mail.raw.as_bytes())
        .expect("a MIME message");
    let header = |name: &str| {
        message
            .header_raw(name)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    assert_eq!(header("Auto-Submitted"), "auto-generated");
    assert_eq!(header("Content-Language"), "ar");
    let domain = "127.0.0.1";
    assert!(
        mail.message_id.ends_with(&format!("@{domain}")),
        "{}",
        mail.message_id
    );
    assert!(
        mail.raw
            .contains(&format!("Content-ID: <badge-qr@{domain}>")),
        "inline QR with a domain"
    );
    assert!(mail.html.contains(&format!("cid:badge-qr@{domain}")));
    assert!(
        mail.raw
            .contains("text/calendar; charset=utf-8; method=PUBLISH")
            || mail.raw.contains("method=PUBLISH"),
        "the .ics part names its method"
    );
    let ics = mail
        .attachments
        .iter()
        .find(|(ct, _, _)| ct.starts_with("text/calendar"))
        .map(|(_, _, bytes)| String::from_utf8_lossy(bytes).to_string())
        .expect("a calendar part");
    assert!(ics.contains("METHOD:PUBLISH"));
}

#[tokio::test]
async fn sent_emails_drop_their_bodies_and_cannot_be_retried() {
    let app = spawn_app().await;
    let slug = app.open_event("bodies", None).await;
    app.post(
        &format!("/api/v1/events/{slug}/registrations"),
        None,
        json!({"name": "X", "email": "b@example.com", "consent": true}),
    )
    .await;
    app.delivered("registration_confirm", "b@example.com", 1)
        .await;
    use diesel::prelude::*;
    use salon::db::schema::outbox_emails;
    let (id, body): (i64, Option<String>) = {
        let mut pooled = app.db.get().expect("conn");
        salon::run!(&mut pooled.conn(), |c| outbox_emails::table
            .select((outbox_emails::id, outbox_emails::body_text))
            .first(c))
        .expect("row")
    };
    assert_eq!(body, None, "a sent email keeps no body (it held a token)");
    let (s, _) = app
        .post(
            &format!("/api/v1/events/{slug}/emails/{id}/retry"),
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
}

/// A fault after the email's outbox row was written rolls the whole change back: a trigger on
/// this test's own database refuses the audit entry that an organizer's registration writes
/// after queuing its confirmation email (no fault switch lives in the application).
#[tokio::test]
async fn a_rolled_back_change_sends_nothing() {
    use diesel::connection::SimpleConnection;
    let app = spawn_app().await;
    let slug = app.open_event("fault", None).await;
    {
        let mut pooled = app.db.get().expect("conn");
        let sql = match pooled.conn().link {
            salon::db::Link::Sqlite(_) => {
                "CREATE TRIGGER fail_after_outbox BEFORE INSERT ON audit_entries
                 WHEN NEW.entity = 'registration'
                 BEGIN SELECT RAISE(ABORT, 'injected fault'); END;"
            }
            salon::db::Link::Pg(_) => {
                "CREATE FUNCTION fail_after_outbox() RETURNS trigger AS $$
                 BEGIN IF NEW.entity = 'registration' THEN RAISE EXCEPTION 'injected fault'; END IF;
                 RETURN NEW; END $$ LANGUAGE plpgsql;
                 CREATE TRIGGER fail_after_outbox BEFORE INSERT ON audit_entries
                 FOR EACH ROW EXECUTE FUNCTION fail_after_outbox();"
            }
        };
        salon::run!(&mut pooled.conn(), |c| c.batch_execute(sql)).expect("trigger");
    }
    let (status, problem) = app
        .post(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
            json!({"name": "X", "email": "fault@example.com", "category": "vip"}),
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        !problem.to_string().contains("injected"),
        "a 500 shows nothing of its cause"
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(app.outbox("registration_confirmed").is_empty());
    assert!(app.mailbox().iter().all(|m| m.to != "fault@example.com"));
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(
        list["total"], 0,
        "the registration rolled back with its email"
    );
}

#[tokio::test]
async fn organizers_override_texts_per_event_and_language() {
    let app = spawn_app().await;
    let slug = app.open_event("override", None).await;
    let path = format!("/api/v1/events/{slug}/email-templates/registration_confirm/fr");
    let (status, builtin) = app.get(&path, Some(&app.admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(builtin["overridden"], false);
    assert!(builtin["variables"]
        .as_array()
        .expect("vars")
        .iter()
        .any(|v| v == "confirm_url"));

    let (status, problem) = app
        .send(
            reqwest::Method::PUT,
            &path,
            Some(&app.admin),
            Some(&json!({"subject": "{{ event_name", "text": "x", "html": "<p></p>"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["subject"]);
    let (status, problem) = app
        .send(
            reqwest::Method::PUT,
            &path,
            Some(&app.admin),
            Some(&json!({"subject": "s", "text": "{{ password }}", "html": "<p></p>"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["text"]);
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("password"));
    let (status, _) = app
        .send(
            reqwest::Method::PUT,
            "/api/v1/events/override/email-templates/nope/fr",
            Some(&app.admin),
            Some(&json!({"subject": "s", "text": "t", "html": "h"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let body = json!({"subject": "Bienvenue au {{ event_name }} !", "text": "Bonjour {{ name }}, confirmez ici : {{ confirm_url }}", "html": "<html lang=\"fr\" dir=\"ltr\"><p>Bonjour {{ name }}</p><a href=\"{{ confirm_url }}\">Confirmer</a></html>"});
    let (status, saved) = app
        .send(reqwest::Method::PUT, &path, Some(&app.admin), Some(&body))
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["overridden"], true);
    app.post(
        &format!("/api/v1/events/{slug}/registrations"),
        None,
        json!({"name": "Yasmine", "email": "y@example.com", "language": "fr", "consent": true}),
    )
    .await;
    let mail = &app
        .delivered("registration_confirm", "y@example.com", 1)
        .await[0];
    assert_eq!(mail.subject, "Bienvenue au Salon des centres de contact !");
    assert!(mail
        .text
        .starts_with("Bonjour Yasmine, confirmez ici : http"));
    // Other languages keep the built-in text.
    app.post(
        &format!("/api/v1/events/{slug}/registrations"),
        None,
        json!({"name": "Y", "email": "en@example.com", "language": "en", "consent": true}),
    )
    .await;
    let mail = &app
        .delivered("registration_confirm", "en@example.com", 1)
        .await[0];
    assert!(mail.subject.contains("Please confirm"));
}

/// The built binary, killed with SIGKILL before its worker sent, sends on restart — once.
#[tokio::test]
async fn a_crash_loses_no_email() {
    let dir = std::env::temp_dir().join(format!("salon-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let db = TestDb::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut sink = SmtpSink::stopped().await;
    let sink_url = sink.url();
    let start = |retry_base: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_salon"))
            .current_dir(&dir)
            .env("SALON__DATABASE__URL", db.url())
            .env("SALON__SERVER__BIND", format!("127.0.0.1:{port}"))
            .env("SALON__MAIL__URL", &sink_url)
            .env("SALON__MAIL__RETRY_BASE", retry_base)
            .env("SALON_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start salon")
    };
    let client = reqwest::Client::new();
    let wait_ready = || async {
        for _ in 0..300 {
            if client
                .get(format!("{base}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("salon did not start");
    };
    let mut first = start("3s");
    wait_ready().await;
    let salon_db =
        salon::db::Db::connect(db.url(), 1, std::time::Duration::from_secs(5)).expect("db");
    let slug = {
        let mut pooled = salon_db.get().expect("conn");
        salon::demo::load(
            &mut pooled.conn(),
            chrono::NaiveDate::from_ymd_opt(2027, 4, 12).expect("date"),
            std::time::Duration::from_secs(600),
        )
        .expect("demo")
        .slug
    };
    let res = client
        .post(format!("{base}/api/v1/events/{slug}/registrations"))
        .json(&json!({"name": "Crash", "email": "crash@example.com", "consent": true}))
        .send()
        .await
        .expect("register");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    // Wait for the first (refused) attempt: the row is pending again, due in 3 s. Kill now.
    use diesel::prelude::*;
    use salon::db::schema::outbox_emails;
    let state = || {
        let mut pooled = salon_db.get().expect("conn");
        salon::run!(&mut pooled.conn(), |c| outbox_emails::table
            .select((outbox_emails::status, outbox_emails::attempts))
            .first::<(String, i32)>(c))
        .expect("row")
    };
    let refused_once = |(status, attempts): (String, i32)| status == "pending" && attempts >= 1;
    for _ in 0..500 {
        if refused_once(state()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(refused_once(state()), "{:?}", state());
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");

    sink.restart().await;
    let mut second = start("3s");
    wait_ready().await;
    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!(mail.to, "crash@example.com");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(sink.messages().len(), 1, "delivered exactly once");
    assert_eq!(state().0, "sent");
    let _ = second.kill();
    let _ = second.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// An override that passes its check with sample values but fails on real ones (here a loop
/// guarded by the sample name) never fails a registration: it stops on its render budget, the
/// built-in text is sent, and organizers see why.
#[tokio::test]
async fn a_failing_override_falls_back_to_the_built_in_text() {
    let app = spawn_app().await;
    let slug = app.open_event("fuel", None).await;
    let looping = r#"{% if name != "sample name" %}{% for i in range(100000) %}{% for j in range(100000) %}.{% endfor %}{% endfor %}{% endif %}{{ confirm_url }}"#;
    let (status, saved) = app
        .put_json(
            &format!("/api/v1/events/{slug}/email-templates/registration_confirm/fr"),
            json!({"subject": "Confirmez", "text": looping, "html": "<p>{{ confirm_url }}</p>"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let started = std::time::Instant::now();
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/registrations"),
            None,
            json!({"name": "Amina", "email": "fuel@example.com", "language": "fr", "consent": true}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "no stall"
    );
    let mail = app
        .delivered("registration_confirm", "fuel@example.com", 1)
        .await
        .remove(0);
    assert!(
        mail.text.contains("/confirm/"),
        "the built-in text, with its link"
    );
    let (_, emails) = app
        .get(&format!("/api/v1/events/{slug}/emails"), Some(&app.admin))
        .await;
    let note = emails["items"][0]["last_error"].as_str().unwrap_or("");
    assert!(note.contains("override failed"), "{emails}");
}

/// SIGKILL in the middle of an SMTP exchange (the relay accepted the connection and said
/// nothing): the email stays claimed until its lease ends, then the restarted sender sends it,
/// once. The lease is `mail.claim_lease` (60 s by default; 3 s here, so the test is quick).
#[tokio::test]
async fn an_email_claimed_at_a_crash_is_sent_once_after_the_restart() {
    let dir = std::env::temp_dir().join(format!("salon-claimed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let db = TestDb::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut sink = SmtpSink::stopped().await;
    let sink_url = sink.url();
    // A relay that accepts connections and never answers.
    let mut mute = None;
    for _ in 0..50 {
        match tokio::net::TcpListener::bind(("127.0.0.1", sink.port)).await {
            Ok(l) => {
                mute = Some(l);
                break;
            }
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
    let mute = mute.expect("bind the mute relay");
    let mute_task = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = mute.accept().await {
            held.push(socket);
        }
    });
    let start = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_salon"))
            .current_dir(&dir)
            .env("SALON__DATABASE__URL", db.url())
            .env("SALON__SERVER__BIND", format!("127.0.0.1:{port}"))
            .env("SALON__MAIL__URL", &sink_url)
            .env("SALON__MAIL__CLAIM_LEASE", "3s")
            .env("SALON_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start salon")
    };
    let client = reqwest::Client::new();
    let wait_ready = || async {
        for _ in 0..300 {
            if client
                .get(format!("{base}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("salon did not start");
    };
    let mut first = start();
    wait_ready().await;
    let salon_db =
        salon::db::Db::connect(db.url(), 1, std::time::Duration::from_secs(5)).expect("db");
    let slug = {
        let mut pooled = salon_db.get().expect("conn");
        salon::demo::load(
            &mut pooled.conn(),
            chrono::NaiveDate::from_ymd_opt(2027, 4, 12).expect("date"),
            std::time::Duration::from_secs(600),
        )
        .expect("demo")
        .slug
    };
    let res = client
        .post(format!("{base}/api/v1/events/{slug}/registrations"))
        .json(&json!({"name": "Claimed", "email": "claimed@example.com", "consent": true}))
        .send()
        .await
        .expect("register");
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    use diesel::prelude::*;
    use salon::db::schema::outbox_emails;
    let status = || {
        let mut pooled = salon_db.get().expect("conn");
        salon::run!(&mut pooled.conn(), |c| outbox_emails::table
            .select(outbox_emails::status)
            .first::<String>(c))
        .expect("row")
    };
    for _ in 0..500 {
        if status() == "sending" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(status(), "sending", "claimed, waiting on the mute relay");
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    mute_task.abort();
    let _ = mute_task.await;

    sink.restart().await;
    let restarted = std::time::Instant::now();
    let mut second = start();
    wait_ready().await;
    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!(mail.to, "claimed@example.com");
    assert!(
        restarted.elapsed() < std::time::Duration::from_secs(30),
        "sent within the lease of the restart"
    );
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(sink.messages().len(), 1, "sent exactly once");
    assert_eq!(status(), "sent");
    let _ = second.kill();
    let _ = second.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn emails_come_from_the_fair_and_replies_reach_its_contact() {
    let app = spawn_app().await;
    let slug = app.open_event("reply", None).await;
    for (email, lang, name) in [
        ("amina@reply.ma", "ar", "معرض مراكز الاتصال"),
        ("claire@reply.fr", "fr", "Salon des centres de contact"),
    ] {
        let (status, body) = app
            .post(
                &format!("/api/v1/events/{slug}/registrations"),
                None,
                serde_json::json!({"name": "Guest", "email": email, "language": lang, "consent": true}),
            )
            .await;
        assert_eq!(status, reqwest::StatusCode::ACCEPTED, "{body}");
        let mail = &app.delivered("registration_confirm", email, 1).await[0];
        assert_eq!(
            mail.from.0, name,
            "the fair's name, in the recipient's language"
        );
        assert_eq!(
            mail.from.1, "no-reply@salon.localhost",
            "the configured address"
        );
        assert_eq!(mail.reply_to.as_deref(), Some("contact@siccam.example"));
    }
}

/// Two senders claiming at once take different emails, and a claimed email is not claimed
/// again until its lease ends. On PostgreSQL the second sender claims while the first one's
/// transaction is still open (its rows are skipped, `FOR UPDATE SKIP LOCKED`); on SQLite the
/// second waits for the first to commit, then finds its rows leased. The retry makes one
/// pending again, due at once.
#[test]
fn two_senders_claim_different_emails() {
    use salon::email::model::NewOutboxEmail;
    use salon::email::{outbox, store};

    let test = TestDb::new();
    let db =
        salon::db::Db::connect(test.url(), 2, std::time::Duration::from_secs(10)).expect("connect");
    salon::db::migrations::run_pending(&db).expect("migrate");
    let mut first = db.get().expect("conn");
    let mut c = first.conn();
    let now = salon::db::now();
    for n in 0..5 {
        let message_id = format!("<claim-{n}@example.com>");
        let row = NewOutboxEmail {
            event_id: None,
            registration_id: None,
            kind: "registration_received",
            recipient: Some("someone@example.com"),
            language: "en",
            subject: Some("s"),
            body_text: Some("t"),
            body_html: Some("h"),
            attachments: None,
            message_id: &message_id,
            status: "pending",
            attempts: 0,
            next_attempt_at: now,
            created_at: now,
            last_error: None,
            reply_to: None,
            from_name: None,
        };
        c.write_tx(|c| Ok(store::insert_outbox(c, &row)?))
            .expect("queued");
    }
    let lease = chrono::TimeDelta::seconds(60);
    let ids = |rows: Vec<salon::email::model::Claimed>| -> Vec<i64> {
        rows.into_iter().map(|r| r.id).collect()
    };
    let (a, b) = match c.backend() {
        salon::db::Backend::Postgres => {
            let a = c
                .write_tx(|c| {
                    let terms = salon::db::queue::Lease {
                        now,
                        limit: 2,
                        until: now + lease,
                    };
                    let a = store::claim_due(c, terms)?;
                    // The first transaction is still open while the second sender claims.
                    let other = db.clone();
                    let b = std::thread::spawn(move || {
                        let mut second = other.get().expect("second conn");
                        outbox::claim(&mut second.conn(), 2, lease).expect("second claim")
                    })
                    .join()
                    .expect("second sender");
                    Ok((a, b))
                })
                .expect("first claim");
            (ids(a.0), ids(a.1))
        }
        salon::db::Backend::Sqlite => {
            let a = outbox::claim(&mut c, 2, lease).expect("first claim");
            let b = outbox::claim(&mut c, 2, lease).expect("second claim");
            (ids(a), ids(b))
        }
    };
    assert_eq!(a.len(), 2, "the first sender takes two: {a:?}");
    assert_eq!(b.len(), 2, "the second takes two others: {b:?}");
    assert!(
        a.iter().all(|id| !b.contains(id)),
        "{a:?} and {b:?} overlap"
    );
    assert!(a.windows(2).all(|w| w[0] < w[1]), "oldest first: {a:?}");
    let last = outbox::claim(&mut c, 5, lease).expect("third claim");
    assert_eq!(
        last.len(),
        1,
        "one is left unclaimed; the leased ones are not due"
    );
    assert_eq!(last[0].message_id, "<claim-4@example.com>");
    let taken = a[0];
    c.write_tx(|c| Ok(store::requeue(c, taken, salon::db::now())?))
        .expect("requeue");
    let again = ids(outbox::claim(&mut c, 5, lease).expect("claim after retry"));
    assert_eq!(
        again,
        vec![taken],
        "the retried email is due again, and only it"
    );
}
