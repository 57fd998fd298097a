//! The console's door: `/console/sign-in` (email and password; the account's failed-login
//! budget applies, as for API tokens), then `/console/sign-in/code` for an organizer with
//! two-factor sign-in on ([`super::two_factor`]), and `/console/sign-out`. Signing in starts a
//! console session (see [`super::sessions`]) and goes back to the console page the browser
//! asked for, only ever a `/console` path of this site.
//!
//! Between the two steps the browser holds a ticket in the code form: the organizer's id and
//! a deadline ([`CODE_TIME`]), signed with the instance's secret over the password's hash too,
//! so it proves the password was right, for a few minutes, and dies with a password change.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde::Deserialize;

use super::{sessions, store, throttle::Throttle, two_factor};
use crate::audit;
use crate::domain::EmailAddress;
use crate::error::AppError;
use crate::web::console::ConsoleReply;
use crate::web::console::{
    console_language, safe_next, session_cookie, session_token, ConsoleError, Posted, SIGN_IN,
};
use crate::web::pages::{html, render};
use crate::web::words::{word, words, Section};
use crate::web::{csrf, State};

/// The sign-in form's query: where to go after.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignInQuery {
    /// A console path to come back to (anything else goes to `/console`).
    pub next: Option<String>,
    pub lang: Option<String>,
}

/// The second step's path.
const SIGN_IN_CODE: &str = "/console/sign-in/code";
/// How long the second step's form stays good after the password.
const CODE_TIME: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// The sign-in form.
#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub next: String,
    #[serde(default)]
    pub csrf: String,
}

/// The second step's form: the ticket from the first, and the code.
#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub ticket: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub next: String,
    #[serde(default)]
    pub csrf: String,
}

fn ticket_mac(secret: &str, organizer: &store::OrganizerRow, until: i64) -> String {
    let signed = format!(
        "two-factor:{}:{until}:{}",
        organizer.id, organizer.password_hash
    );
    csrf::token(secret, &signed)
}

/// The ticket the code form carries: `id.deadline.mac`.
fn ticket(secret: &str, organizer: &store::OrganizerRow, now: chrono::NaiveDateTime) -> String {
    let until = (now + CODE_TIME).and_utc().timestamp();
    let mac = ticket_mac(secret, organizer, until);
    format!("{}.{until}.{mac}", organizer.id)
}

/// The organizer a ticket names, if it is good: signed by this instance, not past its
/// deadline, their password unchanged, their account active and two-factor still on.
fn ticket_holder(
    c: &mut crate::db::Conn,
    secret: &str,
    ticket: &str,
    now: chrono::NaiveDateTime,
) -> crate::error::AppResult<Option<store::OrganizerRow>> {
    let mut parts = ticket.splitn(3, '.');
    let (Some(id), Some(until), Some(mac)) = (parts.next(), parts.next(), parts.next()) else {
        return Ok(None);
    };
    let (Ok(id), Ok(until)) = (id.parse::<i64>(), until.parse::<i64>()) else {
        return Ok(None);
    };
    if until < now.and_utc().timestamp() {
        return Ok(None);
    }
    let Some(row) = store::find_organizer(c, id)? else {
        return Ok(None);
    };
    let good = crate::crypto::hashes_equal(&ticket_mac(secret, &row, until), mac)
        && row.deactivated_at.is_none()
        && row.two_factor().is_some();
    Ok(good.then_some(row))
}

fn code_page(
    state: &State,
    req: &HttpRequest,
    status: StatusCode,
    next: &str,
    ticket: &str,
    problem: Option<String>,
) -> ConsoleReply {
    let lang = console_language(req, None);
    let secret = state.settings.server.secret_key.expose();
    let body = render(
        "console/sign_in_code.html",
        lang,
        words(lang, &[Section::Console]),
        context! {
            action => SIGN_IN_CODE,
            csrf => csrf::token(secret, SIGN_IN_CODE),
            next => next,
            ticket => ticket,
            problem => problem,
            // No language links: they would leave the form for a page that only takes its post.
            langs => None::<Vec<()>>,
        },
    )
    .map_err(|e| ConsoleError::bare(e, lang))?;
    Ok(html(status, lang, body))
}

