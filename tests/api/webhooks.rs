//! Webhooks (SPEC §4.5): admins manage endpoints, the secret is shown once, a private address
//! is refused, a change queues its delivery in its own transaction, and the sender signs,
//! retries with the same `webhook-id`, logs every attempt, replays, and disables an endpoint
//! that answers 410 (emailing the fair's contact). The same is checked against the
//! `standardwebhooks` package from PyPI by `tests/webhooks/run.py`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

/// A request the receiver got: its path, headers (lower-case names) and body.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    /// Whether one of the `v1,` signatures is the HMAC-SHA256 of `id.timestamp.body` under
    /// `secret` — written here from the specification, not with Salon's code.
    fn signed_by(&self, secret: &str) -> bool {
        let b64 = base64::engine::general_purpose::STANDARD;
        let key = b64
            .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
            .expect("base64 key");
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("key");
        mac.update(
            format!(
                "{}.{}.{}",
                self.header("webhook-id"),
                self.header("webhook-timestamp"),
                self.body
            )
            .as_bytes(),
        );
        let expected = format!("v1,{}", b64.encode(mac.finalize().into_bytes()));
        self.header("webhook-signature")
            .split(' ')
            .any(|s| s == expected)
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

/// A local endpoint: answers each request to a path with the next status scripted for it
/// (200 once the script is used up) and keeps what it got.
#[derive(Clone, Default)]
struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<Vec<(String, u16)>>>,
    /// Paths that answer only after this long.
    slow: Arc<Mutex<Vec<(String, Duration)>>>,
}

