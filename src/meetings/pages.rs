//! The meetings' pages (SPEC §4.4), plain forms that work without JavaScript:
//!
//! - `/exhibitor/{token}/meetings`: the exhibitor's requests and meetings; accept (naming a
//!   host among its staff), decline, cancel. The emailed links
//!   (`/exhibitor/{token}/meetings/{id}?do=accept|decline`) open the same page with that
//!   request first and its button ready: a GET never answers. The same page marks the slots
//!   the exhibitor is not available in (`/exhibitor/{token}/availability`).
//! - `/events/{slug}/exhibitors/{id}/meeting`: the request form for the attendee this browser
//!   remembers (the seat cookie, `schedule::hooks::VISITOR_COOKIE`, set by their own page):
//!   the exhibitor's free slots and a message. The directory links it.

use actix_web::web::Form;
use actix_web::HttpRequest;
use minijinja::{context, Value};
use serde::Deserialize;

use super::model::MeetingStatus;
use super::service::{self, Asked, Reply, Side};
use super::store::{self, Of};
use crate::domain::{dates, Language};
use crate::error::AppError;
use crate::events::Event;
use crate::registrations::pages::{see_other, CsrfForm, Page};
use crate::schedule::hooks::VISITOR_COOKIE;
use crate::web::csrf;
use crate::web::pages::{InPage, PageError, PageReply};
use crate::web::words::Section;

fn words(lang: Language) -> serde_json::Value {
    crate::web::words::words(lang, &[Section::Meetings])
}

fn word(lang: Language, key: &str) -> String {
    words(lang)[key].as_str().unwrap_or(key).to_string()
}

fn render(req: &HttpRequest, name: &str, lang: Language, ctx: Value) -> Result<String, PageError> {
    crate::web::pages::render_for(req, name, lang, words(lang), ctx).in_page(lang)
}

/// "10:20–10:40" in the fair's time.
fn times(event: &Event, m: &super::MeetingRow) -> String {
    format!(
        "{}–{}",
        event.wall_clock(m.starts_at).format("%H:%M"),
        event.wall_clock(m.ends_at).format("%H:%M")
    )
}

/// The emailed link's query: which answer it offers.
#[derive(Debug, Default, Deserialize)]
pub struct Doing {
    #[serde(rename = "do")]
    pub doing: Option<String>,
}

