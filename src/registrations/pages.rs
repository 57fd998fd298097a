//! The attendee's pages: `/confirm/{token}` (a button that POSTs: mail scanners pre-fetch GET
//! links, so a GET never confirms), `/r/{token}` (status, badge QR, cancel) and
//! `/r/{token}/badge` (printable). Forms carry a CSRF token; pages are in the attendee's
//! language with `dir="rtl"` for Arabic.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde::Deserialize;

use super::bookings::{self, BookingStatus};
use super::model::{RegistrationRow, Status};
use super::{attendee, service};
use crate::auth::owner_tokens::{ATTENDEES as TOKENS, CONFIRM};
use crate::domain::{dates, Language};
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::schedule::hooks::VISITOR_COOKIE;
use crate::web::csrf;
use crate::web::pages::{InPage, PageError};
use crate::web::words::Section;
use crate::web::AppState;

/// Interface words of the attendee's pages (`templates/words/<lang>.json`), with the book /
/// leave buttons of the programme.
fn words(lang: Language) -> serde_json::Value {
    crate::web::words::words(
        lang,
        &[
            Section::Attendee,
            Section::AttendeeLinksAndSeats,
            Section::AttendeeBookings,
            Section::ProgrammeSeat,
        ],
    )
}

fn render(
    req: &HttpRequest,
    name: &str,
    lang: Language,
    ctx: minijinja::Value,
) -> Result<String, PageError> {
    crate::web::pages::render_for(req, name, lang, words(lang), ctx).in_page(lang)
}

fn ok(lang: Language, body: String) -> HttpResponse {
    crate::web::pages::html(StatusCode::OK, lang, body)
}

#[derive(Deserialize)]
pub struct CsrfForm {
    /// Missing: the form is not verified (the 403 page), never a JSON error.
    #[serde(default)]
    csrf: String,
}

/// A page reached from an email or a shared link, before the event is known.
fn lang_of_request(req: &HttpRequest) -> Language {
    crate::web::pages::page_language(req, &Language::ALL, Language::Fr)
}

/// The way forward from a confirmation link that cannot be used: a fresh registration for an
/// expired one, the attendee's page (through the confirm button) for a used one.
fn link_problem(
    error: AppError,
    lang: Language,
    token: &str,
    event_slug: Option<&str>,
) -> PageError {
    let t = words(lang);
    let word = |k: &str| t[k].as_str().unwrap_or(k).to_string();
    match (&error, event_slug) {
        (AppError::Gone(_), Some(slug)) => PageError::new(error, lang).next(
            format!("/events/{slug}/register?lang={}", lang.code()),
            word("register_again"),
        ),
        (AppError::Conflict(_), _) => PageError::new(error, lang)
            .saying(crate::web::pages::link_used_words(lang))
            .next(
                format!("/confirm/{token}/mine?lang={}", lang.code()),
                word("your_page"),
            ),
        _ => PageError::new(error, lang),
    }
}

/// `GET /confirm/{token}`: a page with a button; it changes nothing. A link that cannot be
/// used is answered with its page (404, 409, 410) in the visitor's language.
#[utoipa::path(get, path = "/confirm/{token}", tag = "pages", params(("token" = String, Path)), responses((status = 200, description = "a page whose button confirms (a GET never does)", content_type = "text/html"), (status = 404), (status = 409), (status = 410)))]
pub async fn confirm_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let lang = lang_of_request(&req);
    let now = state.clock.now().naive_utc();
    let t = token.clone();
    let peek = state
        .db
        .run(move |c| {
            let slug = TOKENS
                .find(c, &t, CONFIRM)?
                .and_then(|f| service::find_by_id(c, f.owner_id).ok())
                .and_then(|r| crate::events::queries::find(c, r.event_id).ok())
                .map(|e| e.slug);
            Ok((slug, service::peek_confirm(c, &t, now)))
        })
        .await
        .in_page(lang)?;
    let event = match peek {
        (_, Ok((event, _))) => event,
        (slug, Err(e)) => return Err(link_problem(e, lang, &token, slug.as_deref())),
    };
    let action = format!("/confirm/{token}");
    let body = render(
        &req,
        "confirm.html",
        lang,
        context! {
            action => format!("{action}?lang={}", lang.code()),
            csrf => csrf::token(state.settings.server.secret_key.expose(), &action),
            event_name => event.name.get(lang, event.default_language),
            event_dates => dates::range(lang, event.starts_on, event.ends_on),
        },
    )?;
    Ok(ok(lang, body))
}

