//! The public pages of registering: the form `/events/{slug}/register` and its thank-you page,
//! the confirmation link `/confirm/{token}` (a button that POSTs: mail scanners pre-fetch GET
//! links, so a GET never confirms) and the page of a link already used,
//! `/confirm/{token}/mine`; with what the attendee's pages (`attendee_pages`) and the
//! exhibitors' share: the page handler's arguments ([`Page`]), the CSRF-only form, the
//! post-redirect-get. Forms carry a CSRF token; pages are in the visitor's language with
//! `dir="rtl"` for Arabic.

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::web::Form;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;
use minijinja::context;
use serde::Deserialize;

use super::handlers::Confirming;
use super::input::NewRegistration;
use super::{service, store};
use crate::domain::{dates, Language};
use crate::error::AppError;
use crate::web::pages::{form_action, InPage, PageError, PageReply};
use crate::web::words::Section;
use crate::web::{AppState, State};

/// Interface words of the attendee's pages (`templates/words/<lang>.json`), with the book /
/// leave buttons of the programme.
pub(super) fn words(lang: Language) -> serde_json::Value {
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

pub(super) fn render(
    req: &HttpRequest,
    name: &str,
    lang: Language,
    ctx: minijinja::Value,
) -> Result<String, PageError> {
    crate::web::pages::render_for(req, name, lang, words(lang), ctx).in_page(lang)
}

pub(super) fn ok(lang: Language, body: String) -> HttpResponse {
    crate::web::pages::html(StatusCode::OK, lang, body)
}

/// A form whose only field is its CSRF token.
#[derive(Deserialize)]
pub struct CsrfForm {
    /// Missing: the form is not verified (the 403 page), never a JSON error.
    #[serde(default)]
    pub csrf: String,
}

/// A page reached from an email or a shared link, before the event is known.
pub(super) fn lang_of_request(req: &HttpRequest) -> Language {
    crate::web::pages::page_language(req, &Language::ALL, Language::Fr)
}

/// What a public page's handler is given (an extractor): the app, the request, its path's
/// parameters `P` (a link's token, a fair's slug), the language of a page reached before the
/// event is known ([`lang_of_request`]), and `F`, what else the request carries (`Form<…>`,
/// `Query<…>`; nothing for `()`). Shared by the attendees' and the exhibitors' pages.
pub struct Page<F = (), P = String> {
    pub state: State,
    pub req: HttpRequest,
    pub path: P,
    pub lang: Language,
    pub form: F,
}

impl<F, P> FromRequest for Page<F, P>
where
    F: FromRequest + 'static,
    P: serde::de::DeserializeOwned + 'static,
{
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, actix_web::Error>>;

    /// Extracts in the order the handlers' own arguments did: the state, the path, then `F`.
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        let state = web::Data::<AppState>::extract(&req);
        let path = web::Path::<P>::extract(&req);
        let form = F::from_request(&req, payload);
        Box::pin(async move {
            let state = state.await?;
            let path = path.await?.into_inner();
            let form = form.await.map_err(Into::into)?;
            let lang = lang_of_request(&req);
            Ok(Page {
                state,
                req,
                path,
                lang,
                form,
            })
        })
    }
}

impl<F, P> Page<F, P> {
    /// The check of the page's form (`web::pages::verify_form`): on failure, the 403 page with
    /// a way back to `retry_page`.
    pub fn verify(&self, action: &str, csrf: &str, retry_page: &str) -> Result<(), PageError> {
        let settings = &self.state.settings;
        crate::web::pages::verify_form(&self.req, settings, action, csrf, self.lang, retry_page)
    }

