//! Two-factor sign-in as a browser and a script meet it: turning it on from the account page,
//! the console's second step (a code used once, a recovery code used once), the API's token
//! request, the admins' requirement and an admin turning off a lost phone's two-factor.

use chrono::DateTime;
use reqwest::StatusCode;
use salon::auth::two_factor::{code_at, from_base32, step_of};
use salon::domain::Role;

use crate::console::{console_cookie, csrf_of, no_redirects};
use crate::helpers::*;

/// The page's text, with `/` unescaped.
async fn page(client: &reqwest::Client, app: &TestApp, path: &str, cookie: &str) -> String {
    client
        .get(app.url(path))
        .header("cookie", cookie)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("text")
        .replace("&#x2f;", "/")
}

/// The csrf token of the form posting to `action` on `page`.
fn form_csrf(page: &str, action: &str) -> String {
    csrf_of(
        page.split(&format!(r#"action="{action}"#))
            .nth(1)
            .unwrap_or_else(|| panic!("a form posting to {action}")),
    )
}

/// The value of the hidden field `name` on `page`.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!(r#"name="{name}" value=""#);
    let at = page.find(&marker).expect("the field") + marker.len();
    page[at..].split('"').next().expect("a value").to_string()
}

/// The code the app shows at the app's pinned time `at` (+ `steps` steps).
fn code(secret: &str, at: i64, steps: i64) -> String {
    code_at(&from_base32(secret).expect("base32"), step_of(at) + steps)
}

struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    origin: String,
}

impl Browser<'_> {
    fn new(app: &TestApp) -> Browser<'_> {
        Browser {
            app,
            client: no_redirects(),
            origin: app.url("").trim_end_matches('/').to_string(),
        }
    }

    async fn post(
        &self,
        path: &str,
        cookie: Option<&str>,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let mut req = self
            .client
            .post(self.app.url(path))
            .header("origin", &self.origin)
            .form(form);
        if let Some(cookie) = cookie {
            req = req.header("cookie", cookie);
        }
        req.send().await.expect("post")
    }

    /// The password step: the code page it answers (200, no session yet).
    async fn password_step(&self, email: &str) -> String {
        let form = page(&self.client, self.app, "/console/sign-in", "").await;
        let res = self
            .post(
                "/console/sign-in",
                None,
                &[
                    ("email", email),
                    ("password", TEST_PASSWORD),
                    ("csrf", &csrf_of(&form)),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK, "the code step, not a session");
        assert!(res.headers().get("set-cookie").is_none());
        res.text().await.expect("code page")
    }

    /// The code step with `code`.
    async fn code_step(&self, code_page: &str, code: &str) -> reqwest::Response {
        self.post(
            "/console/sign-in/code",
            None,
            &[
                ("ticket", &hidden(code_page, "ticket")),
                ("code", code),
                ("next", "/console"),
                ("csrf", &csrf_of(code_page)),
            ],
        )
        .await
    }
}

fn cookie_of(res: &reqwest::Response) -> String {
    let cookie = res.headers()["set-cookie"].to_str().expect("cookie");
    cookie.split(';').next().expect("name=value").to_string()
}

