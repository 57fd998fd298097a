//! Registrations in the console: `/console/events/{slug}/registrations` (search by name, email,
//! organization or badge code in any script, filters by status and category, pages, the CSV),
//! a registration's page (details, bookings, the emails written to it; change its category,
//! send its link or confirmation again, cancel, erase after a confirmation, print its badge) and
//! the walk-in form (confirmed at once, on to its badge). Writes go through the functions the
//! API's routes call (`organizer::change`, `organizer::send_again`, `service::register_walk_in`),
//! so the rules, the emails and the audit are the same.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use minijinja::context;
use serde::Deserialize;

use super::input::NewRegistration;
use super::model::{Category, RegistrationRow, Status};
use super::organizer::{self, RegistrationPatch};
use super::{service, store};
use crate::config::Settings;
use crate::db::{Conn, PageRequest};
use crate::domain::{dates, FieldError, Language, Role};
use crate::error::{AppError, AppResult};
use crate::events::console::{fair, find, nav, Figure, Panel, PanelView};
use crate::events::Event;
use crate::web::console::{
    form_errors, refusal, Console, ConsoleError, ConsoleReply, FormFields, Posted,
};
use crate::web::words::{word, Section};
use crate::web::{ItemPath, SlugPath};

/// Registrations' part of a fair's overview: how many by status, the confirmed by category,
/// and how many seats are booked, each number linked to its list (registered by the app).
pub struct RegistrationsPanel;

impl Panel for RegistrationsPanel {
    fn panel(&self, c: &mut Conn, event: &Event, lang: Language) -> AppResult<PanelView> {
        let one = PageRequest::first(1);
        let base = format!("/console/events/{}/registrations", event.slug);
        let mut figures = Vec::new();
        for status in [
            Status::Confirmed,
            Status::Pending,
            Status::Waitlisted,
            Status::Cancelled,
        ] {
            let (_, n) = store::page(c, event.id, &one, Some(status), None)?;
            figures.push(
                Figure::new(
                    n,
                    word(
                        lang,
                        Section::ConsoleRegistrations,
                        &format!("reg_panel_{status}"),
                    ),
                )
                .to(&format!("{base}?status={status}"), lang),
            );
        }
        // Who is coming, by category: the confirmed of each category that has any.
        for category in CATEGORIES.into_iter().chain([Category::ExhibitorStaff]) {
            let confirmed = Some(Status::Confirmed);
            let (_, n) = store::page(c, event.id, &one, confirmed, Some(category))?;
            if n > 0 {
                let href = format!("{base}?status=confirmed&category={}", category.as_str());
                figures.push(Figure::new(n, category.label(lang).to_string()).to(&href, lang));
            }
        }
        let booked: i64 = store::booking_counts(c, event.id)?
            .values()
            .map(|(booked, _)| booked)
            .sum();
        figures.push(Figure::new(
            booked,
            word(lang, Section::ConsoleRegistrations, "reg_seats_booked"),
        ));
        Ok(PanelView {
            title: word(lang, Section::ConsoleRegistrations, "reg_title"),
            figures,
            link: Some((
                format!("{base}?lang={}", lang.code()),
                word(lang, Section::ConsoleRegistrations, "reg_open"),
            )),
            ..PanelView::default()
        })
    }
}

/// Registrations on one page of the list.
const PER_PAGE: i64 = 50;

/// The list's query: `q`, `status`, `category`, `page`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Name, email, organization (any script, any case) or a badge code.
    pub q: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub page: Option<i64>,
}

fn status_label(status: Status, lang: Language) -> String {
    word(
        lang,
        Section::ConsoleRegistrations,
        &format!("reg_status_{status}"),
    )
}

/// A code as badges print it (`K7QM-2XHP-9TRW-C4ND`), when `q` is one: sixteen letters and
/// digits, hyphens and spaces aside.
fn as_badge_code(q: &str) -> Option<String> {
    let raw: Vec<char> = q
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let only_code = q
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ' ');
    (raw.len() == 16 && only_code).then(|| {
        raw.chunks(4)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    })
}

/// One row of the list.
fn row(event: &Event, r: &RegistrationRow, lang: Language) -> minijinja::Value {
    context! {
        href => format!("/console/events/{}/registrations/{}", event.slug, r.id),
        name => r.name.clone().unwrap_or_else(|| word(lang, Section::ConsoleRegistrations, "reg_erased")),
        email => &r.email,
        organization => &r.organization,
        category => r.category().label(lang),
        status => status_label(r.status(), lang),
        status_code => r.status().as_str(),
        created => dates::day_time(lang, event.wall_clock(r.created_at)),
    }
}