/// `POST /confirm/{token}` (the page's form): confirms, then shows the attendee's page.
#[utoipa::path(post, path = "/confirm/{token}", tag = "pages", params(("token" = String, Path)), request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 303, description = "to the attendee's page"), (status = 403), (status = 404), (status = 409), (status = 410), (status = 429)))]
pub async fn confirm_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let action = format!("/confirm/{token}");
    let lang = lang_of_request(&req);
    crate::web::pages::verify_form(&req, &state.settings, &action, &form.csrf, lang, &action)?;
    state.limiter.check(&req).in_page(lang)?;
    match super::handlers::confirm_token(&state, token.clone()).await {
        Ok(answer) => Ok(see_other(format!(
            "/r/{}?lang={}",
            answer.manage_token,
            lang.code()
        ))),
        Err(e) => {
            let t = token.clone();
            let slug = state
                .db
                .run(move |c| {
                    Ok(TOKENS
                        .find(c, &t, CONFIRM)?
                        .and_then(|f| service::find_by_id(c, f.owner_id).ok())
                        .and_then(|r| crate::events::queries::find(c, r.event_id).ok())
                        .map(|e| e.slug))
                })
                .await
                .in_page(lang)?;
            Err(link_problem(e, lang, &token, slug.as_deref()))
        }
    }
}

/// `GET /confirm/{token}/mine`: the page of whoever holds a confirmation link already used —
/// it changes nothing and mints nothing: a button asks for a link to the attendee's page by
/// email, sent to the address of the registration (SPEC §4.1: 409 leads to the attendee).
#[utoipa::path(get, path = "/confirm/{token}/mine", tag = "pages", params(("token" = String, Path)), responses((status = 200, description = "a page whose button emails the link to the attendee's page", content_type = "text/html")))]
pub async fn used_link(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of_request(&req);
    let action = format!("/confirm/{}/mine", token.into_inner());
    let body = render_used(
        &req,
        lang,
        context! {
            action => format!("{action}?lang={}", lang.code()),
            csrf => csrf::token(state.settings.server.secret_key.expose(), &action),
        },
    )?;
    Ok(ok(lang, body))
}

/// `POST /confirm/{token}/mine` (the button): emails a link to the attendee's page to the
/// address of the registration whose confirmation link this was, at most once per
/// `registration.resend_interval`; the answer is the same whatever the link, so it tells
/// nothing about it.
#[utoipa::path(post, path = "/confirm/{token}/mine", tag = "pages", params(("token" = String, Path)), request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 200, description = "the email is on its way if the registration is active", content_type = "text/html"), (status = 403), (status = 429)))]
pub async fn used_link_submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let lang = lang_of_request(&req);
    let token = token.into_inner();
    let action = format!("/confirm/{token}/mine");
    crate::web::pages::verify_form(&req, &state.settings, &action, &form.csrf, lang, &action)?;
    state.limiter.check(&req).in_page(lang)?;
    let now = state.clock.now().naive_utc();
    let settings = state.settings.clone();
    state
        .db
        .write(move |c| service::email_link_for_used_link(c, &settings, &token, now))
        .await
        .in_page(lang)?;
    let done = words(lang)["used_sent"].as_str().unwrap_or("").to_string();
    let body = render_used(&req, lang, context! { done => done })?;
    Ok(ok(lang, body))
}

/// The confirmation page's frame with the words of a link already used.
fn render_used(
    req: &HttpRequest,
    lang: Language,
    ctx: minijinja::Value,
) -> Result<String, PageError> {
    let mut t = words(lang);
    for (key, from) in [
        ("confirm_title", "used_title"),
        ("confirm_text", "used_text"),
        ("confirm_button", "used_button"),
    ] {
        t[key] = t[from].clone();
    }
    crate::web::pages::render_for(req, "confirm.html", lang, t, ctx).in_page(lang)
}

fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("location", location))
        .finish()
}

/// The details form, as posted (blank: cleared).
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct DetailsForm {
    csrf: String,
    name: String,
    organization: String,
    job_title: String,
    country: String,
    phone: String,
    language: String,
}

