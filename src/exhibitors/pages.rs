//! Exhibitors' pages: the application form `/events/{slug}/exhibit`, the confirmation page
//! `/exhibitors/confirm/{token}` (a button that POSTs; a GET never confirms) and the manage page
//! `/exhibitor/{token}` linked from the approval email.

use actix_web::web::Form;
use actix_web::{web, HttpRequest, HttpResponse};
use minijinja::{context, Value};
use serde::Deserialize;

use super::http::{self, NewExhibitor};
use super::model::BoothKind;
use super::{service, store};
use crate::auth::owner_tokens::{CONFIRM, EXHIBITORS as TOKENS, MANAGE};
use crate::domain::{dates, Language};
use crate::error::AppError;
use crate::events::store as events;
use crate::registrations::handlers::Confirming;
use crate::registrations::pages::{nonempty, see_other, CsrfForm, Page};
use crate::web::pages::{form_action, InPage, PageError, PageReply};
use crate::web::words::Section;
use crate::web::{csrf, State};

/// Interface words of the exhibitor's pages (`templates/words/<lang>.json`).
fn words(lang: Language) -> serde_json::Value {
    crate::web::words::words(lang, &[Section::Exhibitor])
}

fn render(req: &HttpRequest, name: &str, lang: Language, ctx: Value) -> Result<String, PageError> {
    crate::web::pages::render_for(req, name, lang, words(lang), ctx).in_page(lang)
}

/// The countries a form offers, by their name in `lang` (each option's value is its code).
fn countries(lang: Language) -> Vec<minijinja::Value> {
    crate::domain::country::sorted(lang)
        .into_iter()
        .map(|c| context! { code => c.code, name => c.name(lang) })
        .collect()
}

fn html(status: actix_web::http::StatusCode, lang: Language, body: String) -> HttpResponse {
    crate::web::pages::html(status, lang, body)
}

/// The application form's fields, as posted.
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct ExhibitForm {
    csrf: String,
    company_name: String,
    contact_name: String,
    email: String,
    phone: String,
    website: String,
    country: String,
    sector: String,
    description: String,
    booth_kind: String,
    booth_area_m2: String,
    consent: String,
}

#[utoipa::path(get, path = "/events/{slug}/exhibit", tag = "pages", params(("slug" = String, Path), ("done" = Option<String>, Query, description = "`1`: the thank-you page an application leads to")),
    responses((status = 200, description = "the exhibitor application form, or its thank-you page", content_type = "text/html"), (status = 404)))]
pub async fn form(page: Page) -> PageReply {
    let done = page.req.query_string().split('&').any(|p| p == "done=1");
    show_form(
        &page.state,
        &page.req,
        page.path,
        ExhibitForm::default(),
        vec![],
        done,
        actix_web::http::StatusCode::OK,
    )
    .await
}

async fn show_form(
    state: &State,
    req: &HttpRequest,
    slug: String,
    form: ExhibitForm,
    errors: Vec<crate::error::FieldError>,
    done: bool,
    status: actix_web::http::StatusCode,
) -> PageReply {
    let fallback = crate::web::pages::page_language(req, &Language::ALL, Language::Fr);
    let event = state
        .db
        .run(move |c| events::visible(c, &slug, false))
        .await
        .in_page(fallback)?;
    let lang = crate::web::pages::page_language(req, &event.languages, event.default_language);
    let action = format!("/events/{}/exhibit", event.slug);
    let field_errors = crate::web::pages::field_errors(lang, &errors);
    let body = render(
        req,
        "exhibit.html",
        lang,
        context! {
            event_name => event.name.get(lang, event.default_language),
            form => minijinja::Value::from_serialize(&form),
            errors => field_errors,
            first_error => crate::web::pages::first_error(&[
                "company_name", "contact_name", "email", "phone", "website", "country",
                "sector", "description", "booth_kind", "booth_area_m2", "consent",
            ], &errors),
            done => done,
            countries => countries(lang),
            ..form_action(&state.settings, &action, lang),
        },
    )?;
    Ok(html(status, lang, body))
}