fn sign_in_page(
    state: &State,
    req: &HttpRequest,
    status: StatusCode,
    next: &str,
    email: &str,
    problem: Option<String>,
) -> ConsoleReply {
    let lang = console_language(req, None);
    let secret = state.settings.server.secret_key.expose();
    let body = render(
        "console/sign_in.html",
        lang,
        words(lang, &[Section::Console]),
        context! {
            action => SIGN_IN,
            csrf => csrf::token(secret, SIGN_IN),
            next => next,
            email => email,
            problem => problem,
            langs => crate::web::pages::switcher(req, lang),
        },
    )
    .map_err(|e| ConsoleError::bare(e, lang))?;
    Ok(html(status, lang, body))
}

#[utoipa::path(get, path = "/console/sign-in", tag = "console", params(SignInQuery),
    responses((status = 200, description = "the sign-in form", content_type = "text/html"),
        (status = 303, description = "already signed in: on to `next`")))]
pub async fn sign_in_form(
    state: State,
    req: HttpRequest,
    query: web::Query<SignInQuery>,
) -> ConsoleReply {
    let next = safe_next(query.next.as_deref());
    if let Some(token) = session_token(&req) {
        let db = state.db.clone();
        let now = state.clock.now().naive_utc();
        let live = db
            .run(move |c| sessions::resolve(c, &token, None, now))
            .await
            .map_err(|e| ConsoleError::bare(e, console_language(&req, None)))?;
        if live.is_some() {
            return Ok(see_other(&next));
        }
    }
    sign_in_page(&state, &req, StatusCode::OK, &next, "", None)
}

#[utoipa::path(post, path = "/console/sign-in", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "email, password, next, csrf"),
    responses((status = 303, description = "signed in: a session cookie, and on to `next`"),
        (status = 401, description = "wrong email or password: the form again", content_type = "text/html"),
        (status = 403), (status = 429), (status = 503)))]
pub async fn sign_in(
    state: State,
    throttle: web::Data<Throttle>,
    req: HttpRequest,
    form: web::Form<SignInForm>,
) -> ConsoleReply {
    let lang = console_language(&req, None);
    let form = form.into_inner();
    let next = safe_next(Some(&form.next));
    form_checks(&state, &req, SIGN_IN, &form.csrf, lang)?;
    let checked = match EmailAddress::parse(form.email.trim()) {
        Ok(email) => super::check_credentials(&state.db, &throttle, email, form.password).await,
        Err(_) => Err(AppError::Unauthorized("not an email address".into())),
    };
    let organizer = match checked {
        Ok(row) => row,
        Err(AppError::Unauthorized(_)) => {
            let wrong = Some(word(lang, Section::Console, "sign_in_wrong"));
            let status = StatusCode::UNAUTHORIZED;
            return sign_in_page(&state, &req, status, &next, &form.email, wrong);
        }
        Err(other) => return Err(ConsoleError::bare(other, lang)),
    };
    let now = state.clock.now().naive_utc();
    if organizer.two_factor().is_some() {
        let secret = state.settings.server.secret_key.expose();
        let ticket = ticket(secret, &organizer, now);
        return code_page(&state, &req, StatusCode::OK, &next, &ticket, None);
    }
    signed_in(&state, organizer.id, &next, lang).await
}

#[utoipa::path(post, path = "/console/sign-in/code", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "ticket (from the password step), code (six digits or a recovery code), next, csrf"),
    responses((status = 303, description = "signed in: a session cookie, and on to `next`"),
        (status = 401, description = "wrong or used code: the code form again", content_type = "text/html"),
        (status = 403), (status = 429)))]