async fn show_attendee(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    token: String,
    retry: Option<(DetailsForm, Vec<crate::domain::FieldError>)>,
) -> Result<HttpResponse, PageError> {
    let (event, reg) = load(state, req, token.clone()).await?;
    let lang = crate::web::pages::own_language(req, reg.language());
    let me = {
        let (settings, reg, token) = (state.settings.clone(), reg.clone(), token.clone());
        state
            .db
            .run(move |c| attendee::me(c, &settings, &reg, &token))
            .await
            .in_page(lang)?
    };
    let booking_action = format!("/r/{token}/bookings");
    let cancel_action = format!("/r/{token}/cancel");
    let details_action = format!("/r/{token}/details");
    let status_text = match reg.status() {
        Status::Confirmed => "confirmed",
        Status::Waitlisted => "waitlisted",
        Status::Pending => "pending",
        Status::Cancelled => "cancelled",
    };
    let secret = state.settings.server.secret_key.expose();
    // Whom this browser already books for (its seat cookie), if anyone.
    let remembered = crate::web::pages::cookie(req, VISITOR_COOKIE)
        .and_then(|v| attendee::seat_cookie_owner(secret, &v));
    let remember_action = format!("/r/{token}/remember");
    let offer_remember =
        reg.status() == Status::Confirmed && remembered.is_some_and(|id| id != reg.id);
    let (details, errors, status) = match retry {
        Some((form, errors)) => (
            minijinja::Value::from_serialize(&form),
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        None => (
            context! {
                name => reg.display_name(), organization => &reg.organization, job_title => &reg.job_title,
                country => &reg.country, phone => &reg.phone, language => reg.language().code(),
            },
            vec![],
            StatusCode::OK,
        ),
    };
    let body = render(
        req,
        "attendee.html",
        lang,
        context! {
            event_name => event.name.get(lang, event.default_language),
            event_dates => dates::range(lang, event.starts_on, event.ends_on),
            venue => &event.venue, city => &event.city, slug => &event.slug,
            name => reg.display_name(),
            status => status_text,
            confirmed => reg.status() == Status::Confirmed,
            can_cancel => reg.status().can_become(Status::Cancelled),
            can_edit => reg.status() != Status::Cancelled,
            badge_code => &reg.badge_code,
            qr_svg => (reg.status() == Status::Confirmed).then(|| minijinja::Value::from_safe_string(crate::badges::qr_svg(&reg.badge_code))),
            badge_url => format!("/r/{token}/badge?lang={}", lang.code()),
            cancel_action => format!("{cancel_action}?lang={}", lang.code()),
            csrf => csrf::token(secret, &cancel_action),
            erase_action => format!("/r/{token}/erase?lang={}", lang.code()),
            erase_csrf => csrf::token(secret, &format!("/r/{token}/erase")),
            details_action => format!("{details_action}?lang={}", lang.code()),
            details_csrf => csrf::token(secret, &details_action),
            details => details,
            errors => crate::web::pages::field_errors(lang, &errors),
            languages => Language::ALL.iter().map(|l| context! { code => l.code(), name => l.native_name() }).collect::<Vec<_>>(),
            programme_url => format!("/events/{}?lang={}", event.slug, lang.code()),
            bookings => me.bookings.iter().map(|b| context! {
                session_id => b.session_id, title => &b.title, room => &b.room,
                when => format!("{}–{}", dates::day_time(lang, b.starts_at.naive_local()), b.ends_at.format("%H:%M")),
                waitlisted => b.status == BookingStatus::Waitlisted,
                url => format!("/events/{}/sessions/{}?lang={}", event.slug, b.session_id, lang.code()),
            }).collect::<Vec<_>>(),
            booking_action => format!("{booking_action}?lang={}", lang.code()),
            booking_csrf => csrf::token(secret, &booking_action),
            agenda_url => &me.agenda_url,
            remember_action => offer_remember.then(|| format!("{remember_action}?lang={}", lang.code())),
            remember_csrf => csrf::token(secret, &remember_action),
        },
    )?;
    let mut res = crate::web::pages::html(status, lang, body);
    if reg.status() == Status::Confirmed && remembered.is_none() {
        // The fair's pages show this attendee book / leave buttons (schedule::hooks::Seats):
        // a browser-session seat cookie, which reads their seats and books or leaves through
        // `/events/{slug}/bookings`, never their manage token (a shared browser must not open
        // their personal page). A browser that already remembers an attendee keeps them: a
        // link someone else sent cannot make it book in their name; the page offers a button
        // (`POST /r/{token}/remember`) instead.
        remember(&mut res, state, reg.id);
    }
    Ok(res)
}

/// Sets the seat cookie of `registration_id` (see [`VISITOR_COOKIE`]): for the whole site, so
/// that the attendee page sees whom a browser already remembers.
fn remember(res: &mut HttpResponse, state: &AppState, registration_id: i64) {
    let secure = if state.settings.base_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    };
    let secret = state.settings.server.secret_key.expose();
    let cookie = format!(
        "{VISITOR_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{secure}",
        attendee::seat_cookie(secret, registration_id),
    );
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&cookie) {
        res.headers_mut()
            .append(actix_web::http::header::SET_COOKIE, value);
    }
}