#[utoipa::path(post, path = "/events/{slug}/exhibit", tag = "pages", params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "the form's fields"),
    responses((status = 303, description = "to the thank-you page (`?done=1`; the same whether or not the email already applied): a reload does not post again"), (status = 403), (status = 422), (status = 429)))]
pub async fn submit(page: Page<Form<ExhibitForm>>) -> PageReply {
    let action = format!("/events/{}/exhibit", page.path);
    page.verify(&action, &page.form.csrf, &action)?;
    page.limit()?;
    let (state, req, lang) = (&page.state, &page.req, page.lang);
    let (slug, form) = (page.path.clone(), page.form.into_inner());
    // The same parse step as the API: every error comes back at once. A number that does not
    // read as one is reported like any other bad field.
    let mut shape = Vec::new();
    let area = form.booth_area_m2.trim();
    let booth_area_m2 = if area.is_empty() {
        None
    } else {
        match area.parse::<i32>() {
            Ok(n) => Some(n),
            Err(_) => {
                shape.push(crate::domain::FieldError::rule(
                    "booth_area_m2",
                    crate::domain::text::Rule::Range(1, 10_000),
                ));
                None
            }
        }
    };
    let body = NewExhibitor {
        company_name: Some(form.company_name.clone()),
        contact_name: Some(form.contact_name.clone()),
        email: Some(form.email.clone()),
        phone: nonempty(&form.phone),
        website: nonempty(&form.website),
        country: nonempty(&form.country).map(|c| crate::domain::text::country_code(&c)),
        sector: nonempty(&form.sector),
        description: nonempty(&form.description),
        booth_kind: Some(match form.booth_kind.as_str() {
            "corner" => BoothKind::Corner,
            "island" => BoothKind::Island,
            _ => BoothKind::Standard,
        }),
        booth_area_m2,
        language: Some(lang),
        consent: Some(form.consent == "true" || form.consent == "on"),
    };
    match http::submit(state, slug.clone(), body, shape).await {
        // Post, then redirect, then get: reloading the thank-you page posts nothing again.
        Ok(()) => Ok(see_other(format!(
            "/events/{slug}/exhibit?done=1&lang={}",
            lang.code()
        ))),
        Err(AppError::Validation(errors)) => {
            show_form(
                state,
                req,
                slug,
                form,
                errors,
                false,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(other) => Err(PageError::new(other, lang)),
    }
}

#[utoipa::path(get, path = "/exhibitors/confirm/{token}", tag = "pages", params(("token" = String, Path)),
    responses((status = 200, description = "a page whose button confirms the application", content_type = "text/html"),
        (status = 404, description = "unknown link"), (status = 409, description = "the link was used"), (status = 410, description = "the link has expired: the page leads to a new application")))]
pub async fn confirm_page(page: Page) -> PageReply {
    let (state, lang) = (&page.state, page.lang);
    let action = format!("/exhibitors/confirm/{}", page.path);
    let now = state.clock.now().naive_utc();
    let t = page.path.clone();
    let (slug, peek) = state
        .db
        .run(move |c| {
            let slug = TOKENS
                .find(c, &t, CONFIRM)?
                .and_then(|f| store::find_by_id(c, f.owner_id).ok())
                .and_then(|ex| events::find(c, ex.event_id).ok())
                .map(|e| e.slug);
            Ok((slug, service::peek_confirm(c, &t, now)))
        })
        .await
        .in_page(lang)?;
    if let Err(e) = peek {
        let gone = matches!(e, AppError::Gone(_));
        let used = matches!(e, AppError::Conflict(_));
        let mut page = PageError::new(e, lang);
        if used {
            page = page.saying(crate::web::pages::link_used_words(lang));
        }
        if let (true, Some(slug)) = (gone, slug) {
            let label = crate::web::words::word(lang, Section::ExhibitorExpiredLink, "apply_again");
            page = page.next(
                format!("/events/{slug}/exhibit?lang={}", lang.code()),
                label,
            );
        }
        return Err(page);
    }
    let body = render(
        &page.req,
        "confirm.html",
        lang,
        form_action(&state.settings, &action, lang),
    )?;
    Ok(html(actix_web::http::StatusCode::OK, lang, body))
}