pub async fn sign_in_code(
    state: State,
    throttle: web::Data<Throttle>,
    req: HttpRequest,
    form: web::Form<CodeForm>,
) -> ConsoleReply {
    let lang = console_language(&req, None);
    let form = form.into_inner();
    let next = safe_next(Some(&form.next));
    form_checks(&state, &req, SIGN_IN_CODE, &form.csrf, lang)?;
    let now = state.clock.now().naive_utc();
    let secret = state.settings.server.secret_key.expose().to_string();
    let ticket = form.ticket.clone();
    let holder = state
        .db
        .run(move |c| ticket_holder(c, &secret, &ticket, now))
        .await
        .map_err(|e| ConsoleError::bare(e, lang))?;
    let Some(organizer) = holder else {
        // A stale or forged ticket: the password step again.
        let expired = Some(word(lang, Section::Console, "sign_in_code_expired"));
        return sign_in_page(&state, &req, StatusCode::UNAUTHORIZED, &next, "", expired);
    };
    throttle
        .check_account(&organizer.email)
        .map_err(|e| ConsoleError::bare(e, lang))?;
    let (code, checked) = (form.code.clone(), organizer.clone());
    let accepted = state
        .db
        .write(move |c| two_factor::accept(c, &checked, &code, now))
        .await
        .map_err(|e| ConsoleError::bare(e, lang))?;
    if !accepted {
        throttle.failed(&organizer.email);
        let wrong = Some(word(lang, Section::Console, "sign_in_code_wrong"));
        let status = StatusCode::UNAUTHORIZED;
        return code_page(&state, &req, status, &next, &form.ticket, wrong);
    }
    signed_in(&state, organizer.id, &next, lang).await
}

/// What both sign-in forms check first: the form is this site's (the 403 page otherwise) and
/// the address is within its rate (429).
fn form_checks(
    state: &State,
    req: &HttpRequest,
    action: &str,
    token: &str,
    lang: crate::domain::Language,
) -> Result<(), ConsoleError> {
    if !csrf::check(req, &state.settings, action, token) {
        return Err(ConsoleError::bare(
            AppError::Forbidden("this form could not be verified".into()),
            lang,
        ));
    }
    state
        .limiter
        .check(req)
        .map_err(|e| ConsoleError::bare(e, lang))
}

/// Starts a console session for `organizer_id` (recorded in the audit log) and answers with
/// its cookie and the way on to `next`.
async fn signed_in(
    state: &State,
    organizer_id: i64,
    next: &str,
    lang: crate::domain::Language,
) -> ConsoleReply {
    let now = state.clock.now().naive_utc();
    let token = state
        .db
        .write(move |c| {
            let token = sessions::start(c, organizer_id, now)?;
            audit::record(
                c,
                Some(organizer_id),
                None,
                "sign_in",
                "console_session",
                None,
                serde_json::json!({}),
            )?;
            Ok(token)
        })
        .await
        .map_err(|e| ConsoleError::bare(e, lang))?;
    let secure = state.settings.base_url().starts_with("https://");
    let cookie = session_cookie(Some(&token), secure, sessions::LIFETIME.num_seconds());
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, next.to_string()))
        .insert_header((header::SET_COOKIE, cookie))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish())
}

#[utoipa::path(post, path = "/console/sign-out", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "signed out: the session ended, its cookie cleared"), (status = 403)))]
pub async fn sign_out(posted: Posted) -> ConsoleReply {
    let console = posted.console;
    let id = console.who.session_id;
    console.write(move |c| sessions::end(c, id)).await?;
    let secure = console.state.settings.base_url().starts_with("https://");
    let mut res = console.see_other(SIGN_IN);
    if let Ok(cookie) = header::HeaderValue::from_str(&session_cookie(None, secure, 0)) {
        res.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    Ok(res)
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_string()))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The console's door.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_sign_in_form, sign_in_form)
        .add(__path_sign_in, sign_in)
        .add(__path_sign_in_code, sign_in_code)
        .add(__path_sign_out, sign_out);
}
