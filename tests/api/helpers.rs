//! The test application: the real `Application`, built from `Settings` with port 0 and a fresh
//! database — a SQLite file in a temporary folder, or, when `SALON_TEST_POSTGRES_URL` is set
//! (e.g. `postgres://postgres@127.0.0.1:5432`), a fresh PostgreSQL database dropped afterwards.
//! Tests talk HTTP to it.

use std::sync::OnceLock;

use diesel::prelude::*;
use reqwest::StatusCode;
use salon::db::Db;
use salon::domain::Role;
use salon::{Application, Settings};
use serde_json::{json, Value};

pub const ENV_PG: &str = "SALON_TEST_POSTGRES_URL";

/// The PostgreSQL server to test against, if any.
pub fn postgres_base() -> Option<String> {
    std::env::var(ENV_PG)
        .ok()
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('/').to_string())
}

pub fn unique_name() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().gen();
    format!("salon_test_{n:016x}")
}

/// A database made for one test, removed when dropped.
pub enum TestDb {
    Sqlite {
        dir: std::path::PathBuf,
        url: String,
    },
    Postgres {
        base: String,
        name: String,
        url: String,
    },
}

impl TestDb {
    pub fn new() -> TestDb {
        match postgres_base() {
            Some(base) => TestDb::new_postgres(&base),
            None => TestDb::new_sqlite(),
        }
    }

    pub fn new_sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(unique_name());
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = format!("sqlite://{}", dir.join("salon.db").display());
        TestDb::Sqlite { dir, url }
    }

    pub fn new_postgres(base: &str) -> TestDb {
        let name = unique_name();
        let mut admin = PgConnection::establish(&format!("{base}/postgres?sslmode=disable"))
            .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at {base} ({ENV_PG}): {e}"));
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .expect("create test database");
        // No TLS to the local server: libpq must not be inside OpenSSL in a pool thread when
        // the test process exits and OpenSSL's exit handlers run.
        TestDb::Postgres {
            base: base.to_string(),
            url: format!("{base}/{name}?sslmode=disable"),
            name,
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite { dir, .. } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { base, name, .. } => {
                if let Ok(mut admin) =
                    PgConnection::establish(&format!("{base}/postgres?sslmode=disable"))
                {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut admin);
                }
            }
        }
    }
}

/// The settings of a test app: its own database, no mail sender (the test delivers the outbox
/// through an in-memory transport, see [`TestApp::drain_mail`]), no rate limit to speak of.
pub fn test_settings(db: &TestDb, mail_dir: &std::path::Path) -> Settings {
    let mut s =
        Settings::from_sources(None, Vec::<(String, String)>::new()).expect("default settings");
    s.mail.url = salon::config::Secret::new(format!("file://{}", mail_dir.display()));
    s.mail.worker = false;
    // Webhook tests turn the sender on with a receiver of their own.
    s.webhooks.worker = false;
    s.mail.poll_interval = std::time::Duration::from_millis(50);
    s.mail.retry_base = std::time::Duration::from_millis(200);
    s.rate_limit.per_minute = 10_000;
    s.server.bind = "127.0.0.1:0".into();
    s.server.workers = 1;
    s.server.secret_key = salon::config::Secret::new("test-secret-key");
    s.database.url = salon::config::Secret::new(db.url());
    s.database.pool_size = 4;
    s
}

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub db: Db,
    pub settings: Settings,
    /// A token of an admin organizer.
    pub admin: String,
    /// Where the file transport writes this app's emails.
    pub mail_dir: std::path::PathBuf,
    /// The application's clock, to pin the day.
    pub clock: std::sync::Arc<salon::clock::Clock>,
    /// Where [`TestApp::drain_mail`] delivers, and what it delivered: Message-ID → (kind,
    /// outbox id).
    transport: salon::email::transport::Transport,
    memory: salon::email::transport::Mailbox,
    kinds: std::sync::Mutex<std::collections::HashMap<String, (String, i64)>>,
    handle: actix_web::dev::ServerHandle,
    // Dropped last: the database outlives the server handle.
    _db: std::sync::Arc<TestDb>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if std::sync::Arc::strong_count(&self._db) == 1 {
            let _ = std::fs::remove_dir_all(&self.mail_dir);
        }
        let handle = self.handle.clone();
        // Stop accepting; the database is removed when the last TestApp sharing it is dropped.
        drop(tokio::spawn(async move { handle.stop(false).await }));
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let db = std::sync::Arc::new(TestDb::new());
    let mail_dir = std::env::temp_dir().join(format!("{}-mail", unique_name()));
    let mut settings = test_settings(&db, &mail_dir);
    // Links in emails must point at this server: choose its port before it starts.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port();
    settings.server.bind = format!("127.0.0.1:{port}");
    settings.server.public_base_url = format!("http://127.0.0.1:{port}");
    configure(&mut settings);
    start(settings, db, None).await
}