#[utoipa::path(post, path = "/exhibitors/confirm/{token}", tag = "pages", params(("token" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "confirmed: the application is submitted; on to the exhibitor's own page"), (status = 403), (status = 404), (status = 409), (status = 410)))]
pub async fn confirm_submit(page: Page<Form<CsrfForm>>) -> PageReply {
    let action = format!("/exhibitors/confirm/{}", page.path);
    page.verify(&action, &page.form.csrf, &action)?;
    page.limit()?;
    let (state, lang) = (&page.state, page.lang);
    match http::confirm_token(Confirming::of(state, page.path.clone())).await {
        // Post, redirect, get: the exhibitor lands on its own page, which a reload only reads.
        Ok(out) => Ok(see_other(format!(
            "/exhibitor/{}?lang={}",
            out.manage_token,
            lang.code()
        ))),
        Err(e @ AppError::Conflict(_)) => {
            Err(PageError::new(e, lang).saying(crate::web::pages::link_used_words(lang)))
        }
        Err(e) => Err(PageError::new(e, lang)),
    }
}

/// What the exhibitor's page shows besides its data: the errors of a form it posted.
#[derive(Default)]
struct ManageForm {
    errors: Vec<crate::domain::FieldError>,
    problem: Option<String>,
    status: Option<actix_web::http::StatusCode>,
    staff: Option<StaffForm>,
}

async fn show_manage(
    state: &State,
    req: &HttpRequest,
    token: String,
    form: ManageForm,
) -> PageReply {
    let fallback = crate::web::pages::page_language(req, &Language::ALL, Language::Fr);
    let t = token.clone();
    let (event, out) = state
        .db
        .run(move |c| {
            let found = TOKENS
                .find(c, &t, MANAGE)?
                .ok_or_else(|| AppError::not_found("unknown link"))?;
            let ex = store::find_by_id(c, found.owner_id)?;
            let event = events::find(c, ex.event_id)?;
            let out = service::out(c, &event, &ex)?;
            Ok((event, out))
        })
        .await
        .in_page(fallback)?;
    let lang = crate::web::pages::own_language(req, out.language);
    let secret = state.settings.server.secret_key.expose();
    let action = |path: String| {
        let token = csrf::token(secret, &path);
        context! { url => format!("{path}?lang={}", lang.code()), csrf => token }
    };
    let staff_word = |status: &str| -> String {
        let w = words(lang);
        w[format!("staff_{status}")]
            .as_str()
            .unwrap_or(status)
            .to_string()
    };
    let editable = out.status != super::model::Status::Withdrawn;
    let body = render(
        req,
        "exhibitor.html",
        lang,
        context! {
            company_name => &out.company_name,
            event_name => event.name.get(lang, event.default_language),
            event_dates => dates::range(lang, event.starts_on, event.ends_on),
            status => out.status.label(lang),
            booth_code => out.booth.as_ref().map(|b| b.code.clone()),
            hall => out.booth.as_ref().map(|b| b.hall.get(lang, event.default_language).to_string()),
            passes => out.booth.as_ref().map(|b| b.staff_passes),
            staff => out.staff.iter().map(|s| context! {
                name => &s.name, status => staff_word(&s.status), active => s.status != "cancelled",
                remove => action(format!("/exhibitor/{token}/staff/{}/remove", s.id)),
            }).collect::<Vec<_>>(),
            profile => context! {
                company_name => &out.company_name, contact_name => &out.contact_name, phone => &out.phone,
                website => &out.website, country => &out.country, sector => &out.sector, description => &out.description,
                meeting_tables => out.meeting_tables,
            },
            editable => editable,
            under_review => out.status == super::model::Status::Submitted,
            show_staff => out.status == super::model::Status::Approved || !out.staff.is_empty(),
            can_add_staff => out.status == super::model::Status::Approved && out.booth.is_some(),
            meetings_url => (out.status == super::model::Status::Approved).then(|| format!("/exhibitor/{token}/meetings?lang={}", lang.code())),
            profile_action => action(format!("/exhibitor/{token}/profile")),
            withdraw_action => action(format!("/exhibitor/{token}/withdraw")),
            can_withdraw => out.status.can_become(super::model::Status::Withdrawn),
            staff_action => action(format!("/exhibitor/{token}/staff")),
            staff_form => form.staff.as_ref().map(|f| context! { name => &f.name, email => &f.email }),
            errors => crate::web::pages::field_errors(lang, &form.errors),
            problem => form.problem,
            languages => Language::ALL.iter().map(|l| context! { code => l.code(), name => l.native_name() }).collect::<Vec<_>>(),
            countries => countries(lang),
        },
    )?;
    Ok(html(
        form.status.unwrap_or(actix_web::http::StatusCode::OK),
        lang,
        body,
    ))
}

