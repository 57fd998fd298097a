use reqwest::StatusCode;
use salon::domain::Role;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn login_issues_a_token_that_works_and_can_be_revoked() {
    let app = spawn_app().await;
    let email = app.create_organizer(Role::Editor);
    let (status, body) = app
        .post(
            "/api/v1/auth/tokens",
            None,
            json!({"email": email.to_uppercase(), "password": TEST_PASSWORD, "name": "laptop"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = body["token"].as_str().expect("token").to_string();
    assert!(token.starts_with("slt_") && token.len() >= 47, "{token}");
    assert_eq!(body["name"], "laptop");
    let id = body["id"].as_i64().expect("id");

    // Only the hash is stored.
    let stored: Vec<String> = {
        use diesel::prelude::*;
        use salon::db::schema::api_tokens;
        let mut pooled = app.db.get().expect("conn");
        salon::run!(&mut pooled.conn(), |c| api_tokens::table
            .select(api_tokens::token_hash)
            .load::<String>(c))
        .expect("tokens")
    };
    assert!(!stored.iter().any(|h| h == &token));
    assert!(stored.contains(&salon::crypto::token_hash(&token)));

    let (status, _) = app
        .post("/api/v1/events", Some(&token), event_body("fair-auth"))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, _) = app
        .delete(&format!("/api/v1/auth/tokens/{id}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get("/api/v1/events", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = spawn_app().await;
    let email = app.create_organizer(Role::Viewer);
    let (s1, b1) = app
        .post(
            "/api/v1/auth/tokens",
            None,
            json!({"email": email, "password": "wrong password!", "name": "x"}),
        )
        .await;
    let (s2, b2) = app
        .post(
            "/api/v1/auth/tokens",
            None,
            json!({"email": "nobody@example.com", "password": "wrong password!", "name": "x"}),
        )
        .await;
    assert_eq!(s1, StatusCode::UNAUTHORIZED);
    assert_eq!(s2, StatusCode::UNAUTHORIZED);
    assert_eq!(b1, b2);
}

#[tokio::test]
async fn tokens_of_others_cannot_be_revoked_except_by_an_admin() {
    let app = spawn_app().await;
    let email = app.create_organizer(Role::Editor);
    let (_, body) = app
        .post(
            "/api/v1/auth/tokens",
            None,
            json!({"email": email, "password": TEST_PASSWORD, "name": "a"}),
        )
        .await;
    let id = body["id"].as_i64().expect("id");
    let other = app.organizer_token(Role::Editor).await;
    let (status, _) = app
        .delete(&format!("/api/v1/auth/tokens/{id}"), Some(&other))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .delete(&format!("/api/v1/auth/tokens/{id}"), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app
        .delete(&format!("/api/v1/auth/tokens/{id}"), Some(&app.admin))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn only_admins_add_organizers() {
    let app = spawn_app().await;
    let body =
        json!({"email": "new.editor@example.com", "password": "a long password", "role": "editor"});
    let editor = app.organizer_token(Role::Editor).await;
    let (status, _) = app
        .post("/api/v1/organizers", Some(&editor), body.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.post("/api/v1/organizers", None, body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, created) = app
        .post("/api/v1/organizers", Some(&app.admin), body.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["role"], "editor");
    let (status, _) = app.post("/api/v1/organizers", Some(&app.admin), body).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, b) = app
        .post(
            "/api/v1/organizers",
            Some(&app.admin),
            json!({"email": "x@example.com", "password": "short", "role": "boss"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let mut fields = error_fields(&b);
    fields.sort();
    assert_eq!(fields, vec!["password", "role"], "every bad field at once");
    let (status, b) = app
        .post(
            "/api/v1/organizers",
            Some(&app.admin),
            json!({"email": "x@example.com", "password": "short", "role": "viewer"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&b), vec!["password"]);
    // The new account can log in.
    let (status, _) = app
        .post(
            "/api/v1/auth/tokens",
            None,
            json!({"email": "new.editor@example.com", "password": "a long password", "name": "n"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn role_boundaries() {
    let app = spawn_app().await;
    let f = app.programme_fixture("roles").await;
    let viewer = app.organizer_token(Role::Viewer).await;
    let checkin = app.organizer_token(Role::Checkin).await;
    let editor = app.organizer_token(Role::Editor).await;

    // Writes need editor.
    let writes: Vec<(reqwest::Method, String, serde_json::Value)> = vec![
        (
            reqwest::Method::POST,
            "/api/v1/events".into(),
            event_body("roles-2"),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/v1/events/{}", f.slug),
            json!({"city": "Rabat"}),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/events/{}/rooms", f.slug),
            json!({"name": "R", "capacity": 3}),
        ),
        (
            reqwest::Method::PATCH,
            format!("/api/v1/events/{}/rooms/{}", f.slug, f.room_a),
            json!({"capacity": 3}),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/events/{}/tracks", f.slug),
            json!({"name": "T", "color": "#000000"}),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/events/{}/speakers", f.slug),
            json!({"name": "S"}),
        ),
        (
            reqwest::Method::POST,
            f.sessions(),
            session_body("S", f.room_a, "09:00", "10:00", &[]),
        ),
        (
            reqwest::Method::POST,
            format!("/api/v1/events/{}/schedule/releases", f.slug),
            json!({"version": "1"}),
        ),
    ];
    for (method, path, body) in &writes {
        for token in [&viewer, &checkin] {
            let (status, b) = app
                .send(method.clone(), path, Some(token), Some(body))
                .await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path}: {b}");
        }
        let (status, _) = app.send(method.clone(), path, None, Some(body)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        let (status, _) = app
            .send(
                method.clone(),
                path,
                Some("slt_not-a-real-token"),
                Some(body),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
    }
    for (method, path, body) in &writes {
        let (status, b) = app
            .send(method.clone(), path, Some(&editor), Some(body))
            .await;
        assert!(status.is_success(), "editor {method} {path}: {status} {b}");
    }
    // Organizer reads need viewer; checkin may not read them.
    for path in [
        format!("/api/v1/events/{}/schedule/conflicts", f.slug),
        format!("/api/v1/events/{}/schedule/releases", f.slug),
    ] {
        let (status, _) = app.get(&path, Some(&viewer)).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let (status, _) = app.get(&path, Some(&checkin)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        let (status, _) = app.get(&path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
    }
    // The audit log is for admins.
    for token in [&viewer, &editor] {
        let (status, _) = app.get("/api/v1/audit", Some(token)).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = app
            .get(&format!("/api/v1/events/{}/audit", f.slug), Some(token))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // A malformed Authorization header is 401 even on public routes.
    let res = app
        .client
        .get(app.url("/api/v1/events"))
        .header("authorization", "Basic abc")
        .send()
        .await
        .expect("send");
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn every_organizer_write_is_audited() {
    let app = spawn_app().await;
    let f = app.programme_fixture("audited").await;
    let (status, log) = app
        .get(
            &format!("/api/v1/events/{}/audit?per_page=200", f.slug),
            Some(&app.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let entries: Vec<(String, String)> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or("").into(),
                e["entity"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    for expected in [
        ("create", "event"),
        ("publish", "event"),
        ("create", "room"),
        ("create", "speaker"),
        ("create", "track"),
    ] {
        assert!(
            entries.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} missing in {entries:?}"
        );
    }
    assert!(log["items"][0]["organizer_id"].as_i64().is_some());
    let (_, all) = app
        .get(
            "/api/v1/audit?sort=-created_at&per_page=1",
            Some(&app.admin),
        )
        .await;
    assert_eq!(all["items"].as_array().map(|a| a.len()), Some(1));
}

/// A storm of wrong passwords cannot exhaust the server: a bounded number of argon2 checks
/// run at once (the others get 503 with Retry-After), and an account whose password was
/// guessed wrong too often is refused (429) whatever the address.
#[tokio::test]
async fn a_login_storm_is_bounded() {
    let app = spawn_app().await;
    let email = app.create_organizer(Role::Editor);
    let attempts = (0..16).map(|_| {
        app.post(
            "/api/v1/auth/tokens",
            None,
            json!({"email": email, "password": "wrong password 123", "name": "storm"}),
        )
    });
    let answers = futures::future::join_all(attempts).await;
    let busy = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
        .count();
    let refused = answers
        .iter()
        .filter(|(s, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    assert!(
        busy > 0,
        "some were told to come back: {:?}",
        answers.iter().map(|a| a.0).collect::<Vec<_>>()
    );
    assert!(
        refused > 0 && refused <= 10,
        "{refused} wrong passwords checked"
    );
    for _ in 0..12 {
        let (status, _) = app
            .post(
                "/api/v1/auth/tokens",
                None,
                json!({"email": email, "password": "wrong password 123", "name": "storm"}),
            )
            .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            let (status, _) = app
                .post(
                    "/api/v1/auth/tokens",
                    None,
                    json!({"email": email, "password": TEST_PASSWORD, "name": "right"}),
                )
                .await;
            assert_eq!(
                status,
                StatusCode::TOO_MANY_REQUESTS,
                "the account rests, even for the right password"
            );
            // `salon admin unlock` (another process, writing the database) lifts the lock: the
            // next sign-in with the right password gets in, a wrong one counts afresh.
            {
                let mut pooled = app.db.get().expect("conn");
                salon::auth::handlers::unlock_from_cli(&mut pooled.conn(), &email).expect("unlock");
            }
            let (status, body) = app
                .post(
                    "/api/v1/auth/tokens",
                    None,
                    json!({"email": email, "password": TEST_PASSWORD, "name": "unlocked"}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "unlocked: {body}");
            return;
        }
    }
    panic!("the account was never throttled");
}

/// `/metrics` is off until a token is set, then answers only that token.
#[tokio::test]
async fn metrics_need_their_token() {
    let app = spawn_app().await;
    let (status, _) = app.get("/metrics", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let app =
        spawn_app_with(|s| s.server.metrics_token = salon::config::Secret::new("scrape-me")).await;
    let (status, _) = app.get("/metrics", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get("/metrics", Some("wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let res = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .expect("text")
        .contains("salon_http_requests_total"));
}

/// `salon admin create` at a terminal: a prompt, the password not shown, Enter ends it.
#[cfg(target_os = "linux")]
#[test]
fn admin_create_prompts_at_a_terminal_and_does_not_show_the_password() {
    use std::io::{Read, Write};
    use std::os::fd::{FromRawFd, OwnedFd};
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills two descriptors of a new pseudo terminal, owned below.
    let opened = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "a pseudo terminal");
    // SAFETY: both descriptors are new and owned by nothing else.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let dir = std::env::temp_dir().join(format!("salon-tty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_salon"))
        .args([
            "admin",
            "create",
            "--new-database",
            "--email",
            "tty@example.ma",
        ])
        .current_dir(&dir)
        .env_remove("SALON_ADMIN_PASSWORD")
        .stdin(slave.try_clone().expect("stdin"))
        .stdout(slave.try_clone().expect("stdout"))
        .stderr(slave)
        .spawn()
        .expect("salon admin create");
    let mut terminal = std::fs::File::from(master);
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while !String::from_utf8_lossy(&seen).contains("Password") {
        let n = terminal.read(&mut buf).expect("the prompt");
        assert!(n > 0, "the terminal closed before a prompt");
        seen.extend_from_slice(&buf[..n]);
    }
    terminal
        .write_all(b"correct horse battery\r")
        .expect("type the password");
    let status = child.wait().expect("salon exits after Enter");
    // What the terminal showed after the prompt (the child has exited: read what is left).
    // SAFETY: a non-blocking read of our own descriptor.
    unsafe {
        let fd = std::os::fd::AsRawFd::as_raw_fd(&terminal);
        libc::fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK);
    }
    while let Ok(n) = terminal.read(&mut buf) {
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&buf[..n]);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let shown = String::from_utf8_lossy(&seen);
    assert!(status.success(), "{shown}");
    assert!(
        !shown.contains("correct horse"),
        "the password was shown: {shown}"
    );
    assert!(shown.contains("tty@example.ma"), "{shown}");
}

/// `salon admin list` shows the accounts; `salon admin reset-password` sets a new password and
/// ends what the old one opened (API tokens, console sessions).
#[test]
fn admin_list_and_reset_password_from_the_command_line() {
    let dir = std::env::temp_dir().join(format!("salon-admin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let salon = |args: &[&str], password: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_salon"));
        cmd.args(args)
            .current_dir(&dir)
            .env_remove("SALON_ADMIN_PASSWORD");
        if let Some(p) = password {
            cmd.env("SALON_ADMIN_PASSWORD", p);
        }
        let out = cmd.output().expect("salon");
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{args:?}: {stdout} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    // Where there is no database, `admin` does not make one unless asked: run from the wrong
    // folder, it would be a second, empty database beside the server's.
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_salon"))
        .args(["admin", "create", "--email", "first@example.ma"])
        .current_dir(&dir)
        .env("SALON_ADMIN_PASSWORD", "first password 1")
        .output()
        .expect("salon");
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{said}");
    let path = std::path::absolute(dir.join("var/salon.db")).expect("path");
    assert!(
        said.contains(&path.display().to_string()) && said.contains("--new-database"),
        "{said}"
    );
    assert!(!dir.join("var/salon.db").exists(), "no database was made");
    salon(
        &[
            "admin",
            "create",
            "--new-database",
            "--email",
            "first@example.ma",
        ],
        Some("first password 1"),
    );
    salon(
        &[
            "admin",
            "create",
            "--email",
            "door@example.ma",
            "--role",
            "checkin",
        ],
        Some("door password 12"),
    );
    let list = salon(&["admin", "list"], None);
    assert!(
        list.contains("first@example.ma") && list.contains("admin"),
        "{list}"
    );
    assert!(
        list.contains("door@example.ma") && list.contains("checkin"),
        "{list}"
    );

    // A token made with the old password, then the reset.
    let db = salon::db::Db::connect(
        &format!("sqlite://{}", dir.join("var/salon.db").display()),
        1,
        std::time::Duration::from_secs(5),
    )
    .expect("db");
    let email = salon::domain::EmailAddress::parse("door@example.ma").expect("email");
    let token = salon::crypto::new_token(salon::auth::ORGANIZER_PREFIX);
    {
        let mut pooled = db.get().expect("conn");
        let mut c = pooled.conn();
        let row = salon::auth::store::find_by_email(&mut c, &email)
            .expect("query")
            .expect("door");
        salon::auth::store::insert_token(
            &mut c,
            row.id,
            "laptop",
            &salon::crypto::token_hash(&token),
        )
        .expect("token");
    }
    let said = salon(
        &["admin", "reset-password", "--email", "door@example.ma"],
        Some("a new door password"),
    );
    assert!(said.contains("door@example.ma"), "{said}");
    let mut pooled = db.get().expect("conn");
    let mut c = pooled.conn();
    let row = salon::auth::store::find_by_email(&mut c, &email)
        .expect("query")
        .expect("door");
    assert!(salon::auth::verify_password(
        "a new door password",
        Some(&row.password_hash)
    ));
    assert!(!salon::auth::verify_password(
        "door password 12",
        Some(&row.password_hash)
    ));
    let live =
        salon::auth::store::find_token(&mut c, &salon::crypto::token_hash(&token)).expect("query");
    assert!(live.is_none(), "the old password's token is revoked");
    let said = salon(&["admin", "unlock", "--email", "first@example.ma"], None);
    assert!(said.contains("first@example.ma"), "{said}");
    let first = salon::domain::EmailAddress::parse("first@example.ma").expect("email");
    let row = salon::auth::store::find_by_email(&mut c, &first)
        .expect("query")
        .expect("first");
    assert!(
        row.unlocked_at.is_some(),
        "the unlock is written for the server to read"
    );
    drop(pooled);
    drop(db);
    let _ = std::fs::remove_dir_all(&dir);
}