async fn exhibitor_page(
    page: &Page<impl Sized, impl Sized>,
    token: &str,
    focus: Option<(i64, String)>,
    problem: Option<String>,
    status: actix_web::http::StatusCode,
) -> PageReply {
    let (state, req) = (&page.state, &page.req);
    let fallback = page.lang;
    let t = token.to_string();
    let now = state.clock.now().naive_utc();
    let (event, ex, rows, staff, people, slots, unavailable) = state
        .db
        .run(move |c| {
            let found = crate::auth::owner_tokens::EXHIBITORS
                .find(c, &t, crate::auth::owner_tokens::MANAGE)?
                .ok_or_else(|| AppError::not_found("unknown link"))?;
            let ex = crate::exhibitors::store::find_by_id(c, found.owner_id)?;
            let event = crate::events::store::find(c, ex.event_id)?;
            let rows = store::list(c, Of::Exhibitor(ex.id))?;
            let mut staff = Vec::new();
            for id in crate::exhibitors::store::staff_of(c, ex.id)? {
                let r = crate::registrations::store::find_by_id(c, id)?;
                if r.status() == crate::registrations::Status::Confirmed {
                    staff.push((id, r.name.unwrap_or_default()));
                }
            }
            let mut people = std::collections::BTreeMap::new();
            for m in &rows {
                let r = crate::registrations::store::find_by_id(c, m.registration_id)?;
                people.insert(
                    m.registration_id,
                    (
                        r.name.unwrap_or_default(),
                        r.organization.unwrap_or_default(),
                        r.job_title.unwrap_or_default(),
                    ),
                );
            }
            let slots = store::settings(c, event.id)?.slots(&event);
            let unavailable = store::unavailable(c, ex.id)?;
            Ok((event, ex, rows, staff, people, slots, unavailable))
        })
        .await
        .in_page(fallback)?;
    let lang = crate::web::pages::own_language(req, ex.language());
    let secret = state.settings.server.secret_key.expose();
    let action = |path: String| {
        let token = csrf::token(secret, &path);
        context! { url => format!("{path}?lang={}", lang.code()), csrf => token }
    };
    let mut items: Vec<_> = rows
        .iter()
        .map(|m| {
            let status = m.status_at(now);
            let (name, organization, job_title) = people.get(&m.registration_id).cloned().unwrap_or_default();
            let base = format!("/exhibitor/{token}/meetings/{}", m.id);
            let host = m.host_registration_id.and_then(|h| staff.iter().find(|(id, _)| *id == h)).map(|(_, n)| n.clone());
            let focused = focus.as_ref().filter(|(id, _)| *id == m.id).map(|(_, d)| d.clone());
            (
                (focused.is_none(), m.starts_at),
                context! {
                    id => m.id,
                    day => dates::day(lang, event.wall_clock(m.starts_at).date()),
                    times => times(&event, m),
                    name => name, organization => organization, job_title => job_title,
                    message => &m.message,
                    status => status.as_str(),
                    status_label => word(lang, &format!("status_{status}")),
                    host => host,
                    expires => (status == MeetingStatus::Pending).then(|| dates::day_time(lang, event.wall_clock(m.expires_at))),
                    focus => focused,
                    accept => action(format!("{base}/accept")),
                    decline => action(format!("{base}/decline")),
                    cancel => action(format!("{base}/cancel")),
                    open => matches!(status, MeetingStatus::Pending | MeetingStatus::Accepted) && m.ends_at > now,
                },
            )
        })
        .collect();
    items.sort_by_key(|a| a.0);
    let body = render(
        req,
        "meetings_exhibitor.html",
        lang,
        context! {
            company_name => &ex.profile.company_name,
            event_name => event.name.get(lang, event.default_language),
            back => format!("/exhibitor/{token}?lang={}", lang.code()),
            feed_url => super::feed::url(&state.settings, ex.id),
            availability => action(format!("/exhibitor/{token}/availability")),
            availability_days => {
                let mut days: Vec<(String, Vec<minijinja::Value>)> = Vec::new();
                for s in slots.iter().filter(|s| s.starts_at > now) {
                    let local = event.wall_clock(s.starts_at);
                    let day = dates::day(lang, local.date());
                    let slot = context! {
                        value => local.format("%Y-%m-%dT%H:%M").to_string(),
                        label => format!("{}–{}", local.format("%H:%M"), event.wall_clock(s.ends_at).format("%H:%M")),
                        off => unavailable.contains(&s.starts_at),
                    };
                    match days.last_mut() {
                        Some((d, list)) if *d == day => list.push(slot),
                        _ => days.push((day, vec![slot])),
                    }
                }
                days.into_iter().map(|(d, s)| context! { day => d, slots => s }).collect::<Vec<_>>()
            },
            meetings => items.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
            staff => staff.iter().map(|(id, name)| context! { id => id, name => name }).collect::<Vec<_>>(),
            problem => problem,
        },
    )?;
    Ok(crate::web::pages::html(status, lang, body))
}

#[utoipa::path(get, path = "/exhibitor/{token}/meetings", tag = "pages", params(("token" = String, Path)),
    responses((status = 200, description = "the exhibitor's meeting requests and meetings, with the forms to answer them", content_type = "text/html"), (status = 404)))]
pub async fn exhibitor_meetings(page: Page) -> PageReply {
    let token = page.path.clone();
    exhibitor_page(&page, &token, None, None, actix_web::http::StatusCode::OK).await
}

#[utoipa::path(get, path = "/exhibitor/{token}/meetings/{id}", tag = "pages", params(("token" = String, Path), ("id" = i64, Path), ("do" = Option<String>, Query, description = "`accept` or `decline`: the answer the emailed link offers")),
    responses((status = 200, description = "the exhibitor's meetings, this request first with its answer ready (a GET never answers)", content_type = "text/html"), (status = 404)))]
pub async fn exhibitor_meeting(
    page: Page<actix_web::web::Query<Doing>, (String, i64)>,
) -> PageReply {
    let (token, id) = page.path.clone();
    let doing = match page.form.doing.as_deref() {
        Some("decline") => "decline",
        _ => "accept",
    };
    exhibitor_page(
        &page,
        &token,
        Some((id, doing.to_string())),
        None,
        actix_web::http::StatusCode::OK,
    )
    .await
}

/// An answer form, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnswerForm {
    csrf: String,
    host_registration_id: String,
}