#[utoipa::path(get, path = "/console/events/{slug}/registrations", tag = "console",
    params(("slug" = String, Path), ListQuery),
    responses((status = 200, description = "registrations: search, filters, pages", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn list(console: Console, slug: SlugPath, query: web::Query<ListQuery>) -> ConsoleReply {
    let lang = console.lang;
    let event = fair(&console, Role::Viewer, slug).await?;
    let q = query.q.clone().unwrap_or_default().trim().to_string();
    let status: Option<Status> = query.status.as_deref().and_then(|s| s.parse().ok());
    let category: Option<Category> = query
        .category
        .as_deref()
        .and_then(|c| serde_json::from_value(serde_json::json!(c)).ok());
    let page = query.page.unwrap_or(1).max(1);
    let request = PageRequest {
        page,
        per_page: PER_PAGE,
        like: (!q.is_empty()).then(|| crate::domain::like_pattern(&q)),
        needle: None,
        sort: Some(("created_at".into(), true)),
    };
    let (id, code) = (event.id, as_badge_code(&q));
    let (rows, total) = console
        .run(move |c| {
            if let Some(code) = code {
                if let Some(r) = service::find_by_badge(c, id, &code)? {
                    return Ok((vec![r], 1));
                }
            }
            Ok(store::page(c, id, &request, status, category)?)
        })
        .await?;
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let base = format!("/console/events/{}/registrations", event.slug);
    let link = |p: i64| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if !q.is_empty() {
            query.append_pair("q", &q);
        }
        if let Some(s) = status {
            query.append_pair("status", s.as_str());
        }
        if let Some(c) = category {
            query.append_pair("category", c.as_str());
        }
        query.append_pair("page", &p.to_string());
        query.append_pair("lang", lang.code());
        format!("{base}?{}", query.finish())
    };
    let statuses: Vec<_> = [
        Status::Confirmed,
        Status::Pending,
        Status::Waitlisted,
        Status::Cancelled,
    ]
    .iter()
    .map(|s| context! { code => s.as_str(), label => status_label(*s, lang) })
    .collect();
    let categories: Vec<_> = CATEGORIES
        .iter()
        .map(|c| context! { code => c.as_str(), label => c.label(lang) })
        .collect();
    console.page(
        StatusCode::OK,
        "console/registrations.html",
        &[Section::ConsoleRegistrations],
        context! {
            event => nav(&event, lang),
            tab => "registrations",
            rows => rows.iter().map(|r| row(&event, r, lang)).collect::<Vec<_>>(),
            total => total,
            q => q,
            status => status.map(|s| s.as_str()),
            category => category.map(|c| c.as_str()),
            statuses => statuses,
            categories => categories,
            action => base.clone(),
            csv => format!("{base}.csv"),
            walk_in => format!("{base}/new?lang={}", lang.code()),
            can_edit => console.can(Role::Editor),
            previous => (page > 1).then(|| link(page - 1)),
            next => (page < pages).then(|| link(page + 1)),
            page => page,
            pages => pages.max(1),
        },
    )
}

/// Every category an organizer may give (exhibitor staff comes from staff passes).
const CATEGORIES: [Category; 5] = [
    Category::Visitor,
    Category::Professional,
    Category::Press,
    Category::Speaker,
    Category::Vip,
];

#[utoipa::path(get, path = "/console/events/{slug}/registrations.csv", tag = "console",
    params(("slug" = String, Path)),
    responses((status = 200, description = "every registration, any status (UTF-8 with a byte-order mark, times in the fair's zone)", content_type = "text/csv"), (status = 303), (status = 403), (status = 404)))]
pub async fn csv(console: Console, slug: SlugPath) -> ConsoleReply {
    let event = fair(&console, Role::Viewer, slug).await?;
    let id = event.id;
    let rows = console
        .run(move |c| Ok(store::of_event(c, id, store::By::All)?))
        .await?;
    Ok(organizer::registrations_csv(
        &event.slug,
        event.timezone,
        rows,
    ))
}