#[utoipa::path(get, path = "/exhibitor/{token}", tag = "pages", params(("token" = String, Path)),
    responses((status = 200, description = "the exhibitor's page: status, booth, public profile, staff passes", content_type = "text/html"), (status = 404)))]
pub async fn manage_page(page: Page) -> PageReply {
    show_manage(&page.state, &page.req, page.path, ManageForm::default()).await
}

/// The profile form, as posted (blank: cleared).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    csrf: String,
    meeting_tables: String,
    company_name: String,
    contact_name: String,
    phone: String,
    website: String,
    country: String,
    sector: String,
    description: String,
}

/// The add-a-staff-pass form, as posted.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default)]
pub struct StaffForm {
    csrf: String,
    name: String,
    email: String,
    language: String,
}

/// Runs a page form's change in the exhibitor's write transaction, after its CSRF check; then
/// back to the page (303), or the page again with what went wrong.
async fn manage_post<F, P>(
    page: &Page<F, P>,
    token: &str,
    action: &str,
    csrf_value: &str,
    staff: Option<StaffForm>,
    change: impl FnOnce(
            &mut crate::db::Conn,
            &crate::config::Settings,
            &crate::events::Event,
            &super::model::ExhibitorRow,
        ) -> crate::error::AppResult<()>
        + Send
        + 'static,
) -> PageReply {
    let (state, req, lang) = (&page.state, &page.req, page.lang);
    page.verify(action, csrf_value, &format!("/exhibitor/{token}"))?;
    let settings = state.settings.clone();
    let t = token.to_string();
    let done = state
        .db
        .write(move |c| {
            let (event, ex) = super::self_service::resolve(c, &t)
                .map_err(|_| AppError::not_found("unknown link"))?;
            change(c, &settings, &event, &ex)
        })
        .await;
    match done {
        Ok(()) => Ok(see_other(format!(
            "/exhibitor/{token}?lang={}",
            lang.code()
        ))),
        Err(AppError::Validation(errors)) => {
            let form = ManageForm {
                errors,
                status: Some(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY),
                staff,
                ..ManageForm::default()
            };
            show_manage(state, req, token.to_string(), form).await
        }
        Err(AppError::Conflict(_)) => {
            let w = words(lang);
            let form = ManageForm {
                problem: w["cannot"].as_str().map(str::to_string),
                status: Some(actix_web::http::StatusCode::CONFLICT),
                staff,
                ..ManageForm::default()
            };
            show_manage(state, req, token.to_string(), form).await
        }
        Err(other) => Err(PageError::new(other, lang)),
    }
}

fn blank_is_none(s: &str) -> Option<Option<String>> {
    Some((!s.trim().is_empty()).then(|| s.to_string()))
}

#[utoipa::path(post, path = "/exhibitor/{token}/profile", tag = "pages", params(("token" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "the public profile"),
    responses((status = 303, description = "back to the exhibitor's page"), (status = 403), (status = 404), (status = 422)))]
