//! The attendee's own pages, opened with the link of their emails (`/r/{token}`, the manage
//! token): their status and badge QR, their details, seats and the forms that change them
//! (cancel, erase, book / leave, remember this browser), and `/r/{token}/badge` (printable);
//! and the programme's book / leave buttons, `POST /events/{slug}/bookings`, for the attendee a
//! browser remembers (the seat cookie). Forms carry a CSRF token; pages are in the attendee's
//! language with `dir="rtl"` for Arabic.

use actix_web::http::StatusCode;
use actix_web::web::Form;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::context;
use serde::Deserialize;

use super::input::{own_details, NewRegistration};
use super::model::{BookingStatus, RegistrationRow, Status};
use super::pages::{lang_of_request, nonempty, ok, render, see_other, words, CsrfForm, Page};
use super::{attendee, bookings, service, store};
use crate::domain::{dates, Language};
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::schedule::hooks::VISITOR_COOKIE;
use crate::web::pages::{InPage, PageError, PageReply};
use crate::web::{csrf, AppState, State};

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
    state: &State,
    req: &HttpRequest,
    token: String,
    retry: Option<(DetailsForm, Vec<crate::domain::FieldError>)>,
) -> PageReply {
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
    let meetings = match req.app_data::<web::Data<dyn super::hooks::AttendeeMeetings>>() {
        Some(hook) if reg.status() == Status::Confirmed => {
            let (hook, event, id) = (hook.clone(), event.clone(), reg.id);
            let now = state.clock.now().naive_utc();
            state
                .db
                .run(move |c| {
                    let of = super::hooks::Whose {
                        event: &event,
                        registration_id: id,
                        lang,
                    };
                    hook.lines(c, of, now)
                })
                .await
                .in_page(lang)?
        }
        _ => Vec::new(),
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
            meetings => meetings.iter().map(|m| context! {
                id => m.id, when => &m.when, with => &m.with, booth => &m.booth,
                status => &m.status, status_label => &m.status_label,
                cancel => m.open.then(|| {
                    let path = format!("/r/{token}/meetings/{}/cancel", m.id);
                    context! { url => format!("{path}?lang={}", lang.code()), csrf => csrf::token(secret, &path) }
                }),
            }).collect::<Vec<_>>(),
            directory_url => format!("/events/{}/exhibitors?lang={}", event.slug, lang.code()),
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
pub async fn attendee_remember(page: Page<Form<CsrfForm>>) -> PageReply {
    let (lang, mine) = (page.lang, format!("/r/{}", page.path));
    // verify adds the language to the page it offers to retry from.
    page.verify(&format!("{mine}/remember"), &page.form.csrf, &mine)?;
    let (_, reg) = load(&page.state, &page.req, page.path.clone()).await?;
    if reg.status() != Status::Confirmed {
        let refused = AppError::Conflict(format!(
            "{}; this registration is {}",
            bookings::NOT_CONFIRMED,
            reg.status()
        ));
        return Err(seat_refused(refused, lang));
    }
    let mut res = see_other(format!("{mine}?lang={}#bookings", lang.code()));
    remember(&mut res, &page.state, reg.id);
    Ok(res)
}

/// `GET /r/{token}`: the attendee's page.
#[utoipa::path(get, path = "/r/{token}", tag = "pages", params(("token" = String, Path)), responses((status = 200, description = "status, badge QR, own details, cancel", content_type = "text/html"), (status = 404)))]
pub async fn attendee_page(page: Page) -> PageReply {
    show_attendee(&page.state, &page.req, page.path, None).await
}

/// What every form of the attendee's page does first: verify the form (a failure is the 403
/// page with a way back to `/r/{token}`), then run `change` on the attendee's registration in
/// one transaction, with its event locked. An unknown link is a 404.
async fn attendee_action<F, T: Send + 'static>(
    page: &Page<F>,
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
    let mine = format!("/r/{}", page.path);
    page.verify(&format!("{mine}/{step}"), csrf, &mine)?;
    let settings = page.state.settings.clone();
    let token = page.path.clone();
    Ok(page
        .state
        .db
        .write_grouped(move |c| {
            let reg =
                attendee::resolve(c, &token).map_err(|_| AppError::not_found("unknown link"))?;
            let event = crate::events::store::lock_by_id(c, reg.event_id)?;
            let reg = store::find_by_id(c, reg.id)?;
            change(c, &settings, &event, &reg)
        })
        .await)
}

/// `POST /r/{token}/details` (the page's form): the attendee changes their own details, with
/// the same checks as a registration; every error comes back beside its field.
#[utoipa::path(post, path = "/r/{token}/details", tag = "pages", params(("token" = String, Path)), request_body(content_type = "application/x-www-form-urlencoded", description = "name, organization, job_title, country, phone, language"), responses((status = 303, description = "back to the attendee's page"), (status = 403), (status = 404), (status = 422)))]
pub async fn attendee_details(page: Page<Form<DetailsForm>>) -> PageReply {
    let (form, lang) = (&page.form, page.lang);
    let body = NewRegistration {
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
    let done = attendee_action(&page, "details", &form.csrf, |c, _, event, reg| {
        let p = own_details(body, reg, event)?;
        service::update_details(c, reg, &p).map(|_| ())
    })
    .await?;
    match done {
        Ok(()) => Ok(see_other(own_page(&page.path, lang))),
        Err(AppError::Validation(errors)) => {
            let retry = Some((page.form.into_inner(), errors));
            show_attendee(&page.state, &page.req, page.path, retry).await
        }
        Err(other) => Err(PageError::new(other, lang)),
    }
}

/// `POST /r/{token}/cancel` (the page's form).
#[utoipa::path(post, path = "/r/{token}/cancel", tag = "pages", params(("token" = String, Path)), request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 303, description = "back to the attendee's page"), (status = 403), (status = 404), (status = 409)))]
pub async fn attendee_cancel(page: Page<Form<CsrfForm>>) -> PageReply {
    attendee_action(
        &page,
        "cancel",
        &page.form.csrf,
        |c, settings, event, reg| service::cancel(c, settings, event, reg).map(|_| ()),
    )
    .await?
    .in_page(page.lang)?;
    Ok(see_other(own_page(&page.path, page.lang)))
}

/// The attendee's page of the link `token`, in `lang`.
fn own_page(token: &str, lang: Language) -> String {
    format!("/r/{token}?lang={}", lang.code())
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

impl BookingForm {
    /// The session asked for (`None`: not a number), and whether to leave it.
    fn seat(&self) -> (Option<i64>, bool) {
        (self.session_id.trim().parse().ok(), self.action == "leave")
    }
}

/// `POST /r/{token}/bookings`: books or leaves a session, then goes back to the page the form
/// was on. A refusal (overlap, not confirmed, no such session) is a page saying why, with the
/// way back.
#[utoipa::path(post, path = "/r/{token}/bookings", tag = "pages", params(("token" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, session_id, action (book or leave), back"),
    responses((status = 303, description = "done; back to the page of the form"), (status = 403), (status = 404), (status = 409, description = "overlaps another booked session, or not confirmed", content_type = "text/html")))]
pub async fn attendee_booking(page: Page<Form<BookingForm>>) -> PageReply {
    let (lang, mine) = (page.lang, own_page(&page.path, page.lang));
    let (session_id, leave) = page.form.seat();
    let outcome = attendee_action(
        &page,
        "bookings",
        &page.form.csrf,
        move |c, _, event, reg| change_seat(c, event, reg, session_id, leave),
    )
    .await?;
    let word = |key: &str| words(lang)[key].as_str().unwrap_or("").to_string();
    let slug = outcome.map_err(|e| seat_refused(e, lang).next(mine.clone(), word("your_page")))?;
    Ok(see_other(
        back_within(&slug, &page.form.back).unwrap_or(mine),
    ))
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
fn back_within(slug: &str, back: &str) -> Option<String> {
    let local = back.starts_with(&format!("/events/{slug}/"))
        || back.starts_with(&format!("/events/{slug}?"))
        || back.starts_with(&format!("/events/{slug}#"))
        || back == format!("/events/{slug}");
    let printable = back.bytes().all(|b| b.is_ascii_graphic());
    (local && printable && !back.contains("//") && !back.contains('\\')).then(|| back.to_string())
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
pub async fn visitor_booking(page: Page<Form<BookingForm>>) -> PageReply {
    let (slug, lang, state) = (&page.path, page.lang, &page.state);
    let programme = format!("/events/{slug}?lang={}", lang.code());
    page.verify(
        &format!("/events/{slug}/bookings"),
        &page.form.csrf,
        &programme,
    )?;
    let remembered = crate::web::pages::cookie(&page.req, VISITOR_COOKIE)
        .and_then(|v| attendee::seat_cookie_owner(state.settings.server.secret_key.expose(), &v));
    let (session_id, leave) = page.form.seat();
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
            let reg = store::find_by_id(c, registration)?;
            let event = crate::events::store::lock_by_id(c, reg.event_id)?;
            if event.slug != fair {
                return Err(unknown());
            }
            let reg = store::find_by_id(c, reg.id)?;
            change_seat(c, &event, &reg, session_id, leave)
        })
        .await;
    let word = |key: &str| words(lang)[key].as_str().unwrap_or("").to_string();
    outcome.map_err(|e| seat_refused(e, lang).next(programme.clone(), word("back")))?;
    Ok(see_other(
        back_within(slug, &page.form.back).unwrap_or(programme),
    ))
}

/// `POST /r/{token}/erase` (the page's form): erases the attendee's personal data; the link
/// stops working, so the answer is a page saying it is done.
#[utoipa::path(post, path = "/r/{token}/erase", tag = "pages", params(("token" = String, Path)), request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 200, description = "erased", content_type = "text/html"), (status = 403), (status = 404)))]
pub async fn attendee_erase(page: Page<Form<CsrfForm>>) -> PageReply {
    let lang = page.lang;
    let slug = attendee_action(
        &page,
        "erase",
        &page.form.csrf,
        |c, settings, event, reg| {
            service::erase(c, settings, event, reg)?;
            Ok(event.slug.clone())
        },
    )
    .await?
    .in_page(lang)?;
    let t = words(lang);
    let body = render(
        &page.req,
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
pub async fn badge_page(page: Page) -> PageReply {
    let (event, reg) = load(&page.state, &page.req, page.path.clone()).await?;
    let lang = crate::web::pages::own_language(&page.req, reg.language());
    if reg.status() != Status::Confirmed {
        return Err(PageError::new(
            AppError::Conflict(format!(
                "only a confirmed registration has a badge; this one is {}",
                reg.status()
            )),
            lang,
        )
        .next(
            own_page(&page.path, lang),
            words(lang)["your_page"].as_str().unwrap_or("").to_string(),
        ));
    }
    Ok(ok(lang, badge_html(&event, &reg, lang).in_page(lang)?))
}

async fn load(
    state: &State,
    req: &HttpRequest,
    token: String,
) -> Result<(Event, RegistrationRow), PageError> {
    state
        .db
        .run(move |c| {
            let reg =
                attendee::resolve(c, &token).map_err(|_| AppError::not_found("unknown link"))?;
            let event = crate::events::store::find(c, reg.event_id)?;
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

/// The attendee's page, its forms and badge, and the programme's seat buttons.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_visitor_booking, visitor_booking);
    r.add(__path_attendee_page, attendee_page);
    r.add(__path_attendee_cancel, attendee_cancel);
    r.add(__path_attendee_details, attendee_details);
    r.add(__path_attendee_erase, attendee_erase);
    r.add(__path_attendee_booking, attendee_booking);
    r.add(__path_attendee_remember, attendee_remember);
    r.add(__path_badge_page, badge_page);
}