/// An application on SQLite, whichever backend the suite runs on (to copy from SQLite).
pub async fn spawn_sqlite_app() -> TestApp {
    let db = std::sync::Arc::new(TestDb::new_sqlite());
    let mail_dir = std::env::temp_dir().join(format!("{}-mail", unique_name()));
    let mut settings = test_settings(&db, &mail_dir);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("free port")
        .local_addr()
        .expect("addr")
        .port();
    settings.server.bind = format!("127.0.0.1:{port}");
    settings.server.public_base_url = format!("http://127.0.0.1:{port}");
    start(settings, db, None).await
}

/// A second instance of the same application on the same database, with its own pool.
pub async fn spawn_sibling(app: &TestApp) -> TestApp {
    start(
        app.settings.clone(),
        app._db.clone(),
        Some(app.admin.clone()),
    )
    .await
}

async fn start(
    mut settings: Settings,
    db: std::sync::Arc<TestDb>,
    admin: Option<String>,
) -> TestApp {
    if admin.is_some() {
        // A sibling instance listens elsewhere (its links still name the first one's origin).
        settings.server.bind = "127.0.0.1:0".into();
    }
    let mut tries = 0;
    let application = loop {
        match Application::build(settings.clone()).await {
            Ok(application) => break application,
            // The port chosen before the start was taken meanwhile (another test's connection
            // got it as its own ephemeral port): choose again, links and all.
            Err(e) if admin.is_none() && tries < 10 && format!("{e:#}").contains("in use") => {
                tries += 1;
                let before = format!("http://{}", settings.server.bind);
                let port = std::net::TcpListener::bind("127.0.0.1:0")
                    .expect("free port")
                    .local_addr()
                    .expect("addr")
                    .port();
                settings.server.bind = format!("127.0.0.1:{port}");
                if settings.server.public_base_url == before {
                    settings.server.public_base_url = format!("http://127.0.0.1:{port}");
                }
            }
            Err(e) => panic!("application builds: {e:?}"),
        }
    };
    let address = format!("http://127.0.0.1:{}", application.port());
    let pool = application.db.clone();
    let clock = application.clock.clone();
    let handle = application.handle();
    tokio::spawn(application.run_until_stopped());
    let mail_dir =
        std::path::PathBuf::from(settings.mail.url.expose().trim_start_matches("file://"));
    let (transport, memory) = salon::email::transport::Transport::memory();
    let mut app = TestApp {
        address,
        client: reqwest::Client::new(),
        db: pool,
        settings,
        admin: String::new(),
        mail_dir,
        clock,
        transport,
        memory,
        kinds: Default::default(),
        handle,
        _db: db,
    };
    app.admin = match admin {
        Some(t) => t,
        None => app.organizer_token(Role::Admin).await,
    };
    app
}

/// An argon2 hash computed once per test process (hashing is slow in debug builds).
fn password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| salon::auth::hash_password(TEST_PASSWORD).expect("hash"))
}

pub const TEST_PASSWORD: &str = "correct horse battery staple";

impl TestApp {
    /// Creates an organizer with `role` (password [`TEST_PASSWORD`]) and returns its email.
    pub fn create_organizer(&self, role: Role) -> String {
        let email = format!("{}-{}@example.com", role.as_str(), unique_name());
        let parsed = salon::domain::EmailAddress::parse(&email).expect("email");
        let mut pooled = self.db.get().expect("connection");
        salon::auth::create_organizer(&mut pooled.conn(), &parsed, password_hash(), role)
            .expect("organizer");
        email
    }