pub async fn profile_submit(page: Page<Form<ProfileForm>>) -> PageReply {
    let form = &page.form;
    let patch = super::self_service::ProfilePatch {
        company_name: Some(form.company_name.clone()),
        contact_name: Some(form.contact_name.clone()),
        phone: blank_is_none(&form.phone),
        website: blank_is_none(&form.website),
        country: blank_is_none(&form.country)
            .map(|c| c.map(|c| crate::domain::text::country_code(&c))),
        sector: blank_is_none(&form.sector),
        description: blank_is_none(&form.description),
        language: None,
        // Blank or not a number: unchanged (the field is only on an approved exhibitor's page).
        meeting_tables: form.meeting_tables.trim().parse().ok(),
    };
    let (token, csrf) = (&page.path, &form.csrf);
    let action = format!("/exhibitor/{token}/profile");
    manage_post(&page, token, &action, csrf, None, move |c, _, _, ex| {
        super::self_service::apply_profile(c, ex, patch, vec![])
    })
    .await
}

#[utoipa::path(post, path = "/exhibitor/{token}/staff", tag = "pages", params(("token" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "name, email, language"),
    responses((status = 303, description = "back to the exhibitor's page; the pass is emailed"), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn staff_submit(page: Page<Form<StaffForm>>) -> PageReply {
    let form = &page.form;
    let mut check = crate::domain::text::Check::default();
    let name = check.text("name", Some(form.name.clone()), 200);
    let email = check.parse(
        "email",
        crate::domain::text::Rule::Email,
        Some(form.email.as_str()),
        crate::domain::EmailAddress::parse,
    );
    let language = form.language.parse::<Language>().ok();
    let errors = check.into_errors();
    let token = &page.path;
    let action = format!("/exhibitor/{token}/staff");
    let staff = Some(form.0.clone());
    manage_post(
        &page,
        token,
        &action,
        &form.csrf,
        staff,
        move |c, s, e, ex| {
            let (Some(name), Some(email)) = (name, email) else {
                return Err(AppError::Validation(errors));
            };
            let reg = service::add_staff(c, s, e, ex, name, email, language)?;
            service::audit_staff(c, ex, "create", reg.id, Some("page"))?;
            Ok(())
        },
    )
    .await
}

#[utoipa::path(post, path = "/exhibitor/{token}/staff/{id}/remove", tag = "pages", params(("token" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "back to the exhibitor's page; the pass is cancelled"), (status = 403), (status = 404)))]
pub async fn staff_remove(page: Page<Form<CsrfForm>, (String, i64)>) -> PageReply {
    let (token, id) = (&page.path.0, page.path.1);
    let action = format!("/exhibitor/{token}/staff/{id}/remove");
    let csrf = &page.form.csrf;
    manage_post(&page, token, &action, csrf, None, move |c, s, e, ex| {
        service::remove_staff(c, s, e, ex, id)?;
        service::audit_staff(c, ex, "cancel", id, Some("page"))?;
        Ok(())
    })
    .await
}

#[utoipa::path(post, path = "/exhibitor/{token}/withdraw", tag = "pages", params(("token" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "withdrawn: the booth is freed and the staff passes cancelled"), (status = 403), (status = 404), (status = 409)))]
pub async fn withdraw_submit(page: Page<Form<CsrfForm>>) -> PageReply {
    let token = &page.path;
    let action = format!("/exhibitor/{token}/withdraw");
    let csrf = &page.form.csrf;
    manage_post(&page, token, &action, csrf, None, move |c, s, e, ex| {
        service::withdraw_own(c, s, e, ex, Some("page"))?;
        Ok(())
    })
    .await
}

/// The directory's filters, as plain query parameters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectoryQuery {
    pub sector: Option<String>,
    pub country: Option<String>,
    pub lang: Option<String>,
}

/// Interface words of the exhibitor directory (`templates/words/<lang>.json`).
fn directory_words(lang: Language) -> serde_json::Value {
    crate::web::words::words(lang, &[Section::ExhibitorDirectory])
}