/// The walk-in form, empty or as sent.
fn walk_in_page(
    console: &Console,
    event: &Event,
    status: StatusCode,
    sent: &crate::web::console::FormFields,
    errors: &[FieldError],
) -> ConsoleReply {
    let lang = console.lang;
    let action = format!("/console/events/{}/registrations/new", event.slug);
    let value = |name: &str| sent.text(name).unwrap_or_default();
    console.page(
        status,
        "console/registration_new.html",
        &[Section::ConsoleRegistrations],
        context! {
            event => nav(event, lang),
            tab => "registrations",
            action => format!("{action}?lang={}", lang.code()),
            csrf => console.csrf(&action),
            values => context! {
                name => value("name"), email => value("email"), organization => value("organization"),
                job_title => value("job_title"), phone => value("phone"),
                category => sent.text("category").unwrap_or_else(|| "visitor".into()),
                language => sent.text("language").unwrap_or_else(|| event.default_language.code().into()),
            },
            categories => CATEGORIES.iter().map(|c| context! { code => c.as_str(), label => c.label(lang) }).collect::<Vec<_>>(),
            languages => event.languages.iter().map(|l| context! { code => l.code(), label => l.native_name() }).collect::<Vec<_>>(),
            errors => form_errors(lang, errors),
            has_errors => !errors.is_empty(),
        },
    )
}

#[utoipa::path(get, path = "/console/events/{slug}/registrations/new", tag = "console",
    params(("slug" = String, Path)),
    responses((status = 200, description = "the walk-in form: a registration confirmed at once", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn walk_in_form(console: Console, slug: SlugPath) -> ConsoleReply {
    let event = fair(&console, Role::Editor, slug).await?;
    walk_in_page(&console, &event, StatusCode::OK, &Default::default(), &[])
}

#[utoipa::path(post, path = "/console/events/{slug}/registrations/new", tag = "console",
    params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "name, email, organization, job_title, phone, category, language, csrf"),
    responses((status = 303, description = "registered and confirmed: to its page, its badge ready to print"), (status = 403), (status = 404), (status = 409, description = "that email already holds a registration: said on the form"), (status = 422)))]
pub async fn walk_in(posted: Posted, slug: SlugPath, desk: service::Desk) -> ConsoleReply {
    let (console, form) = posted.editor()?;
    let event = find(&console, slug.into_inner()).await?;
    let body = NewRegistration {
        name: form.text("name"),
        email: form.text("email"),
        organization: form.text("organization"),
        job_title: form.text("job_title"),
        country: None,
        phone: form.text("phone"),
        language: form.text("language").and_then(|l| l.parse().ok()),
        category: form
            .text("category")
            .and_then(|c| serde_json::from_value(serde_json::json!(c)).ok()),
        consent: None,
    };
    let done = service::register_walk_in(
        &desk,
        console.organizer().id,
        event.slug.clone(),
        body,
        vec![],
    )
    .await;
    match done {
        Ok(out) => Ok(console.see_other(&format!(
            "/console/events/{}/registrations/{}?done=reg_done_walk_in",
            event.slug, out.id
        ))),
        Err(AppError::Validation(errors)) => walk_in_page(
            &console,
            &event,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            &errors,
        ),
        Err(AppError::Conflict(_)) => {
            let taken = FieldError::new(
                "email",
                word(
                    console.lang,
                    Section::ConsoleRegistrations,
                    "reg_email_taken",
                ),
            );
            walk_in_page(&console, &event, StatusCode::CONFLICT, &form, &[taken])
        }
        Err(e) => Err(console.error(e)),
    }
}

/// The registration `id` of the fair `slug`, with its event.
async fn registration(
    console: &Console,
    slug: String,
    id: i64,
) -> Result<(Event, RegistrationRow), ConsoleError> {
    let event = find(console, slug).await?;
    let event_id = event.id;
    let reg = console.run(move |c| store::find(c, event_id, id)).await?;
    Ok((event, reg))
}

#[utoipa::path(get, path = "/console/events/{slug}/registrations/{id}", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "a registration: details, bookings, emails; its actions", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn page(console: Console, path: ItemPath) -> ConsoleReply {
    console.require(Role::Viewer)?;
    let (slug, id) = path.into_inner();
    let (event, reg) = registration(&console, slug, id).await?;
    show(&console, &event, &reg, StatusCode::OK, None).await
}