/// `POST /r/{token}/remember` (the attendee page's button, shown when the browser remembers
/// someone else): this browser books from the programme in this attendee's name.
#[utoipa::path(post, path = "/r/{token}/remember", tag = "pages", params(("token" = String, Path)), request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 303, description = "back to the attendee's page, the browser now remembering them"), (status = 403), (status = 404), (status = 409)))]
pub async fn attendee_remember(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let lang = lang_of_request(&req);
    let page = format!("/r/{token}");
    let action = format!("{page}/remember");
    // verify_form adds the language to the page it offers to retry from.
    crate::web::pages::verify_form(&req, &state.settings, &action, &form.csrf, lang, &page)?;
    let (_, reg) = load(&state, &req, token.clone()).await?;
    if reg.status() != Status::Confirmed {
        let refused = AppError::Conflict(format!(
            "{}; this registration is {}",
            bookings::NOT_CONFIRMED,
            reg.status()
        ));
        return Err(seat_refused(refused, lang));
    }
    let mut res = see_other(format!("{page}?lang={}#bookings", lang.code()));
    remember(&mut res, &state, reg.id);
    Ok(res)
}

/// `GET /r/{token}`: the attendee's page.
#[utoipa::path(get, path = "/r/{token}", tag = "pages", params(("token" = String, Path)), responses((status = 200, description = "status, badge QR, own details, cancel", content_type = "text/html"), (status = 404)))]
pub async fn attendee_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    show_attendee(&state, &req, token.into_inner(), None).await
}

/// What every form of the attendee's page does first: verify the form (a failure is the 403
/// page with a way back to `/r/{token}`), then run `change` on the attendee's registration in
/// one transaction, with its event locked. An unknown link is a 404.
async fn attendee_action<T: Send + 'static>(
    state: &AppState,
    req: &HttpRequest,
    lang: Language,
    token: &str,
    step: &str,
    csrf: &str,
    change: impl FnOnce(
            &mut crate::db::Conn,
            &crate::config::Settings,
            &Event,
            &RegistrationRow,
        ) -> AppResult<T>
        + Send
        + 'static,
) -> Result<AppResult<T>, PageError> {
    let page = format!("/r/{token}");
    crate::web::pages::verify_form(
        req,
        &state.settings,
        &format!("{page}/{step}"),
        csrf,
        lang,
        &page,
    )?;
    let settings = state.settings.clone();
    let token = token.to_string();
    Ok(state
        .db
        .write_grouped(move |c| {
            let reg =
                attendee::resolve(c, &token).map_err(|_| AppError::not_found("unknown link"))?;
            let event = crate::events::queries::lock_by_id(c, reg.event_id)?;
            let reg = service::find_by_id(c, reg.id)?;
            change(c, &settings, &event, &reg)
        })
        .await)
}

/// `POST /r/{token}/details` (the page's form): the attendee changes their own details, with
/// the same checks as a registration; every error comes back beside its field.
#[utoipa::path(post, path = "/r/{token}/details", tag = "pages", params(("token" = String, Path)), request_body(content_type = "application/x-www-form-urlencoded", description = "name, organization, job_title, country, phone, language"), responses((status = 303, description = "back to the attendee's page"), (status = 403), (status = 404), (status = 422)))]
pub async fn attendee_details(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<DetailsForm>,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let form = form.into_inner();
    let lang = lang_of_request(&req);
    let body = super::handlers::NewRegistration {
        name: Some(form.name.clone()),
        email: None,
        organization: nonempty(&form.organization),
        job_title: nonempty(&form.job_title),
        country: nonempty(&form.country),
        phone: nonempty(&form.phone),
        language: form.language.parse().ok(),
        category: None,
        consent: None,
    };
    let done = attendee_action(
        &state,
        &req,
        lang,
        &token,
        "details",
        &form.csrf,
        |c, _, event, reg| {
            let p = super::handlers::own_details(body, reg, event)?;
            service::update_details(c, reg, &p).map(|_| ())
        },
    )
    .await?;
    match done {
        Ok(()) => Ok(see_other(format!("/r/{token}?lang={}", lang.code()))),
        Err(AppError::Validation(errors)) => {
            show_attendee(&state, &req, token, Some((form, errors))).await
        }
        Err(other) => Err(PageError::new(other, lang)),
    }
}