#[tokio::test]
async fn two_factor_sign_in_from_turning_on_to_a_lost_phone() {
    let app = spawn_app().await;
    let t0 = 1_900_000_020; // a step's start: +30 s is the next step
    app.clock.set(Some(
        DateTime::from_timestamp(t0, 0).expect("as the test expects"),
    ));
    let editor = app.create_organizer(Role::Editor);
    let cookie = console_cookie(&app, &editor).await;
    let b = Browser::new(&app);

    // Turn it on: a secret, shown as a QR code and as text, counts once its code is typed.
    let account = page(&b.client, &app, "/console/account?lang=en", &cookie).await;
    assert!(account.contains("Turn on two-factor sign-in"));
    let action = "/console/account/two-factor";
    let res = b
        .post(
            action,
            Some(&cookie),
            &[("csrf", &form_csrf(&account, action))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"]
        .to_str()
        .expect("as the test expects")
        .ends_with("#two-factor"));
    let account = page(&b.client, &app, "/console/account?lang=en", &cookie).await;
    assert!(account.contains("<svg"), "the QR code");
    let at = account.find(r#"id="totp-secret">"#).expect("the key") + 17;
    let secret: String = account[at..]
        .split('<')
        .next()
        .expect("as the test expects")
        .replace(' ', "");
    assert_eq!(secret.len(), 32);
    let confirm = "/console/account/two-factor/confirm";
    let csrf = form_csrf(&account, confirm);
    let wrong = b
        .post(
            confirm,
            Some(&cookie),
            &[("code", "000000"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong
            .text()
            .await
            .expect("as the test expects")
            .contains(r#"id="code-error""#),
        "said beside the field"
    );
    let on = b
        .post(
            confirm,
            Some(&cookie),
            &[("code", &code(&secret, t0, 0)), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(on.status(), StatusCode::OK);
    let on = on.text().await.expect("as the test expects");
    let recovery: Vec<String> = on
        .split(r#"<ol class="recovery-codes""#)
        .nth(1)
        .expect("the recovery codes, shown once")
        .split("</ol>")
        .next()
        .expect("as the test expects")
        .split("<code>")
        .skip(1)
        .map(|c| {
            c.split('<')
                .next()
                .expect("as the test expects")
                .to_string()
        })
        .collect();
    assert_eq!(recovery.len(), 10);
    let again = page(&b.client, &app, "/console/account?lang=en", &cookie).await;
    assert!(!again.contains(&recovery[0]), "shown once only");
    assert!(again.contains("10 recovery codes left."));

    // Signing in now asks for a code; the code that turned it on is spent, a wrong one too.
    let code_page = b.password_step(&editor).await;
    for spent in [code(&secret, t0, 0), "123456".to_string()] {
        let res = b.code_step(&code_page, &spent).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{spent}");
        assert!(res.headers().get("set-cookie").is_none());
    }
    app.clock.set(Some(
        DateTime::from_timestamp(t0 + 30, 0).expect("as the test expects"),
    ));
    let next = code(&secret, t0 + 30, 0);
    let res = b.code_step(&code_page, &next).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/console");
    let signed = cookie_of(&res);
    let res = b
        .client
        .get(app.url("/console"))
        .header("cookie", &signed)
        .send()
        .await
        .expect("as the test expects");
    assert_eq!(res.status(), StatusCode::OK, "a session");
    let res = b.code_step(&code_page, &next).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "a code serves once");

    // A recovery code, typed in capitals with a space, serves once.
    let code_page = b.password_step(&editor).await;
    let typed = recovery[3].to_uppercase().replace('-', " ");
    assert_eq!(
        b.code_step(&code_page, &typed).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        b.code_step(&code_page, &recovery[3]).await.status(),
        StatusCode::UNAUTHORIZED
    );

    // A forged ticket goes back to the password.
    let forged = code_page.replace(&hidden(&code_page, "ticket"), "1.9999999999.00");
    let res = b.code_step(&forged, &recovery[4]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res
        .text()
        .await
        .expect("as the test expects")
        .contains(r#"name="password""#));

    // The API asks for the code as well.
    let body = serde_json::json!({"email": editor, "password": TEST_PASSWORD, "name": "laptop"});
    let (status, problem) = app.post("/api/v1/auth/tokens", None, body.clone()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        problem["detail"]
            .as_str()
            .expect("as the test expects")
            .contains("code"),
        "{problem}"
    );
    app.clock.set(Some(
        DateTime::from_timestamp(t0 + 60, 0).expect("as the test expects"),
    ));
    let mut with_code = body.clone();
    with_code["code"] = code(&secret, t0 + 60, 0).into();
    let (status, _) = app
        .post("/api/v1/auth/tokens", None, with_code.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, _) = app.post("/api/v1/auth/tokens", None, with_code).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "not twice");

    // The admins require it: a viewer without it reaches only their account page, and the
    // API refuses them a token; an admin turns off the editor's lost phone.
    let admin = app.create_organizer(Role::Admin);
    let admin_cookie = console_cookie(&app, &admin).await;
    let team = page(&b.client, &app, "/console/team?lang=en", &admin_cookie).await;
    let policy = "/console/team/two-factor";
    let csrf = form_csrf(&team, policy);
    let res = b
        .post(
            policy,
            Some(&admin_cookie),
            &[("required", "yes"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "not before the admin has it"
    );
    assert!(res
        .text()
        .await
        .expect("as the test expects")
        .contains("your own account first"));
    {
        let mut pooled = app.db.get().expect("conn");
        let email = salon::domain::EmailAddress::parse(&admin).expect("email");
        let c = &mut pooled.conn();
        let id = salon::auth::store::find_by_email(c, &email)
            .expect("as the test expects")
            .expect("as the test expects")
            .id;
        let now = DateTime::from_timestamp(t0, 0)
            .expect("as the test expects")
            .naive_utc();
        salon::auth::store::set_totp_secret(c, id, Some("MZXW6YTBOI"))
            .expect("as the test expects");
        salon::auth::store::enable_totp(c, id, now, step_of(t0)).expect("as the test expects");
    }
    let res = b
        .post(
            policy,
            Some(&admin_cookie),
            &[("required", "yes"), ("csrf", &csrf)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let viewer = app.create_organizer(Role::Viewer);
    let viewer_cookie = console_cookie(&app, &viewer).await;
    let res = b
        .client
        .get(app.url("/console"))
        .header("cookie", &viewer_cookie)
        .send()
        .await
        .expect("as the test expects");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"]
        .to_str()
        .expect("as the test expects")
        .starts_with("/console/account"));
    let account = page(&b.client, &app, "/console/account?lang=en", &viewer_cookie).await;
    assert!(account.contains("The admins require two-factor sign-in"));
    let body = serde_json::json!({"email": viewer, "password": TEST_PASSWORD, "name": "x"});
    let (status, _) = app.post("/api/v1/auth/tokens", None, body).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let id = {
        let mut pooled = app.db.get().expect("conn");
        let email = salon::domain::EmailAddress::parse(&editor).expect("email");
        salon::auth::store::find_by_email(&mut pooled.conn(), &email)
            .expect("query")
            .expect("editor")
            .id
    };
    let team = page(&b.client, &app, "/console/team?lang=en", &admin_cookie).await;
    let reset = format!("/console/team/{id}/two-factor/reset");
    let res = b.post(&reset, Some(&signed), &[("csrf", "x")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "an editor cannot");
    let res = b
        .post(
            &reset,
            Some(&admin_cookie),
            &[("csrf", &form_csrf(&team, &reset))],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    // With the requirement on, the editor signs in with the password and must turn it on again.
    let cookie = console_cookie(&app, &editor).await;
    let res = b
        .client
        .get(app.url("/console"))
        .header("cookie", &cookie)
        .send()
        .await
        .expect("as the test expects");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let audit: i64 = {
        use diesel::prelude::*;
        use salon::db::schema::audit_entries::dsl::*;
        let mut pooled = app.db.get().expect("conn");
        salon::run!(&mut pooled.conn(), |c| audit_entries
            .filter(action.eq_any([
                "enable_two_factor",
                "reset_two_factor",
                "require_two_factor"
            ]))
            .count()
            .get_result(c))
        .expect("count")
    };
    assert_eq!(audit, 3, "each change is in the audit log");
}