async fn show(
    console: &Console,
    event: &Event,
    reg: &RegistrationRow,
    status: StatusCode,
    problem: Option<String>,
) -> ConsoleReply {
    let lang = console.lang;
    let (id, event_copy) = (reg.id, event.clone());
    let (bookings, emails) = console
        .run(move |c| {
            let release = crate::schedule::releases::latest(c, event_copy.id)?;
            let bookings: Vec<_> = store::bookings_of(c, id)?
                .iter()
                .map(|b| super::bookings::BookingOut::of(&event_copy, release.as_ref(), b, lang))
                .collect();
            Ok((bookings, crate::email::sent_to_registration(c, id)?))
        })
        .await?;
    let base = format!("/console/events/{}/registrations/{}", event.slug, reg.id);
    let action = |what: &str| {
        let path = format!("{base}/{what}");
        context! { url => format!("{path}?lang={}", lang.code()), csrf => console.csrf(&path) }
    };
    let erased = reg.erased_at.is_some();
    let time = |t: chrono::NaiveDateTime| dates::day_time(lang, event.wall_clock(t));
    console.page(
        status,
        "console/registration.html",
        &[Section::ConsoleRegistrations],
        context! {
            event => nav(event, lang),
            tab => "registrations",
            notice => console.done(Section::ConsoleRegistrations),
            problem => problem,
            reg => context! {
                name => reg.name.clone().unwrap_or_else(|| word(lang, Section::ConsoleRegistrations, "reg_erased")),
                email => &reg.email, organization => &reg.organization, job_title => &reg.job_title,
                country => reg.country.as_deref().map(|c| crate::domain::country::label(c, lang)),
                phone => &reg.phone,
                language => reg.language().native_name(),
                category => reg.category().label(lang),
                category_code => reg.category().as_str(),
                status => status_label(reg.status(), lang),
                status_code => reg.status().as_str(),
                badge_code => (reg.status() == Status::Confirmed).then_some(&reg.badge_code),
                created => time(reg.created_at),
                confirmed => reg.confirmed_at.map(time),
                erased => erased,
            },
            bookings => bookings.iter().map(|b| context! {
                title => &b.title,
                when => dates::day_time(lang, b.starts_at.naive_local()),
                status => word(lang, Section::ConsoleRegistrations, &format!("reg_booking_{}", b.status.as_str())),
            }).collect::<Vec<_>>(),
            emails => emails.iter().map(|m| context! {
                kind => &m.kind, status => &m.status,
                when => time(m.created_at.naive_utc()),
            }).collect::<Vec<_>>(),
            categories => CATEGORIES.iter().map(|c| context! { code => c.as_str(), label => c.label(lang) }).collect::<Vec<_>>(),
            can_edit => console.can(Role::Editor) && !erased,
            can_cancel => reg.status().can_become(Status::Cancelled),
            badge => (reg.status() == Status::Confirmed).then(|| format!("{base}/badge")),
            category_form => action("category"),
            resend_form => action("resend"),
            cancel_form => action("cancel"),
            erase_form => action("erase"),
            back => format!("/console/events/{}/registrations?lang={}", event.slug, lang.code()),
        },
    )
}

/// What a registration's action works with, inside its write transaction: the organizer
/// `who`, the registration `id` of the fair `slug`, and the form that asked for it.
struct Action<'a, 'c> {
    c: &'a mut Conn<'c>,
    settings: &'a Settings,
    who: i64,
    slug: &'a str,
    id: i64,
    form: &'a FormFields,
}

impl Action<'_, '_> {
    /// Applies `patch` as the API's PATCH does: its rules, its emails, its audit entry.
    fn change(self, patch: RegistrationPatch) -> AppResult<()> {
        let Action {
            c,
            settings,
            who,
            slug,
            id,
            ..
        } = self;
        organizer::change(c, settings, who, slug, id, patch, vec![]).map(|_| ())
    }
}

/// Runs an organizer's change of a registration posted from its page, then back to the page
/// with `done`; a refusal is said on the page.
async fn act(
    posted: Posted,
    path: ItemPath,
    done: &str,
    write: impl FnOnce(Action) -> AppResult<()> + Send + 'static,
) -> ConsoleReply {
    let (console, form) = posted.editor()?;
    let (slug, id) = path.into_inner();
    let (event, _) = registration(&console, slug.clone(), id).await?;
    let settings = console.state.settings.clone();
    let who = console.organizer().id;
    let sent = form.clone();
    let written = console
        .state
        .db
        .write(move |c| {
            write(Action {
                c,
                settings: &settings,
                who,
                slug: &slug,
                id,
                form: &sent,
            })
        })
        .await;
    match written {
        Ok(()) => Ok(console.see_other(&format!(
            "/console/events/{}/registrations/{id}?done={done}",
            event.slug
        ))),
        Err(e) => match refusal(&e, console.lang) {
            Some((status, said)) => {
                let (event, reg) = registration(&console, event.slug.clone(), id).await?;
                show(&console, &event, &reg, status, Some(said)).await
            }
            None => Err(console.error(e)),
        },
    }
}