/// `POST /r/{token}/cancel` (the page's form).
#[utoipa::path(post, path = "/r/{token}/cancel", tag = "pages", params(("token" = String, Path)), request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 303, description = "back to the attendee's page"), (status = 403), (status = 404), (status = 409)))]
pub async fn attendee_cancel(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let lang = lang_of_request(&req);
    attendee_action(
        &state,
        &req,
        lang,
        &token,
        "cancel",
        &form.csrf,
        |c, settings, event, reg| service::cancel(c, settings, event, reg).map(|_| ()),
    )
    .await?
    .in_page(lang)?;
    Ok(see_other(format!("/r/{token}?lang={}", lang.code())))
}

/// The book / leave form of the attendee page and of the programme's pages.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BookingForm {
    csrf: String,
    session_id: String,
    /// `book` or `leave`.
    action: String,
    /// Where to go back to: a page of the fair (`/events/{slug}…`) or the attendee page.
    back: String,
}

/// `POST /r/{token}/bookings`: books or leaves a session, then goes back to the page the form
/// was on. A refusal (overlap, not confirmed, no such session) is a page saying why, with the
/// way back.
#[utoipa::path(post, path = "/r/{token}/bookings", tag = "pages", params(("token" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, session_id, action (book or leave), back"),
    responses((status = 303, description = "done; back to the page of the form"), (status = 403), (status = 404), (status = 409, description = "overlaps another booked session, or not confirmed", content_type = "text/html")))]
pub async fn attendee_booking(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<BookingForm>,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let lang = lang_of_request(&req);
    let form = form.into_inner();
    let mine = format!("/r/{token}?lang={}", lang.code());
    let session_id: Option<i64> = form.session_id.trim().parse().ok();
    let leave = form.action == "leave";
    let back = form.back;
    let outcome = attendee_action(
        &state,
        &req,
        lang,
        &token,
        "bookings",
        &form.csrf,
        move |c, _, event, reg| change_seat(c, event, reg, session_id, leave),
    )
    .await?;
    let word = |key: &str| words(lang)[key].as_str().unwrap_or("").to_string();
    let slug = outcome.map_err(|e| seat_refused(e, lang).next(mine.clone(), word("your_page")))?;
    Ok(see_other(back_within(&slug, back).unwrap_or(mine)))
}

/// Books (or with `leave`, frees) a seat in a locked event.
fn change_seat(
    c: &mut crate::db::Conn,
    event: &Event,
    reg: &RegistrationRow,
    session_id: Option<i64>,
    leave: bool,
) -> AppResult<String> {
    let session_id =
        session_id.ok_or_else(|| AppError::not_found("no such session in the programme"))?;
    if leave {
        bookings::leave(c, event, reg, session_id)?;
    } else {
        bookings::book(c, event, reg, session_id)?;
    }
    Ok(event.slug.clone())
}

/// `back` when it is a page of the fair `slug` (never another site), and can stand in a
/// `Location` header as it is (printable ASCII: a decoded line break or a space is refused).
fn back_within(slug: &str, back: String) -> Option<String> {
    let local = back.starts_with(&format!("/events/{slug}/"))
        || back.starts_with(&format!("/events/{slug}?"))
        || back.starts_with(&format!("/events/{slug}#"))
        || back == format!("/events/{slug}");
    let printable = back.bytes().all(|b| b.is_ascii_graphic());
    (local && printable && !back.contains("//") && !back.contains('\\')).then_some(back)
}

