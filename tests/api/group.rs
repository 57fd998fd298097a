//! Group commit (`db::group`): writes queued together commit together, a failing one fails
//! alone, and a registration acknowledged is a registration kept, even when the process is
//! killed in the middle of a stream of them.

use std::time::Duration;

use diesel::prelude::*;
use futures_util::future::join_all;
use reqwest::StatusCode;
use salon::db::schema::{audit_entries, outbox_emails, registrations};
use salon::error::AppError;
use serde_json::json;

use crate::helpers::*;

fn count_audit(app: &TestApp, action: &str) -> Vec<i64> {
    let mut pooled = app.db.get().expect("conn");
    let mut ids = salon::run!(&mut pooled.conn(), |c| audit_entries::table
        .filter(audit_entries::action.eq(action))
        .select(audit_entries::entity_id.assume_not_null())
        .load::<i64>(c))
    .expect("audit rows");
    ids.sort_unstable();
    ids
}

/// Twenty writes queued while a slow one holds the transaction form the next batch. Two of
/// them write and then fail: their writes are undone and they get their own errors; the other
/// eighteen are committed and answered with their own results.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failing_write_in_a_batch_fails_alone() {
    let app = spawn_app().await;
    let record = |c: &mut salon::db::Conn, i: i64| {
        salon::audit::record(c, None, None, "grouped", "test", Some(i), json!({}))
            .map_err(AppError::from)
    };
    let slow = {
        let db = app.db.clone();
        tokio::spawn(async move {
            db.write_grouped(move |c| {
                std::thread::sleep(Duration::from_millis(300));
                record(c, 0)?;
                Ok(0)
            })
            .await
        })
    };
    // Queued while the slow write holds its batch open.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let writes = (1..=20).map(|i: i64| {
        let db = app.db.clone();
        async move {
            db.write_grouped(move |c| {
                record(c, i)?;
                if i == 5 || i == 12 {
                    return Err(AppError::Conflict(format!("write {i} refuses")));
                }
                Ok(i * 10)
            })
            .await
        }
    });
    let answers = join_all(writes).await;
    assert_eq!(slow.await.expect("joined").expect("slow write"), 0);
    for (i, answer) in (1..=20).zip(answers) {
        match answer {
            Ok(v) => assert!(i != 5 && i != 12 && v == i * 10, "write {i} answered {v}"),
            Err(AppError::Conflict(m)) => {
                assert!(i == 5 || i == 12, "write {i} failed: {m}");
                assert_eq!(m, format!("write {i} refuses"));
            }
            Err(e) => panic!("write {i}: {e}"),
        }
    }
    let expected: Vec<i64> = (0..=20).filter(|i| *i != 5 && *i != 12).collect();
    assert_eq!(count_audit(&app, "grouped"), expected);
}

/// A panic inside one grouped write is that write's 500; the batch and the queue go on.
#[tokio::test]
async fn a_panicking_write_fails_alone() {
    let app = spawn_app().await;
    let panicking = app
        .db
        .write_grouped(|_c| -> Result<(), AppError> { panic!("boom") })
        .await;
    assert!(matches!(panicking, Err(AppError::Internal(_))));
    app.db
        .write_grouped(|c| {
            salon::audit::record(c, None, None, "after-panic", "test", Some(1), json!({}))
                .map_err(AppError::from)
        })
        .await
        .expect("the next write");
    assert_eq!(count_audit(&app, "after-panic"), vec![1]);
}