#[utoipa::path(post, path = "/console/events/{slug}/registrations/{id}/category", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "category, csrf"),
    responses((status = 303, description = "changed: back to the registration"), (status = 403), (status = 404), (status = 409)))]
pub async fn set_category(posted: Posted, path: ItemPath) -> ConsoleReply {
    act(posted, path, "reg_done_category", |a| {
        let category = a
            .form
            .text("category")
            .and_then(|c| serde_json::from_value(serde_json::json!(c)).ok());
        let Some(category) = category else {
            return Err(AppError::validation("category", "is not a category"));
        };
        a.change(RegistrationPatch {
            category: Some(category),
            ..Default::default()
        })
    })
    .await
}

#[utoipa::path(post, path = "/console/events/{slug}/registrations/{id}/resend", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "queued (the link while pending, the confirmation once confirmed): back to the registration"), (status = 403), (status = 404), (status = 409)))]
pub async fn resend(posted: Posted, path: ItemPath) -> ConsoleReply {
    act(posted, path, "reg_done_resent", |a| {
        organizer::send_again(a.c, a.settings, a.who, a.slug, a.id).map(|_| ())
    })
    .await
}

#[utoipa::path(post, path = "/console/events/{slug}/registrations/{id}/cancel", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "cancelled and emailed: back to the registration"), (status = 403), (status = 404), (status = 409)))]
pub async fn cancel(posted: Posted, path: ItemPath) -> ConsoleReply {
    act(posted, path, "reg_done_cancelled", |a| {
        a.change(RegistrationPatch {
            status: Some(Status::Cancelled),
            ..Default::default()
        })
    })
    .await
}

#[utoipa::path(post, path = "/console/events/{slug}/registrations/{id}/erase", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "confirm (the box: erasing cannot be undone), csrf"),
    responses((status = 303, description = "erased (only counts remain): back to the registration"), (status = 403), (status = 404), (status = 409, description = "the box was not ticked: nothing erased")))]
pub async fn erase(posted: Posted, path: ItemPath) -> ConsoleReply {
    act(posted, path, "reg_done_erased", |a| {
        if a.form.text("confirm").as_deref() != Some("yes") {
            return Err(AppError::Conflict(
                "tick the box to confirm: erasing cannot be undone".into(),
            ));
        }
        let event = crate::events::store::lock(a.c, a.slug)?;
        service::erase_by_id(a.c, a.settings, &event, a.id)?;
        let via = serde_json::json!({"via": "console"});
        let (who, id) = (Some(a.who), Some(a.id));
        crate::audit::record(a.c, who, Some(event.id), "erase", "registration", id, via)?;
        Ok(())
    })
    .await
}

#[utoipa::path(get, path = "/console/events/{slug}/registrations/{id}/badge", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "the printable badge", content_type = "text/html"), (status = 303), (status = 403), (status = 404), (status = 409, description = "not confirmed")))]
pub async fn badge(console: Console, path: ItemPath) -> ConsoleReply {
    console.require(Role::Viewer)?;
    let (slug, id) = path.into_inner();
    let (event, reg) = registration(&console, slug, id).await?;
    if reg.status() != Status::Confirmed {
        return Err(console.error(AppError::Conflict(format!(
            "only a confirmed registration has a badge; this one is {}",
            reg.status()
        ))));
    }
    let html = super::attendee_pages::badge_html(&event, &reg, reg.language())
        .map_err(|e| console.error(e))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

/// The registrations' console routes (`new` before `{id}`, which it would not parse as).
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_list, list);
    r.add(__path_csv, csv);
    r.add(__path_walk_in_form, walk_in_form);
    r.add(__path_walk_in, walk_in);
    r.add(__path_page, page);
    r.add(__path_set_category, set_category);
    r.add(__path_resend, resend);
    r.add(__path_cancel, cancel);
    r.add(__path_erase, erase);
    r.add(__path_badge, badge);
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_badge_code_is_told_from_a_name() {
        assert_eq!(
            super::as_badge_code("k7qm 2xhp-9trw c4nd").as_deref(),
            Some("K7QM-2XHP-9TRW-C4ND")
        );
        assert_eq!(super::as_badge_code("Amina El Idrissi"), None);
        assert_eq!(super::as_badge_code("أمينة"), None);
    }
}