/// The page of a refused book / leave: why, in the attendee's words (409: not confirmed, or
/// an overlap); other errors keep their status's page.
fn seat_refused(e: AppError, lang: Language) -> PageError {
    let AppError::Conflict(detail) = &e else {
        return PageError::new(e, lang);
    };
    let t = words(lang);
    let why = if detail.starts_with(bookings::NOT_CONFIRMED) {
        "seat_not_confirmed"
    } else {
        "seat_overlap"
    };
    let word = |key: &str| t[key].as_str().unwrap_or("").to_string();
    let said = (word("seat_title"), word(why));
    PageError::new(e, lang).saying(said)
}

/// `POST /events/{slug}/bookings`: the book / leave buttons of the programme and session pages,
/// for the attendee their own page remembered (the seat cookie, [`VISITOR_COOKIE`]); then
/// back to the page of the form. Without that cookie, a page saying to open one's own link.
#[utoipa::path(post, path = "/events/{slug}/bookings", tag = "pages", params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, session_id, action (book or leave), back"),
    responses((status = 303, description = "done; back to the page of the form"), (status = 403), (status = 404, description = "no such session, or no attendee remembered by this browser", content_type = "text/html"),
        (status = 409, description = "overlaps another booked session, or not confirmed", content_type = "text/html")))]
pub async fn visitor_booking(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    form: web::Form<BookingForm>,
) -> Result<HttpResponse, PageError> {
    let slug = slug.into_inner();
    let lang = lang_of_request(&req);
    let form = form.into_inner();
    let programme = format!("/events/{slug}?lang={}", lang.code());
    crate::web::pages::verify_form(
        &req,
        &state.settings,
        &format!("/events/{slug}/bookings"),
        &form.csrf,
        lang,
        &programme,
    )?;
    let remembered = crate::web::pages::cookie(&req, VISITOR_COOKIE)
        .and_then(|v| attendee::seat_cookie_owner(state.settings.server.secret_key.expose(), &v));
    let session_id: Option<i64> = form.session_id.trim().parse().ok();
    let leave = form.action == "leave";
    let fair = slug.clone();
    let outcome = state
        .db
        .write_grouped(move |c| {
            let unknown = || {
                AppError::not_found(
                    "open your own link (from your confirmation email) to book seats",
                )
            };
            let registration = remembered.ok_or_else(unknown)?;
            let reg = service::find_by_id(c, registration)?;
            let event = crate::events::queries::lock_by_id(c, reg.event_id)?;
            if event.slug != fair {
                return Err(unknown());
            }
            let reg = service::find_by_id(c, reg.id)?;
            change_seat(c, &event, &reg, session_id, leave)
        })
        .await;
    let word = |key: &str| words(lang)[key].as_str().unwrap_or("").to_string();
    outcome.map_err(|e| seat_refused(e, lang).next(programme.clone(), word("back")))?;
    Ok(see_other(
        back_within(&slug, form.back).unwrap_or(programme),
    ))
}

/// `POST /r/{token}/erase` (the page's form): erases the attendee's personal data; the link
/// stops working, so the answer is a page saying it is done.
#[utoipa::path(post, path = "/r/{token}/erase", tag = "pages", params(("token" = String, Path)), request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 200, description = "erased", content_type = "text/html"), (status = 403), (status = 404)))]
pub async fn attendee_erase(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let lang = lang_of_request(&req);
    let slug = attendee_action(
        &state,
        &req,
        lang,
        &token,
        "erase",
        &form.csrf,
        |c, settings, event, reg| {
            service::erase(c, settings, event, reg)?;
            Ok(event.slug.clone())
        },
    )
    .await?
    .in_page(lang)?;
    let t = words(lang);
    let body = render(
        &req,
        "confirm.html",
        lang,
        context! {
            done => t["erased"].as_str().unwrap_or(""),
            programme_url => format!("/events/{slug}?lang={}", lang.code()),
        },
    )?;
    Ok(ok(lang, body))
}

/// `GET /r/{token}/badge`: the printable badge.
#[utoipa::path(get, path = "/r/{token}/badge", tag = "pages", params(("token" = String, Path)), responses((status = 200, description = "printable badge", content_type = "text/html"), (status = 404), (status = 409)))]
pub async fn badge_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    token: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let token = token.into_inner();
    let (event, reg) = load(&state, &req, token.clone()).await?;
    let lang = crate::web::pages::own_language(&req, reg.language());
    if reg.status() != Status::Confirmed {
        return Err(PageError::new(
            AppError::Conflict(format!(
                "only a confirmed registration has a badge; this one is {}",
                reg.status()
            )),
            lang,
        )
        .next(
            format!("/r/{token}?lang={}", lang.code()),
            words(lang)["your_page"].as_str().unwrap_or("").to_string(),
        ));
    }
    Ok(ok(lang, badge_html(&event, &reg, lang).in_page(lang)?))
}