async fn exhibitor_step(
    page: Page<Form<AnswerForm>, (String, i64)>,
    step: &'static str,
) -> PageReply {
    let (token, id) = page.path.clone();
    let lang = page.lang;
    let list = format!("/exhibitor/{token}/meetings");
    page.verify(&format!("{list}/{id}/{step}"), &page.form.csrf, &list)?;
    let host = page.form.host_registration_id.trim().parse::<i64>().ok();
    let settings = page.state.settings.clone();
    let now = page.state.clock.now().naive_utc();
    let t = token.clone();
    let done = page
        .state
        .db
        .write(move |c| {
            let (event, ex) = crate::exhibitors::self_service::resolve(c, &t)
                .map_err(|_| AppError::not_found("unknown link"))?;
            match step {
                "accept" => {
                    service::answer(c, &settings, &event, &ex, id, Reply::Accept { host }, now)
                }
                "decline" => service::answer(c, &settings, &event, &ex, id, Reply::Decline, now),
                _ => {
                    let m = store::find(c, id)?
                        .filter(|m| m.exhibitor_id == ex.id)
                        .ok_or_else(|| AppError::not_found("no such meeting"))?;
                    service::cancel(c, &settings, &event, &m, Side::Exhibitor, now)
                }
            }
        })
        .await;
    match done {
        Ok(_) => Ok(see_other(format!(
            "{list}?lang={}&done={step}#meeting-{id}",
            lang.code()
        ))),
        Err(AppError::Conflict(_) | AppError::Validation(_)) => {
            let problem = Some(word(lang, "cannot"));
            exhibitor_page(
                &page,
                &token,
                None,
                problem,
                actix_web::http::StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(PageError::new(e, lang)),
    }
}

#[utoipa::path(post, path = "/exhibitor/{token}/meetings/{id}/accept", tag = "pages", params(("token" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, host_registration_id (optional)"),
    responses((status = 303, description = "accepted: back to the meetings"), (status = 403), (status = 404), (status = 409, description = "no longer pending", content_type = "text/html")))]
pub async fn accept(page: Page<Form<AnswerForm>, (String, i64)>) -> PageReply {
    exhibitor_step(page, "accept").await
}

#[utoipa::path(post, path = "/exhibitor/{token}/meetings/{id}/decline", tag = "pages", params(("token" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "declined: back to the meetings"), (status = 403), (status = 404), (status = 409, content_type = "text/html")))]
pub async fn decline(page: Page<Form<AnswerForm>, (String, i64)>) -> PageReply {
    exhibitor_step(page, "decline").await
}

#[utoipa::path(post, path = "/exhibitor/{token}/meetings/{id}/cancel", tag = "pages", params(("token" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "cancelled: back to the meetings"), (status = 403), (status = 404), (status = 409, content_type = "text/html")))]
pub async fn cancel(page: Page<Form<AnswerForm>, (String, i64)>) -> PageReply {
    exhibitor_step(page, "cancel").await
}

/// The availability form, as posted: the starts (local, `2027-04-12T10:20`) of the slots the
/// exhibitor is not available in, as repeated `unavailable` fields.
#[utoipa::path(post, path = "/exhibitor/{token}/availability", tag = "pages", params(("token" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, unavailable (repeated: a slot's local start)"),
    responses((status = 303, description = "saved: back to the meetings"), (status = 403), (status = 404)))]
pub async fn availability(page: Page<Form<crate::web::console::FormFields>>) -> PageReply {
    let token = page.path.clone();
    let lang = page.lang;
    let list = format!("/exhibitor/{token}/meetings");
    let csrf = page.form.text("csrf").unwrap_or_default();
    page.verify(&format!("/exhibitor/{token}/availability"), &csrf, &list)?;
    let chosen = page.form.all("unavailable");
    let t = token.clone();
    page.state
        .db
        .write(move |c| {
            let (event, ex) = crate::exhibitors::self_service::resolve(c, &t)
                .map_err(|_| AppError::not_found("unknown link"))?;
            let slots = store::settings(c, event.id)?.slots(&event);
            let starts: Vec<_> = slots
                .iter()
                .map(|s| s.starts_at)
                .filter(|s| {
                    let local = event.wall_clock(*s).format("%Y-%m-%dT%H:%M").to_string();
                    chosen.contains(&local)
                })
                .collect();
            Ok(store::set_unavailable(c, ex.id, &starts)?)
        })
        .await
        .in_page(lang)?;
    Ok(see_other(format!(
        "{list}?lang={}&done=availability#availability",
        lang.code()
    )))
}