#[utoipa::path(get, path = "/events/{slug}/exhibitors", tag = "pages",
    params(("slug" = String, Path), DirectoryQuery),
    responses((status = 200, description = "the approved exhibitors with booth and hall", content_type = "text/html"), (status = 404)))]
pub async fn directory(page: Page<web::Query<DirectoryQuery>>) -> PageReply {
    let (state, req, fallback) = (&page.state, &page.req, page.lang);
    let slug = page.path.clone();
    let (event, all) = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, false)?;
            let all = service::directory(c, &event)?;
            Ok((event, all))
        })
        .await
        .in_page(fallback)?;
    let lang = crate::web::pages::page_language(req, &event.languages, event.default_language);
    // An attendee of this fair whom the browser remembers (their own page set the cookie) is
    // offered a meeting with each exhibitor.
    let secret = state.settings.server.secret_key.expose();
    let visitor = crate::web::pages::cookie(req, crate::schedule::hooks::VISITOR_COOKIE)
        .and_then(|v| crate::registrations::attendee::seat_cookie_owner(secret, &v));
    let (event_id, db) = (event.id, state.db.clone());
    let attends = match visitor {
        Some(id) => db
            .run(move |c| {
                Ok(crate::registrations::store::find_by_id(c, id)
                    .ok()
                    .is_some_and(|r| {
                        r.event_id == event_id
                            && r.status() == crate::registrations::Status::Confirmed
                    }))
            })
            .await
            .in_page(lang)?,
        None => false,
    };
    let q = &page.form;
    let same = |a: &Option<String>, b: &Option<String>| match b.as_deref().filter(|s| !s.is_empty())
    {
        None => true,
        Some(want) => a.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(want)),
    };
    let distinct = |f: fn(&crate::exhibitors::model::PublicExhibitor) -> &Option<String>| {
        let mut v: Vec<String> = all.iter().filter_map(|e| f(e).clone()).collect();
        v.sort();
        v.dedup();
        v
    };
    let sectors = distinct(|e| &e.sector);
    // Countries are codes: offered and shown by their name in the page's language.
    let country_name = |stored: &str| crate::domain::country::label(stored, lang);
    let mut countries: Vec<(String, String)> = distinct(|e| &e.country)
        .into_iter()
        .map(|code| (country_name(&code), code))
        .collect();
    countries.sort();
    let countries: Vec<_> = countries
        .into_iter()
        .map(|(name, code)| context! { code => code, name => name })
        .collect();
    let shown: Vec<_> = all
        .iter()
        .filter(|e| same(&e.sector, &q.sector) && same(&e.country, &q.country))
        .map(|e| {
            context! {
                company_name => &e.company_name, website => &e.website,
                country => e.country.as_deref().map(country_name),
                sector => &e.sector, description => &e.description, booth_code => &e.booth_code,
                hall => e.hall.as_ref().map(|h| h.get(lang, event.default_language).to_string()),
                meet => attends.then(|| format!("/events/{}/exhibitors/{}/meeting?lang={}", event.slug, e.id, lang.code())),
            }
        })
        .collect();
    let body = crate::web::pages::render_for(
        req,
        "directory.html",
        lang,
        directory_words(lang),
        context! {
            event_name => event.name.get(lang, event.default_language),
            exhibitors => shown,
            sectors => sectors, countries => countries,
            sector => q.sector, country => q.country,
            action => format!("/events/{}/exhibitors", event.slug),
            back_url => format!("/events/{}?lang={}", event.slug, lang.code()),
        },
    )
    .in_page(lang)?;
    Ok(html(actix_web::http::StatusCode::OK, lang, body))
}

/// The directory, the application form and the exhibitor's page.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_directory, directory);
    r.add(__path_form, form);
    r.add(__path_submit, submit);
    r.add(__path_confirm_page, confirm_page);
    r.add(__path_confirm_submit, confirm_submit);
    r.add(__path_manage_page, manage_page);
    r.add(__path_profile_submit, profile_submit);
    r.add(__path_withdraw_submit, withdraw_submit);
    r.add(__path_staff_submit, staff_submit);
    r.add(__path_staff_remove, staff_remove);
}