async fn load(
    state: &web::Data<AppState>,
    req: &HttpRequest,
    token: String,
) -> Result<(Event, RegistrationRow), PageError> {
    state
        .db
        .run(move |c| {
            let reg =
                attendee::resolve(c, &token).map_err(|_| AppError::not_found("unknown link"))?;
            let event = crate::events::queries::find(c, reg.event_id)?;
            Ok((event, reg))
        })
        .await
        .in_page(lang_of_request(req))
}

/// The printable badge of a confirmed registration: name in any script, organization,
/// category, QR code of the badge code.
pub fn badge_html(event: &Event, reg: &RegistrationRow, lang: Language) -> AppResult<String> {
    crate::web::pages::render(
        "badge.html",
        lang,
        words(lang),
        context! {
            event_name => event.name.get(lang, event.default_language),
            event_dates => dates::range(lang, event.starts_on, event.ends_on),
            name => reg.display_name(),
            organization => reg.organization.as_deref().unwrap_or(""),
            category => reg.category().label(lang),
            category_key => reg.category().as_str(),
            badge_code => &reg.badge_code,
            qr_svg => minijinja::Value::from_safe_string(crate::badges::qr_svg(&reg.badge_code)),
        },
    )
}

/// The registration form's fields, as posted.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct RegisterForm {
    csrf: String,
    name: String,
    email: String,
    organization: String,
    job_title: String,
    country: String,
    phone: String,
    category: String,
    consent: String,
}

fn nonempty(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// What the form page shows: the empty form, the thank-you note, or the form again with what
/// went wrong (and the status that goes with it).
enum RegisterPage {
    Blank,
    Done,
    Retry(
        Box<RegisterForm>,
        Vec<crate::error::FieldError>,
        Option<String>,
        actix_web::http::StatusCode,
    ),
}

async fn show_register(
    state: &web::Data<AppState>,
    req: &actix_web::HttpRequest,
    slug: String,
    page: RegisterPage,
) -> Result<HttpResponse, PageError> {
    let (form, errors, problem, status, done) = match page {
        RegisterPage::Blank => (
            RegisterForm::default(),
            vec![],
            None,
            actix_web::http::StatusCode::OK,
            false,
        ),
        RegisterPage::Done => (
            RegisterForm::default(),
            vec![],
            None,
            actix_web::http::StatusCode::OK,
            true,
        ),
        RegisterPage::Retry(form, errors, problem, status) => {
            (*form, errors, problem, status, false)
        }
    };
    let (event, waiting) = state
        .db
        .run(move |c| {
            let event = crate::events::queries::visible(c, &slug, false)?;
            // A full fair says so before the form: how many are already waiting.
            let waiting = match event.capacity {
                Some(cap) if service::count_confirmed(c, event.id)? >= i64::from(cap) => {
                    Some(service::count_waitlisted(c, event.id)?)
                }
                _ => None,
            };
            Ok((event, waiting))
        })
        .await
        .in_page(lang_of_request(req))?;
    let lang = crate::web::pages::page_language(req, &event.languages, event.default_language);
    let action = format!("/events/{}/register", event.slug);
    let resend_minutes = (state.settings.registration.resend_interval.as_secs() / 60).max(1);
    let field_errors = crate::web::pages::field_errors(lang, &errors);
    let t = words(lang);
    let problem = problem.map(|p| {
        let key = if p.contains("not open") {
            "reg_not_open"
        } else {
            "reg_closed"
        };
        t[key].as_str().unwrap_or(&p).to_string()
    });
    let body = render(
        req,
        "register.html",
        lang,
        context! {
            event_name => event.name.get(lang, event.default_language),
            event_dates => dates::range(lang, event.starts_on, event.ends_on),
            venue => &event.venue, city => &event.city,
            action => format!("{action}?lang={}", lang.code()),
            csrf => csrf::token(state.settings.server.secret_key.expose(), &action),
            form => minijinja::Value::from_serialize(&form),
            errors => field_errors,
            first_error => crate::web::pages::first_error(&[
                "name", "email", "organization", "job_title", "country", "phone", "category",
                "consent",
            ], &errors),
            problem => problem,
            done => done,
            programme_url => format!("/events/{}?lang={}", event.slug, lang.code()),
            full => waiting.map(|n| t["reg_full"].as_str().unwrap_or("").replace("{n}", &n.to_string())),
            resend_note => t["register_resend"].as_str().unwrap_or("").replace("{n}", &resend_minutes.to_string()),
        },
    )?;
    Ok(crate::web::pages::html(status, lang, body))
}

#[utoipa::path(get, path = "/events/{slug}/register", tag = "pages", params(("slug" = String, Path), ("done" = Option<String>, Query, description = "`1`: the thank-you page a registration leads to")),
    responses((status = 200, description = "the registration form, or its thank-you page", content_type = "text/html"), (status = 404)))]