/// The request form, as posted.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestForm {
    csrf: String,
    starts_at: String,
    message: String,
}

/// The registration this browser remembers, if its seat cookie is good.
fn remembered(page: &Page<impl Sized, impl Sized>) -> Option<i64> {
    crate::web::pages::cookie(&page.req, VISITOR_COOKIE).and_then(|v| {
        crate::registrations::attendee::seat_cookie_owner(
            page.state.settings.server.secret_key.expose(),
            &v,
        )
    })
}

async fn request_page(
    page: &Page<impl Sized, (String, i64)>,
    done: Option<i64>,
    problem: Option<String>,
    status: actix_web::http::StatusCode,
) -> PageReply {
    let (slug, exhibitor_id) = page.path.clone();
    let lang = page.lang;
    let visitor = remembered(page);
    let now = page.state.clock.now().naive_utc();
    let (event, ex, booth, free, attendee) = page
        .state
        .db
        .run(move |c| {
            let event = crate::events::store::visible(c, &slug, false)?;
            let ex = crate::exhibitors::store::find(c, event.id, exhibitor_id)?;
            if ex.status() != crate::exhibitors::model::Status::Approved {
                return Err(AppError::not_found("no such exhibitor"));
            }
            let booth = match ex.booth_id {
                Some(b) => Some(
                    crate::exhibitors::store::find_booth(c, event.id, b)?
                        .form
                        .code,
                ),
                None => None,
            };
            let free = service::free_slots(c, &event, ex.id, now)?;
            let attendee = match visitor {
                Some(id) => crate::registrations::store::find_by_id(c, id)
                    .ok()
                    .filter(|r| {
                        r.event_id == event.id
                            && r.status() == crate::registrations::Status::Confirmed
                    }),
                None => None,
            };
            Ok((event, ex, booth, free, attendee))
        })
        .await
        .in_page(lang)?;
    let action = format!("/events/{}/exhibitors/{}/meeting", event.slug, ex.id);
    let secret = page.state.settings.server.secret_key.expose();
    let mut days: Vec<(String, Vec<minijinja::Value>)> = Vec::new();
    for s in &free {
        let local = event.wall_clock(s.starts_at);
        let day = dates::day(lang, local.date());
        let slot = context! {
            value => local.format("%Y-%m-%dT%H:%M").to_string(),
            label => format!("{}–{}", local.format("%H:%M"), event.wall_clock(s.ends_at).format("%H:%M")),
        };
        match days.last_mut() {
            Some((d, slots)) if *d == day => slots.push(slot),
            _ => days.push((day, vec![slot])),
        }
    }
    let body = render(
        &page.req,
        "meeting_request.html",
        lang,
        context! {
            company_name => &ex.profile.company_name,
            booth => booth,
            event_name => event.name.get(lang, event.default_language),
            directory => format!("/events/{}/exhibitors?lang={}", event.slug, lang.code()),
            attendee => attendee.as_ref().map(|r| r.display_name()),
            days => days.into_iter().map(|(d, s)| context! { day => d, slots => s }).collect::<Vec<_>>(),
            action => format!("{action}?lang={}", lang.code()),
            csrf => csrf::token(secret, &action),
            done => done,
            problem => problem,
        },
    )?;
    Ok(crate::web::pages::html(status, lang, body))
}

/// The query of the request page after a request: the meeting made.
#[derive(Debug, Default, Deserialize)]
pub struct Requested {
    pub done: Option<i64>,
}

#[utoipa::path(get, path = "/events/{slug}/exhibitors/{id}/meeting", tag = "pages", params(("slug" = String, Path), ("id" = i64, Path), ("done" = Option<i64>, Query, description = "the request just made")),
    responses((status = 200, description = "the exhibitor's free meeting slots and the request form, for the attendee this browser remembers", content_type = "text/html"), (status = 404)))]
pub async fn request_form(
    page: Page<actix_web::web::Query<Requested>, (String, i64)>,
) -> PageReply {
    let done = page.form.done;
    request_page(&page, done, None, actix_web::http::StatusCode::OK).await
}