impl Receiver {
    async fn start() -> (Receiver, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = format!("http://{}", listener.local_addr().expect("addr"));
        let receiver = Receiver::default();
        let r = receiver.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let r = r.clone();
                tokio::spawn(async move {
                    let Some(req) = read_request(&mut socket).await else {
                        return;
                    };
                    let status = {
                        let mut script = r.script.lock().expect("script");
                        match script.iter().position(|(p, _)| *p == req.path) {
                            Some(i) => script.remove(i).1,
                            None => 200,
                        }
                    };
                    let delay = r
                        .slow
                        .lock()
                        .expect("slow")
                        .iter()
                        .find(|(p, _)| *p == req.path)
                        .map(|(_, d)| *d);
                    r.got.lock().expect("got").push(req);
                    if let Some(delay) = delay {
                        tokio::time::sleep(delay).await;
                    }
                    let answer = format!(
                        "HTTP/1.1 {status} X\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok"
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                });
            }
        });
        (receiver, address)
    }

    fn answer(&self, path: &str, statuses: &[u16]) {
        let mut script = self.script.lock().expect("script");
        script.extend(statuses.iter().map(|s| (path.to_string(), *s)));
    }

    /// What reached `path`, once `count` requests have (10 s at most).
    async fn wait(&self, path: &str, count: usize) -> Vec<Received> {
        for _ in 0..200 {
            let got: Vec<Received> = self
                .got
                .lock()
                .expect("got")
                .iter()
                .filter(|r| r.path == path)
                .cloned()
                .collect();
            if got.len() >= count {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{path} did not get {count} requests");
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let path = lines.next()?.split(' ').nth(1)?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while raw.len() < head_end + length {
        let n = socket.read(&mut buf).await.ok()?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let body = String::from_utf8_lossy(&raw[head_end..]).to_string();
    Some(Received {
        path,
        headers,
        body,
    })
}

async fn walk_in(app: &TestApp, slug: &str, email: &str) -> Value {
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
            json!({"name": "Salma Idrissi", "email": email, "language": "fr", "category": "professional"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

#[tokio::test]
async fn admins_manage_endpoints_and_see_the_secret_once() {
    let app = spawn_app_with(|s| s.webhooks.allow_private = true).await;
    let slug = app.open_event("hooks-admin", None).await;
    let base = format!("/api/v1/events/{slug}/webhooks");

    let (status, created) = app
        .post(
            &base,
            Some(&app.admin),
            json!({"url": "http://127.0.0.1:9/crm", "event_types": ["registration.created", "checkin.created", "registration.created"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["secret"].as_str().expect("secret").to_string();
    assert!(
        secret.starts_with("whsec_") && secret.len() >= 6 + 43,
        "{secret}"
    );
    assert_eq!(
        created["event_types"],
        json!(["registration.created", "checkin.created"]),
        "a repeated type is kept once"
    );
    assert_eq!(created["enabled"], true);
    let id = created["id"].as_i64().expect("id");

    let (status, one) = app.get(&format!("{base}/{id}"), Some(&app.admin)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(one.get("secret").is_none(), "never shown again: {one}");
    let (_, list) = app.get(&base, Some(&app.admin)).await;
    assert_eq!(list["total"], 1);
    assert!(list["items"][0].get("secret").is_none());

    let (status, rotated) = app
        .post(&format!("{base}/{id}/rotate"), Some(&app.admin), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    assert_ne!(rotated["secret"].as_str().expect("secret"), secret);

    let (status, patched) = app
        .patch(
            &format!("{base}/{id}"),
            Some(&app.admin),
            json!({"enabled": false, "event_types": ["schedule.released"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["enabled"], false);
    assert_eq!(patched["url"], "http://127.0.0.1:9/crm");
    assert_eq!(patched["event_types"], json!(["schedule.released"]));

    // Bad input is named, and changes nothing.
    let (status, body) = app
        .post(
            &base,
            Some(&app.admin),
            json!({"url": "ftp://crm.example.com/", "event_types": []}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), vec!["url", "event_types"]);
    let (status, body) = app
        .post(
            &base,
            Some(&app.admin),
            json!({"url": "http://127.0.0.1:9/", "event_types": ["registration.deleted"]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(error_fields(&body), vec!["event_types.0"]);

    // Editors and viewers do not reach webhooks: they can send the fair's data anywhere.
    let editor = app.organizer_token(salon::domain::Role::Editor).await;
    let (status, _) = app.get(&base, Some(&editor)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, _) = app.delete(&format!("{base}/{id}"), Some(&app.admin)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&format!("{base}/{id}"), Some(&app.admin)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get(&base, Some(&app.admin)).await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn a_private_address_is_refused_without_allow_private() {
    let app = spawn_app().await;
    let slug = app.open_event("hooks-private", None).await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.0.0.7/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
    ] {
        let (status, body) = app
            .post(
                &format!("/api/v1/events/{slug}/webhooks"),
                Some(&app.admin),
                json!({"url": url, "event_types": ["registration.created"]}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {body}");
        assert_eq!(error_fields(&body), vec!["url"]);
        assert!(
            body.to_string().contains("webhooks.allow_private"),
            "{body}"
        );
    }
    let (_, list) = app
        .get(&format!("/api/v1/events/{slug}/webhooks"), Some(&app.admin))
        .await;
    assert_eq!(list["total"], 0);
}

#[tokio::test]
async fn a_change_queues_its_delivery_in_its_own_transaction() {
    // No sender runs here: the deliveries stay queued for the test to read.
    let app = spawn_app_with(|s| s.webhooks.allow_private = true).await;
    let slug = app.open_event("hooks-queue", None).await;
    let (_, hook) = app
        .post(
            &format!("/api/v1/events/{slug}/webhooks"),
            Some(&app.admin),
            json!({"url": "http://127.0.0.1:9/crm", "event_types": ["registration.created", "registration.confirmed"]}),
        )
        .await;
    let id = hook["id"].as_i64().expect("id");
    let reg = walk_in(&app, &slug, "salma@example.com").await;
    // A second walk-in with the same address is refused: its transaction rolls back, and
    // with it any delivery.
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
            json!({"name": "Again", "email": "salma@example.com", "language": "fr", "category": "professional"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, page) = app
        .get(
            &format!("/api/v1/events/{slug}/webhooks/{id}/deliveries"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 2, "created and confirmed: {page}");
    let types: Vec<&str> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|d| d["event_type"].as_str().expect("type"))
        .collect();
    assert_eq!(
        types,
        vec!["registration.confirmed", "registration.created"],
        "newest first"
    );
    let delivery = &page["items"][1];
    assert_eq!(delivery["status"], "pending");
    assert_eq!(delivery["attempts"], json!([]));
    assert_eq!(delivery["payload"]["type"], "registration.created");
    assert_eq!(delivery["payload"]["data"]["id"], reg["id"]);
    assert_eq!(delivery["payload"]["data"]["email"], "salma@example.com");
    assert!(delivery["message_id"]
        .as_str()
        .expect("id")
        .starts_with("msg_"));

    // Erasing the registration forgets the deliveries that held its address; what is queued
    // instead tells the receiver of the cancellation without it.
    let (_, hook) = app
        .patch(
            &format!("/api/v1/events/{slug}/webhooks/{id}"),
            Some(&app.admin),
            json!({"event_types": ["registration.cancelled"]}),
        )
        .await;
    assert_eq!(hook["event_types"], json!(["registration.cancelled"]));
    let (status, _) = app
        .delete(
            &format!("/api/v1/events/{slug}/registrations/{}", reg["id"]),
            Some(&app.admin),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, page) = app
        .get(
            &format!("/api/v1/events/{slug}/webhooks/{id}/deliveries"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(page["total"], 1, "{page}");
    let left = &page["items"][0]["payload"];
    assert_eq!(left["type"], "registration.cancelled");
    assert_eq!(left["data"]["id"], reg["id"]);
    assert_eq!(left["data"]["email"], Value::Null);
    assert!(!page.to_string().contains("salma@example.com"));
}

#[tokio::test]
async fn deliveries_are_signed_retried_replayed_and_410_disables() {
    let (receiver, address) = Receiver::start().await;
    let app = spawn_app_with(|s| {
        s.webhooks.worker = true;
        s.webhooks.allow_private = true;
        s.webhooks.retry_base = Duration::from_millis(100);
    })
    .await;
    let slug = app.open_event("hooks-send", None).await;
    let base = format!("/api/v1/events/{slug}/webhooks");
    let (_, hook) = app
        .post(
            &base,
            Some(&app.admin),
            json!({"url": format!("{address}/crm?key=abc"), "event_types": ["registration.created"]}),
        )
        .await;
    let (id, secret) = (
        hook["id"].as_i64().expect("id"),
        hook["secret"].as_str().expect("secret").to_string(),
    );

    // Two 500s, then a 200: three attempts of one message, under one webhook-id.
    receiver.answer("/crm?key=abc", &[500, 500]);
    let reg = walk_in(&app, &slug, "karim@example.com").await;
    let got = receiver.wait("/crm?key=abc", 3).await;
    assert_eq!(got.len(), 3, "no attempt after the 200");
    assert!(
        got.iter().all(|r| r.signed_by(&secret)),
        "every attempt signed"
    );
    let ids: Vec<&str> = got.iter().map(|r| r.header("webhook-id")).collect();
    assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    assert_eq!(got[0].header("content-type"), "application/json");
    let body = got[2].json();
    assert_eq!(body["type"], "registration.created");
    assert_eq!(body["data"]["id"], reg["id"]);
    assert!(body["timestamp"]
        .as_str()
        .expect("timestamp")
        .ends_with('Z'));

    let deliveries = async || {
        app.get(&format!("{base}/{id}/deliveries"), Some(&app.admin))
            .await
            .1
    };
    let mut page = deliveries().await;
    for _ in 0..100 {
        if page["items"][0]["status"] == "delivered" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        page = deliveries().await;
    }
    let d = &page["items"][0];
    assert_eq!(d["status"], "delivered", "{page}");
    let codes: Vec<i64> = d["attempts"]
        .as_array()
        .expect("attempts")
        .iter()
        .map(|a| a["status_code"].as_i64().expect("code"))
        .collect();
    assert_eq!(codes, vec![500, 500, 200]);
    assert_eq!(d["attempts"][2]["response"], "ok");

    // A replay sends the same message again.
    let delivery_id = d["id"].as_i64().expect("id");
    let (status, _) = app
        .post(
            &format!("{base}/{id}/deliveries/{delivery_id}/replay"),
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let got = receiver.wait("/crm?key=abc", 4).await;
    assert_eq!(got[3].header("webhook-id"), ids[0]);
    assert!(got[3].signed_by(&secret));

    // After a rotation both secrets sign, for a day.
    let (_, rotated) = app
        .post(&format!("{base}/{id}/rotate"), Some(&app.admin), json!({}))
        .await;
    let new_secret = rotated["secret"].as_str().expect("secret").to_string();
    walk_in(&app, &slug, "nadia@example.com").await;
    let got = receiver.wait("/crm?key=abc", 5).await;
    assert!(got[4].signed_by(&secret) && got[4].signed_by(&new_secret));

    // 410 Gone: the delivery fails, the endpoint is disabled, the contact is told.
    receiver.answer("/crm?key=abc", &[410]);
    walk_in(&app, &slug, "youssef@example.com").await;
    receiver.wait("/crm?key=abc", 6).await;
    let mut hook = Value::Null;
    for _ in 0..100 {
        hook = app.get(&format!("{base}/{id}"), Some(&app.admin)).await.1;
        if hook["enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(hook["enabled"], false, "{hook}");
    assert!(hook["disabled_reason"]
        .as_str()
        .expect("reason")
        .contains("410"));
    let mail = app
        .delivered("webhook_disabled", "contact@siccam.example", 1)
        .await;
    assert!(
        mail[0].text.contains(&format!("{address}/crm")),
        "{}",
        mail[0].text
    );
    assert!(mail[0]
        .text
        .contains(&format!("/console/events/{slug}/webhooks")));
    assert!(mail[0].text.contains("410 Gone"), "{}", mail[0].text);
    assert!(
        !mail[0].text.contains("key=abc"),
        "the receiver's key stays out of the email: {}",
        mail[0].text
    );
    assert!(
        mail[0].text.contains("Bonjour Équipe organisatrice"),
        "{}",
        mail[0].text
    );

    // Disabled, it receives nothing more, and its deliveries cannot be replayed.
    walk_in(&app, &slug, "amine@example.com").await;
    let (status, _) = app
        .post(
            &format!("{base}/{id}/deliveries/{delivery_id}/replay"),
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.wait("/crm?key=abc", 6).await.len(), 6);
}

#[tokio::test]
async fn an_endpoint_failing_for_give_up_after_is_disabled_and_the_contact_told() {
    let (receiver, address) = Receiver::start().await;
    let app = spawn_app_with(|s| {
        s.webhooks.worker = true;
        s.webhooks.allow_private = true;
        s.webhooks.retry_base = Duration::from_millis(100);
        s.webhooks.give_up_after = Duration::from_secs(2);
    })
    .await;
    let slug = app.open_event("hooks-failing", None).await;
    let base = format!("/api/v1/events/{slug}/webhooks");
    let (_, hook) = app
        .post(
            &base,
            Some(&app.admin),
            json!({"url": format!("{address}/down"), "event_types": ["registration.created"]}),
        )
        .await;
    let id = hook["id"].as_i64().expect("id");
    receiver.answer("/down", &[503; 40]);
    walk_in(&app, &slug, "rachid@example.com").await;

    let mut hook = Value::Null;
    for _ in 0..200 {
        hook = app.get(&format!("{base}/{id}"), Some(&app.admin)).await.1;
        if hook["enabled"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(hook["enabled"], false, "{hook}");
    assert!(
        hook["disabled_reason"]
            .as_str()
            .expect("reason")
            .starts_with("no delivery succeeded since"),
        "{hook}"
    );
    let (_, page) = app
        .get(&format!("{base}/{id}/deliveries"), Some(&app.admin))
        .await;
    let d = &page["items"][0];
    assert_eq!(d["status"], "failed", "given up: {page}");
    let attempts = d["attempts"].as_array().expect("attempts");
    assert!(attempts.len() >= 2, "retried before giving up: {page}");
    assert!(attempts.iter().all(|a| a["status_code"] == 503));
    let mail = app
        .delivered("webhook_disabled", "contact@siccam.example", 1)
        .await;
    assert!(
        mail[0].text.contains("aucun envoi n’a abouti depuis le"),
        "in the fair's language, saying why: {}",
        mail[0].text
    );

    // Turned on again, its spell of failures starts afresh: one more failure does not
    // disable it at once.
    let (_, on) = app
        .patch(
            &format!("{base}/{id}"),
            Some(&app.admin),
            json!({"enabled": true}),
        )
        .await;
    assert_eq!(on["enabled"], true);
    assert_eq!(on["disabled_reason"], Value::Null);
    receiver.answer("/down", &[503]);
    walk_in(&app, &slug, "imane@example.com").await;
    let before = receiver.wait("/down", 1).await.len();
    receiver.wait("/down", before + 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, hook) = app.get(&format!("{base}/{id}"), Some(&app.admin)).await;
    assert_eq!(hook["enabled"], true, "{hook}");
}

#[tokio::test]
async fn a_slow_endpoint_holds_one_slot_not_the_others() {
    let (receiver, address) = Receiver::start().await;
    receiver
        .slow
        .lock()
        .expect("slow")
        .push(("/slow".into(), Duration::from_secs(4)));
    let app = spawn_app_with(|s| {
        s.webhooks.worker = true;
        s.webhooks.allow_private = true;
        s.webhooks.concurrency = 4;
    })
    .await;
    let slug = app.open_event("hooks-slow", None).await;
    for path in ["/slow", "/fast"] {
        let (status, _) = app
            .post(
                &format!("/api/v1/events/{slug}/webhooks"),
                Some(&app.admin),
                json!({"url": format!("{address}{path}"), "event_types": ["registration.created"]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let started = std::time::Instant::now();
    walk_in(&app, &slug, "first@example.com").await;
    receiver.wait("/slow", 1).await;
    walk_in(&app, &slug, "second@example.com").await;
    walk_in(&app, &slug, "third@example.com").await;
    let fast = receiver.wait("/fast", 3).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the fast endpoint got its three deliveries while the slow one was still answering ({:?})",
        started.elapsed()
    );
    assert_eq!(fast.len(), 3);
}