    /// A fresh organizer with `role` and a token for it, minted directly in the database.
    pub async fn organizer_token(&self, role: Role) -> String {
        let email = self.create_organizer(role);
        let parsed = salon::domain::EmailAddress::parse(&email).expect("email");
        let mut pooled = self.db.get().expect("connection");
        let mut c = pooled.conn();
        let org = salon::auth::store::find_by_email(&mut c, &parsed)
            .expect("query")
            .expect("organizer");
        let token = salon::crypto::new_token(salon::auth::ORGANIZER_PREFIX);
        salon::auth::store::insert_token(
            &mut c,
            org.id,
            "test",
            &salon::crypto::token_hash(&token),
        )
        .expect("token");
        token
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let is_problem = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|ct| ct.starts_with("application/problem+json"));
        let text = res.text().await.expect("body");
        let value: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        if status.is_client_error() || status.is_server_error() {
            assert!(is_problem, "{status} without problem+json: {value}");
            assert_eq!(
                value["status"],
                status.as_u16(),
                "problem status member: {value}"
            );
        }
        (status, value)
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, token, None).await
    }
    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, token, Some(&body))
            .await
    }
    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PATCH, path, token, Some(&body))
            .await
    }
    pub async fn delete(&self, path: &str, token: Option<&str>) -> (StatusCode, Value) {
        self.send(reqwest::Method::DELETE, path, token, None).await
    }

    /// Creates a draft event (3–4 May 2027, Casablanca, 09:00–18:00) and returns its slug.
    pub async fn create_event(&self, slug: &str) -> String {
        let (status, body) = self
            .post("/api/v1/events", Some(&self.admin), event_body(slug))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        slug.to_string()
    }

    /// A published event with two rooms (capacity 100 and 50), two speakers and a track.
    pub async fn programme_fixture(&self, slug: &str) -> Fixture {
        self.create_event(slug).await;
        let (s, _) = self
            .post(
                &format!("/api/v1/events/{slug}/publish"),
                Some(&self.admin),
                json!({}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let room_a = self.create(&format!("/api/v1/events/{slug}/rooms"), json!({"name": {"fr": "Salle A", "ar": "القاعة أ"}, "hall": "Hall 1", "capacity": 100})).await;
        let room_b = self
            .create(
                &format!("/api/v1/events/{slug}/rooms"),
                json!({"name": "Salle B", "capacity": 50}),
            )
            .await;
        let amina = self.create(&format!("/api/v1/events/{slug}/speakers"), json!({"name": "Amina El Idrissi", "email": "amina@example.ma", "organization": "Atlas Contact"})).await;
        let omar = self
            .create(
                &format!("/api/v1/events/{slug}/speakers"),
                json!({"name": "عمر بنعلي", "email": "omar@example.ma"}),
            )
            .await;
        let track = self
            .create(
                &format!("/api/v1/events/{slug}/tracks"),
                json!({"name": "IA", "color": "#FF7F0E"}),
            )
            .await;
        Fixture {
            slug: slug.to_string(),
            room_a,
            room_b,
            amina,
            omar,
            track,
        }
    }

    /// POSTs `body` as admin, asserts 201 and returns the new id.
    pub async fn create(&self, path: &str, body: Value) -> i64 {
        let (status, body) = self.post(path, Some(&self.admin), body).await;
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {body}");
        body["id"].as_i64().expect("id")
    }
}

pub struct Fixture {
    pub slug: String,
    pub room_a: i64,
    pub room_b: i64,
    pub amina: i64,
    pub omar: i64,
    pub track: i64,
}

impl Fixture {
    pub fn sessions(&self) -> String {
        format!("/api/v1/events/{}/sessions", self.slug)
    }
}

pub fn event_body(slug: &str) -> Value {
    json!({
        "slug": slug,
        "name": {"fr": "Salon des centres de contact", "ar": "معرض مراكز الاتصال", "en": "Contact centre fair"},
        "description": "Deux jours",
        "timezone": "Africa/Casablanca",
        "starts_on": "2027-05-03",
        "ends_on": "2027-05-04",
        "venue": "OFEC",
        "city": "Casablanca",
        "languages": ["fr", "ar", "en"],
        "default_language": "fr",
        "capacity": 500,
        "opens_at": "09:00",
        "closes_at": "18:00",
        "contact_email": "contact@siccam.example"
    })
}

/// A session body in `room` on 3 May 2027 from `from` to `to` (local "HH:MM", UTC+1).
pub fn session_body(title: &str, room: i64, from: &str, to: &str, speakers: &[i64]) -> Value {
    json!({
        "title": title,
        "kind": "seminar",
        "language": "fr",
        "room_id": room,
        "starts_at": format!("2027-05-03T{from}:00+01:00"),
        "ends_at": format!("2027-05-03T{to}:00+01:00"),
        "speaker_ids": speakers,
    })
}

/// The `kind`s of a 409's conflicts.
pub fn conflict_kinds(body: &Value) -> Vec<String> {
    body["conflicts"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|c| c["kind"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The field names of a 422.
pub fn error_fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A delivered email, parsed.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    /// The display name and the address of `From:`.
    pub from: (String, String),
    /// The address of `Reply-To:`, if any.
    pub reply_to: Option<String>,
    pub raw: String,
    /// (content type — with its `method` parameter if any —, filename, bytes) of each
    /// attachment, inline ones included.
    pub attachments: Vec<(String, Option<String>, Vec<u8>)>,
}

impl Mail {
    pub fn parse(raw: &[u8]) -> Mail {
        Mail::try_parse(raw).expect("a MIME message")
    }

    /// None for a file still being written.
    pub fn try_parse(raw: &[u8]) -> Option<Mail> {
        use mail_parser::{MessageParser, MimeHeaders};
        let m = MessageParser::default().parse(raw)?;
        m.message_id()?;
        Some(Mail {
            to: m
                .to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .unwrap_or("")
                .to_string(),
            subject: m.subject().unwrap_or("").to_string(),
            text: m.body_text(0).map(|t| t.to_string()).unwrap_or_default(),
            html: m.body_html(0).map(|t| t.to_string()).unwrap_or_default(),
            message_id: m.message_id().unwrap_or("").to_string(),
            from: m
                .from()
                .and_then(|a| a.first())
                .map(|a| {
                    (
                        a.name().unwrap_or("").to_string(),
                        a.address().unwrap_or("").to_string(),
                    )
                })
                .unwrap_or_default(),
            reply_to: m
                .reply_to()
                .and_then(|a| a.first())
                .and_then(|a| a.address())
                .map(str::to_string),
            raw: String::from_utf8_lossy(raw).to_string(),
            attachments: m
                .attachments()
                .map(|a| {
                    let ct = a
                        .content_type()
                        .map(|c| {
                            let essence = format!("{}/{}", c.ctype(), c.subtype().unwrap_or(""));
                            match c.attribute("method") {
                                Some(method) => format!("{essence}; method={method}"),
                                None => essence,
                            }
                        })
                        .unwrap_or_default();
                    (
                        ct,
                        a.attachment_name().map(str::to_string),
                        a.contents().to_vec(),
                    )
                })
                .collect(),
        })
    }

    /// The first URL in the text part starting with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let start = self
            .text
            .find(prefix)
            .unwrap_or_else(|| panic!("no {prefix} link in:\n{}", self.text));
        self.text[start..]
            .split(|c: char| c.is_whitespace() || c == '>' || c == '"')
            .next()
            .unwrap_or("")
            .to_string()
    }

    /// The token at the end of the first link starting with `prefix`.
    pub fn token(&self, prefix: &str) -> String {
        let link = self.link(prefix);
        link.trim_start_matches(prefix)
            .split(['/', '?'])
            .next()
            .unwrap_or("")
            .to_string()
    }
}

impl TestApp {
    /// Writes the emails of pending schedule-change notices and delivers every due email of the
    /// outbox, as the app's mail jobs would, into this test's in-memory transport; returns how
    /// many went out. (Test apps run with `mail.worker = false`, so nothing is sent behind the
    /// test's back.)
    pub fn drain_mail(&self) -> usize {
        salon::registrations::notices::write_due(&self.db, &self.settings).expect("notices");
        let mut sent = 0;
        loop {
            let round =
                salon::email::sender::deliver_due(&self.db, &self.settings, &self.transport)
                    .expect("outbox readable");
            if round.is_empty() {
                return sent;
            }
            let mut kinds = self.kinds.lock().expect("kinds");
            for attempt in round.into_iter().filter(|a| a.sent) {
                kinds.insert(attempt.message_id, (attempt.kind, attempt.id));
                sent += 1;
            }
        }
    }

    /// Every email delivered so far (after delivering what is due), in the order sent:
    /// whatever this app's in-memory transport received, and what a file transport wrote.
    pub fn mailbox(&self) -> Vec<Mail> {
        self.drain_mail();
        let mut mails: Vec<Mail> = self
            .memory
            .messages()
            .iter()
            .filter_map(|(_, raw)| Mail::try_parse(raw))
            .collect();
        if let Ok(dir) = std::fs::read_dir(&self.mail_dir) {
            mails.extend(
                dir.filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
                    .filter_map(|e| std::fs::read(e.path()).ok())
                    .filter_map(|raw| Mail::try_parse(&raw)),
            );
        }
        mails
    }

    /// The emails of `kind` delivered to `to` (after delivering what is due), in the order
    /// they were queued; fails when there are fewer than `count`.
    pub async fn delivered(&self, kind: &str, to: &str, count: usize) -> Vec<Mail> {
        self.drain_mail();
        let kinds = self.kinds.lock().expect("kinds").clone();
        let mut found: Vec<(i64, Mail)> = self
            .memory
            .messages()
            .iter()
            .filter_map(|(id, raw)| match kinds.get(id) {
                Some((k, outbox_id)) if k == kind => Some((*outbox_id, Mail::try_parse(raw)?)),
                _ => None,
            })
            .filter(|(_, m)| m.to == to)
            .collect();
        found.sort_by_key(|(id, _)| *id);
        let found: Vec<Mail> = found.into_iter().map(|(_, m)| m).collect();
        assert!(
            found.len() >= count,
            "{kind} to {to} was delivered {} times, not {count}",
            found.len()
        );
        found
    }

    /// The status of the first outbox row of a kind, once it is `status` (the SMTP server
    /// has the message a moment before the sender records it as sent). Panics after 10 s.
    pub async fn outbox_reaches(&self, kind: &str, status: &str) {
        for _ in 0..200 {
            if self.outbox(kind).first().is_some_and(|row| row.1 == status) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("{kind} never became {status}: {:?}", self.outbox(kind));
    }

    /// Outbox rows of a kind: (recipient, status, attempts).
    pub fn outbox(&self, kind: &str) -> Vec<(Option<String>, String, i32)> {
        use diesel::prelude::*;
        use salon::db::schema::outbox_emails;
        let mut pooled = self.db.get().expect("conn");
        salon::run!(&mut pooled.conn(), |c| outbox_emails::table
            .filter(outbox_emails::kind.eq(kind))
            .order(outbox_emails::id.asc())
            .select((
                outbox_emails::recipient,
                outbox_emails::status,
                outbox_emails::attempts
            ))
            .load(c))
        .expect("outbox")
    }

    /// Registers publicly and returns the confirmation token from the delivered email.
    pub async fn register_and_get_token(&self, slug: &str, email: &str, lang: &str) -> String {
        let (status, body) = self
            .post(&format!("/api/v1/events/{slug}/registrations"), None, json!({"name": format!("Guest {email}"), "email": email, "language": lang, "consent": true}))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{body}");
        let mail = self.delivered("registration_confirm", email, 1).await;
        mail[0].token(&format!("{}/confirm/", self.settings.base_url()))
    }

    /// A published event with `capacity` seats (None: unlimited).
    pub async fn open_event(&self, slug: &str, capacity: Option<i64>) -> String {
        let mut body = event_body(slug);
        body["capacity"] = json!(capacity);
        let (status, b) = self.post("/api/v1/events", Some(&self.admin), body).await;
        assert_eq!(status, StatusCode::CREATED, "{b}");
        let (status, _) = self
            .post(
                &format!("/api/v1/events/{slug}/publish"),
                Some(&self.admin),
                json!({}),
            )
            .await;
        assert_eq!(status, StatusCode::OK);
        slug.to_string()
    }
}

impl TestApp {
    pub async fn put_json(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::PUT, path, Some(&self.admin), Some(&body))
            .await
    }
}

impl TestApp {
    /// A page as a browser gets it, and the CSRF token of its first form.
    pub async fn page_and_csrf(&self, path: &str) -> (String, String) {
        let page = self
            .client
            .get(self.url(path))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("html");
        let csrf = csrf_of(&page);
        (page, csrf)
    }
}

/// The CSRF token of the first form of a page.
pub fn csrf_of(page: &str) -> String {
    page.split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a form with a csrf field")
        .to_string()
}