#[utoipa::path(post, path = "/events/{slug}/exhibitors/{id}/meeting", tag = "pages", params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf, starts_at (a slot's local start, `2027-04-12T10:20`), message"),
    responses((status = 303, description = "requested: the page says so"), (status = 403), (status = 404, description = "no such exhibitor, or no attendee remembered by this browser", content_type = "text/html"),
        (status = 409, description = "a rule refuses it: said on the page", content_type = "text/html"), (status = 422, content_type = "text/html")))]
pub async fn request_submit(page: Page<Form<RequestForm>, (String, i64)>) -> PageReply {
    let (slug, exhibitor_id) = page.path.clone();
    let lang = page.lang;
    let action = format!("/events/{slug}/exhibitors/{exhibitor_id}/meeting");
    page.verify(&action, &page.form.csrf, &action)?;
    page.limit()?;
    let Some(visitor) = remembered(&page) else {
        let problem = Some(word(lang, "open_your_link"));
        return request_page(&page, None, problem, actix_web::http::StatusCode::NOT_FOUND).await;
    };
    let starts = crate::domain::dates::ProgrammeTime::parse(&page.form.starts_at);
    let message: String = page
        .form
        .message
        .trim()
        .chars()
        .take(service::MESSAGE_MAX)
        .collect();
    let settings = page.state.settings.clone();
    let now = page.state.clock.now().naive_utc();
    let done = page
        .state
        .db
        .write(move |c| {
            let starts = starts.map_err(|m| AppError::validation("starts_at", &m))?;
            let reg = crate::registrations::store::find_by_id(c, visitor)?;
            let event = crate::events::store::lock_by_id(c, reg.event_id)?;
            if event.slug != slug {
                return Err(AppError::not_found("open your own link first"));
            }
            let reg = crate::registrations::store::find_by_id(c, reg.id)?;
            let starts_at = starts
                .utc(event.timezone)
                .map_err(|m| AppError::validation("starts_at", &m))?;
            let asked = Asked {
                exhibitor_id,
                starts_at,
                message: &message,
            };
            service::request(c, &settings, &event, &reg, &asked, now).map(|m| m.id)
        })
        .await;
    match done {
        Ok(id) => Ok(see_other(format!(
            "{action}?lang={}&done={id}",
            lang.code()
        ))),
        Err(AppError::Conflict(detail)) => {
            let problem = Some(format!("{} ({detail})", word(lang, "refused")));
            request_page(&page, None, problem, actix_web::http::StatusCode::CONFLICT).await
        }
        Err(AppError::Validation(_)) => {
            let problem = Some(word(lang, "pick_a_slot"));
            request_page(
                &page,
                None,
                problem,
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(PageError::new(e, lang)),
    }
}

/// The attendee's own cancel button (on their page).
#[utoipa::path(post, path = "/r/{token}/meetings/{id}/cancel", tag = "pages", params(("token" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "cancelled: back to the attendee's page"), (status = 403), (status = 404), (status = 409, content_type = "text/html")))]
pub async fn attendee_cancel(page: Page<Form<CsrfForm>, (String, i64)>) -> PageReply {
    let (token, id) = page.path.clone();
    let lang = page.lang;
    let back = format!("/r/{token}");
    page.verify(
        &format!("/r/{token}/meetings/{id}/cancel"),
        &page.form.csrf,
        &back,
    )?;
    let settings = page.state.settings.clone();
    let now = page.state.clock.now().naive_utc();
    page.state
        .db
        .write(move |c| {
            let reg = crate::registrations::attendee::resolve(c, &token)
                .map_err(|_| AppError::not_found("unknown link"))?;
            let event = crate::events::store::lock_by_id(c, reg.event_id)?;
            let m = store::find(c, id)?
                .filter(|m| m.registration_id == reg.id)
                .ok_or_else(|| AppError::not_found("no such meeting"))?;
            service::cancel(c, &settings, &event, &m, Side::Attendee, now).map(|_| ())
        })
        .await
        .in_page(lang)?;
    Ok(see_other(format!("{back}?lang={}#meetings", lang.code())))
}

/// The meetings' pages.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_exhibitor_meetings, exhibitor_meetings)
        .add(__path_exhibitor_meeting, exhibitor_meeting)
        .add(__path_accept, accept)
        .add(__path_decline, decline)
        .add(__path_cancel, cancel)
        .add(__path_availability, availability)
        .add(__path_request_form, request_form)
        .add(__path_request_submit, request_submit)
        .add(__path_attendee_cancel, attendee_cancel);
}