pub async fn register_form(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    slug: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let done = req.query_string().split('&').any(|p| p == "done=1");
    let page = if done {
        RegisterPage::Done
    } else {
        RegisterPage::Blank
    };
    show_register(&state, &req, slug.into_inner(), page).await
}

#[utoipa::path(post, path = "/events/{slug}/register", tag = "pages", params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "the form's fields"),
    responses((status = 303, description = "to the thank-you page (`?done=1`), the same whether or not the email is known: a reload does not post again"),
        (status = 403), (status = 409), (status = 422), (status = 429)))]
pub async fn register_submit(
    state: web::Data<AppState>,
    programme: web::Data<crate::schedule::cache::ProgrammeCache>,
    overrides: web::Data<crate::email::templates::Overrides>,
    req: actix_web::HttpRequest,
    slug: web::Path<String>,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, PageError> {
    let slug = slug.into_inner();
    let form = form.into_inner();
    let lang = lang_of_request(&req);
    let page = format!("/events/{slug}/register");
    crate::web::pages::verify_form(&req, &state.settings, &page, &form.csrf, lang, &page)?;
    state.limiter.check(&req).in_page(lang)?;
    // The same parse step as the API: every error comes back at once.
    let body = super::handlers::NewRegistration {
        name: Some(form.name.clone()),
        email: Some(form.email.clone()),
        organization: nonempty(&form.organization),
        job_title: nonempty(&form.job_title),
        country: nonempty(&form.country),
        phone: nonempty(&form.phone),
        language: Some(crate::web::pages::page_language(
            &req,
            &Language::ALL,
            Language::Fr,
        )),
        category: Some(if form.category == "professional" {
            super::Category::Professional
        } else {
            super::Category::Visitor
        }),
        consent: Some(form.consent == "true" || form.consent == "on"),
    };
    let cached = super::handlers::Cached {
        programme: &programme,
        overrides: &overrides,
    };
    match super::handlers::submit_public(&state, &cached, slug.clone(), body, vec![]).await {
        // Post, then redirect, then get: reloading the thank-you page posts nothing again.
        Ok(()) => Ok(see_other(format!(
            "/events/{slug}/register?done=1&lang={}",
            lang.code()
        ))),
        Err(AppError::Validation(errors)) => {
            show_register(
                &state,
                &req,
                slug,
                RegisterPage::Retry(
                    Box::new(form),
                    errors,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
            )
            .await
        }
        Err(AppError::Conflict(detail)) => {
            show_register(
                &state,
                &req,
                slug,
                RegisterPage::Retry(Box::new(form), vec![], Some(detail), StatusCode::CONFLICT),
            )
            .await
        }
        Err(other) => Err(PageError::new(other, lang)),
    }
}

/// The register form, the confirmation link, the attendee's page and seat forms.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_register_form, register_form);
    r.add(__path_register_submit, register_submit);
    r.add(__path_visitor_booking, visitor_booking);
    r.add(__path_confirm_page, confirm_page);
    r.add(__path_confirm_submit, confirm_submit);
    r.add(__path_used_link, used_link);
    r.add(__path_used_link_submit, used_link_submit);
    r.add(__path_attendee_page, attendee_page);
    r.add(__path_attendee_cancel, attendee_cancel);
    r.add(__path_attendee_details, attendee_details);
    r.add(__path_attendee_erase, attendee_erase);
    r.add(__path_attendee_booking, attendee_booking);
    r.add(__path_attendee_remember, attendee_remember);
    r.add(__path_badge_page, badge_page);
}