    /// The rate limit of the public forms that write or send (429 page when over it).
    pub fn limit(&self) -> Result<(), PageError> {
        self.state.limiter.check(&self.req).in_page(self.lang)
    }
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
pub async fn confirm_page(page: Page) -> PageReply {
    let (state, token, lang) = (&page.state, &page.path, page.lang);
    let now = state.clock.now().naive_utc();
    let t = token.clone();
    let peek = state
        .db
        .run(move |c| {
            let slug = service::event_of_link(c, &t)?.map(|e| e.slug);
            Ok((slug, service::peek_confirm(c, &t, now)))
        })
        .await
        .in_page(lang)?;
    let event = match peek {
        (_, Ok((event, _))) => event,
        (slug, Err(e)) => return Err(link_problem(e, lang, token, slug.as_deref())),
    };
    let action = format!("/confirm/{token}");
    let body = render(
        &page.req,
        "confirm.html",
        lang,
        context! {
            event_name => event.name.get(lang, event.default_language),
            event_dates => dates::range(lang, event.starts_on, event.ends_on),
            ..form_action(&state.settings, &action, lang),
        },
    )?;
    Ok(ok(lang, body))
}

/// `POST /confirm/{token}` (the page's form): confirms, then shows the attendee's page.
#[utoipa::path(post, path = "/confirm/{token}", tag = "pages", params(("token" = String, Path)), request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 303, description = "to the attendee's page"), (status = 403), (status = 404), (status = 409), (status = 410), (status = 429)))]
pub async fn confirm_submit(page: Page<Form<CsrfForm>>) -> PageReply {
    let action = format!("/confirm/{}", page.path);
    page.verify(&action, &page.form.csrf, &action)?;
    page.limit()?;
    let (state, token, lang) = (&page.state, &page.path, page.lang);
    match super::handlers::confirm_token(Confirming::of(state, token.clone())).await {
        Ok(answer) => Ok(see_other(format!(
            "/r/{}?lang={}",
            answer.manage_token,
            lang.code()
        ))),
        Err(e) => {
            let t = token.clone();
            let slug = state
                .db
                .run(move |c| Ok(service::event_of_link(c, &t)?.map(|e| e.slug)))
                .await
                .in_page(lang)?;
            Err(link_problem(e, lang, token, slug.as_deref()))
        }
    }
}

/// `GET /confirm/{token}/mine`: the page of whoever holds a confirmation link already used —
/// it changes nothing and mints nothing: a button asks for a link to the attendee's page by
/// email, sent to the address of the registration (SPEC §4.1: 409 leads to the attendee).
#[utoipa::path(get, path = "/confirm/{token}/mine", tag = "pages", params(("token" = String, Path)), responses((status = 200, description = "a page whose button emails the link to the attendee's page", content_type = "text/html")))]
pub async fn used_link(page: Page) -> PageReply {
    let lang = page.lang;
    let action = format!("/confirm/{}/mine", page.path);
    let body = render_used(
        &page.req,
        lang,
        form_action(&page.state.settings, &action, lang),
    )?;
    Ok(ok(lang, body))
}

/// `POST /confirm/{token}/mine` (the button): emails a link to the attendee's page to the
/// address of the registration whose confirmation link this was, at most once per
/// `registration.resend_interval`; the answer is the same whatever the link, so it tells
/// nothing about it.
#[utoipa::path(post, path = "/confirm/{token}/mine", tag = "pages", params(("token" = String, Path)), request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"), responses((status = 200, description = "the email is on its way if the registration is active", content_type = "text/html"), (status = 403), (status = 429)))]
pub async fn used_link_submit(page: Page<Form<CsrfForm>>) -> PageReply {
    let action = format!("/confirm/{}/mine", page.path);
    page.verify(&action, &page.form.csrf, &action)?;
    page.limit()?;
    let (lang, token) = (page.lang, page.path.clone());
    let now = page.state.clock.now().naive_utc();
    let settings = page.state.settings.clone();
    page.state
        .db
        .write(move |c| service::email_link_for_used_link(c, &settings, &token, now))
        .await
        .in_page(lang)?;
    let done = words(lang)["used_sent"].as_str().unwrap_or("").to_string();
    let body = render_used(&page.req, lang, context! { done => done })?;
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

/// Post, redirect, get: where a form leads once done.
pub fn see_other(location: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("location", location))
        .finish()
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

/// A form's field, trimmed; `None` when blank.
pub fn nonempty(s: &str) -> Option<String> {
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
    state: &State,
    req: &actix_web::HttpRequest,
    slug: String,
    page: RegisterPage,
) -> PageReply {
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
            let event = crate::events::store::visible(c, &slug, false)?;
            // A full fair says so before the form: how many are already waiting.
            let waiting = match event.capacity {
                Some(cap) if store::count_confirmed(c, event.id)? >= i64::from(cap) => {
                    Some(store::count_waitlisted(c, event.id)?)
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
            ..form_action(&state.settings, &action, lang),
        },
    )?;
    Ok(crate::web::pages::html(status, lang, body))
}

#[utoipa::path(get, path = "/events/{slug}/register", tag = "pages", params(("slug" = String, Path), ("done" = Option<String>, Query, description = "`1`: the thank-you page a registration leads to")),
    responses((status = 200, description = "the registration form, or its thank-you page", content_type = "text/html"), (status = 404)))]
pub async fn register_form(page: Page) -> PageReply {
    let done = page.req.query_string().split('&').any(|p| p == "done=1");
    let shown = if done {
        RegisterPage::Done
    } else {
        RegisterPage::Blank
    };
    show_register(&page.state, &page.req, page.path, shown).await
}

#[utoipa::path(post, path = "/events/{slug}/register", tag = "pages", params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "the form's fields"),
    responses((status = 303, description = "to the thank-you page (`?done=1`), the same whether or not the email is known: a reload does not post again"),
        (status = 403), (status = 409), (status = 422), (status = 429)))]
pub async fn register_submit(desk: service::Desk, page: Page<Form<RegisterForm>>) -> PageReply {
    let action = format!("/events/{}/register", page.path);
    page.verify(&action, &page.form.csrf, &action)?;
    page.limit()?;
    let (state, req, lang) = (&page.state, &page.req, page.lang);
    let (slug, form) = (page.path.clone(), page.form.into_inner());
    // The same parse step as the API: every error comes back at once.
    let body = NewRegistration {
        name: Some(form.name.clone()),
        email: Some(form.email.clone()),
        organization: nonempty(&form.organization),
        job_title: nonempty(&form.job_title),
        country: nonempty(&form.country),
        phone: nonempty(&form.phone),
        language: Some(lang),
        category: Some(if form.category == "professional" {
            super::Category::Professional
        } else {
            super::Category::Visitor
        }),
        consent: Some(form.consent == "true" || form.consent == "on"),
    };
    match service::register(&desk, slug.clone(), body, vec![]).await {
        // Post, then redirect, then get: reloading the thank-you page posts nothing again.
        Ok(_) => Ok(see_other(format!(
            "/events/{slug}/register?done=1&lang={}",
            lang.code()
        ))),
        Err(AppError::Validation(errors)) => {
            show_register(
                state,
                req,
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
                state,
                req,
                slug,
                RegisterPage::Retry(Box::new(form), vec![], Some(detail), StatusCode::CONFLICT),
            )
            .await
        }
        Err(other) => Err(PageError::new(other, lang)),
    }
}

/// The register form and the confirmation link.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_register_form, register_form);
    r.add(__path_register_submit, register_submit);
    r.add(__path_confirm_page, confirm_page);
    r.add(__path_confirm_submit, confirm_submit);
    r.add(__path_used_link, used_link);
    r.add(__path_used_link_submit, used_link_submit);
}