/// The real binary takes a stream of public registrations from 32 clients and is killed with
/// SIGKILL in the middle of it. Every registration it acknowledged (202) is in the database
/// after the crash, with its confirmation email in the outbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_crash_mid_batch_keeps_every_acknowledged_registration() {
    let dir = std::env::temp_dir().join(format!("salon-group-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let db = TestDb::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut salon = std::process::Command::new(env!("CARGO_BIN_EXE_salon"))
        .current_dir(&dir)
        .env("SALON__DATABASE__URL", db.url())
        .env("SALON__SERVER__BIND", format!("127.0.0.1:{port}"))
        .env("SALON__MAIL__WORKER", "false")
        .env("SALON__RATE_LIMIT__PER_MINUTE", "100000000")
        .env("SALON_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start salon");
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..300 {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "salon did not start");
    let salon_db = salon::db::Db::connect(db.url(), 1, Duration::from_secs(5)).expect("db");
    let slug = {
        let mut pooled = salon_db.get().expect("conn");
        salon::demo::load(
            &mut pooled.conn(),
            chrono::NaiveDate::from_ymd_opt(2027, 4, 12).expect("date"),
            Duration::from_secs(600),
        )
        .expect("demo")
        .slug
    };
    let url = format!("{base}/api/v1/events/{slug}/registrations");
    let clients = (0..32).map(|n| {
        let client = client.clone();
        let url = url.clone();
        tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0.. {
                let email = format!("crash-{n}-{i}@example.com");
                let answer = client
                    .post(&url)
                    .json(&json!({"name": "Crash", "email": email, "consent": true}))
                    .send()
                    .await;
                match answer {
                    Ok(r) if r.status() == StatusCode::ACCEPTED => acknowledged.push(email),
                    Ok(r) => panic!("{email}: {}", r.status()),
                    Err(_) => break, // the server is gone
                }
            }
            acknowledged
        })
    });
    let clients: Vec<_> = clients.collect();
    // Let the stream run, then kill the server in the middle of it.
    let mut sent = 0;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut pooled = salon_db.get().expect("conn");
        sent = salon::run!(&mut pooled.conn(), |c| registrations::table
            .count()
            .get_result::<i64>(c))
        .expect("count");
        if sent >= 300 {
            break;
        }
    }
    assert!(sent >= 300, "only {sent} registrations before the kill");
    salon.kill().expect("SIGKILL");
    salon.wait().expect("reaped");
    let mut acknowledged = Vec::new();
    for c in clients {
        acknowledged.extend(c.await.expect("client"));
    }
    // Some of what was written had no answer yet when the server died; the rest was answered.
    assert!(
        acknowledged.len() >= 200,
        "{} acknowledged of {sent} written",
        acknowledged.len()
    );

    let mut pooled = salon_db.get().expect("conn");
    let mut conn = pooled.conn();
    let kept: std::collections::HashSet<String> = salon::run!(&mut conn, |c| registrations::table
        .select(registrations::email.assume_not_null())
        .load::<String>(c))
    .expect("registrations")
    .into_iter()
    .collect();
    let mailed: std::collections::HashSet<String> =
        salon::run!(&mut conn, |c| outbox_emails::table
            .filter(outbox_emails::kind.eq("registration_confirm"))
            .select(outbox_emails::recipient.assume_not_null())
            .load::<String>(c))
        .expect("outbox")
        .into_iter()
        .collect();
    for email in &acknowledged {
        assert!(
            kept.contains(email),
            "{email} was acknowledged but not kept"
        );
        assert!(mailed.contains(email), "{email} has no confirmation email");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A public registration renders its email from what the instance keeps in memory: an
/// override saved on one instance is used there at once, and on a second instance within
/// a second (`email::templates::Overrides`).
#[tokio::test]
async fn an_override_reaches_every_instance_within_a_second() {
    let first = spawn_app().await;
    let second = spawn_sibling(&first).await;
    let slug = first.open_event("kept", None).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    let body =
        |email: &str| json!({"name": "Amina", "email": email, "language": "fr", "consent": true});
    // The second instance reads the (absent) override before it is saved.
    let (status, _) = second.post(&path, None, body("before@example.com")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, saved) = first
        .put_json(
            &format!("/api/v1/events/{slug}/email-templates/registration_confirm/fr"),
            json!({"subject": "Confirmez vite", "text": "Lien : {{ confirm_url }}", "html": "<p>{{ confirm_url }}</p>"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (status, _) = first.post(&path, None, body("first@example.com")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _) = second.post(&path, None, body("second@example.com")).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    for to in ["first@example.com", "second@example.com"] {
        let mail = first
            .delivered("registration_confirm", to, 1)
            .await
            .remove(0);
        assert_eq!(mail.subject, "Confirmez vite", "{to}");
        assert!(mail.text.starts_with("Lien : "), "{to}: {}", mail.text);
    }
    let before = first
        .delivered("registration_confirm", "before@example.com", 1)
        .await
        .remove(0);
    assert_ne!(before.subject, "Confirmez vite");
}
