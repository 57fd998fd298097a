//! The fair in the console: `/console` (the fairs), `/console/events/new` (a draft),
//! `/console/events/{slug}` (the overview: what each area reports, and what is left to do
//! before publishing) and `/console/events/{slug}/settings` (every field, each translatable
//! text in each of the fair's languages; publish; delete a draft). Writes go through
//! [`super::service`], as the API's do.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::web;
use chrono::TimeZone;
use minijinja::context;

use super::handlers::{apply_patch, new_event, EventPatch, NewEvent};
use super::{service, store, Event, Hooks};
use crate::db::{Conn, PageRequest};
use crate::domain::dates::ProgrammeTime;
use crate::domain::text::Check;
use crate::domain::{dates, FieldError, Language, Role};
use crate::error::{AppError, AppResult};
use crate::web::console::{
    form_errors, per_language, Console, ConsoleError, ConsoleReply, FormFields, Posted,
};
use crate::web::words::{word, Section};
use crate::web::SlugPath;

/// One number of a panel: what it counts, and the list behind it.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Figure {
    pub value: String,
    pub label: String,
    /// The console page that lists what the number counts.
    pub href: Option<String>,
}

impl Figure {
    pub fn new(value: impl ToString, label: String) -> Figure {
        Figure {
            value: value.to_string(),
            label,
            href: None,
        }
    }

    /// The figure, linked to the page `href` (in the console's language `lang`).
    pub fn to(mut self, href: &str, lang: Language) -> Figure {
        let glue = if href.contains('?') { '&' } else { '?' };
        self.href = Some(format!("{href}{glue}lang={}", lang.code()));
        self
    }
}

/// What an area shows on a fair's overview, and what it says is left to do.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct PanelView {
    pub title: String,
    pub figures: Vec<Figure>,
    pub notes: Vec<String>,
    /// Where to go on: (href, label).
    pub link: Option<(String, String)>,
    /// Left to do before publishing.
    pub todo: Vec<String>,
}

/// An area's part of the overview page (the programme, registrations…), read in the page's
/// one read transaction.
pub trait Panel: Send + Sync {
    fn panel(&self, c: &mut Conn, event: &Event, lang: Language) -> AppResult<PanelView>;
}

/// The overview's panels, in order (registered by the app).
#[derive(Default)]
pub struct Panels(pub Vec<Box<dyn Panel>>);

/// The fair's bar in every console page of it: name, status, tabs.
pub fn nav(event: &Event, lang: Language) -> minijinja::Value {
    let status = if event.is_published() {
        "status_published"
    } else {
        "status_draft"
    };
    context! {
        name => event.name.get(lang, event.default_language),
        slug => &event.slug,
        base => format!("/console/events/{}", event.slug),
        public => format!("/events/{}?lang={}", event.slug, lang.code()),
        door => format!("/console/events/{}/door", event.slug),
        published => event.is_published(),
        status_label => word(lang, Section::Console, status),
    }
}

/// The fair `slug` as organizers see it (drafts too), or the console's 404.
pub async fn find(console: &Console, slug: String) -> Result<Event, ConsoleError> {
    console.run(move |c| store::visible(c, &slug, true)).await
}

/// The fair of a page's path, for an organizer who holds at least `role` (403 below it).
pub async fn fair(console: &Console, role: Role, slug: SlugPath) -> Result<Event, ConsoleError> {
    console.require(role)?;
    find(console, slug.into_inner()).await
}

#[utoipa::path(get, path = "/console", tag = "console",
    responses((status = 200, description = "the fairs this organizer can see", content_type = "text/html"), (status = 303, description = "to sign in")))]
pub async fn fairs(console: Console) -> ConsoleReply {
    let all = PageRequest {
        page: 1,
        per_page: 500,
        like: None,
        needle: None,
        sort: Some(("starts_on".into(), true)),
    };
    let (events, _) = console
        .run(move |c| Ok(store::list(c, &all, true)?))
        .await?;
    let lang = console.lang;
    let rows: Vec<_> = events
        .iter()
        .map(|e| {
            context! {
                name => e.name.get(lang, e.default_language),
                href => format!("/console/events/{}", e.slug),
                days => dates::range(lang, e.starts_on, e.ends_on),
                place => [e.venue.as_str(), e.city.as_str()].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(", "),
                published => e.is_published(),
                status => word(lang, Section::Console, if e.is_published() { "status_published" } else { "status_draft" }),
            }
        })
        .collect();
    console.page(
        StatusCode::OK,
        "console/fairs.html",
        &[],
        context! { fairs => rows, can_create => console.can(Role::Editor) },
    )
}

/// The event form's values for showing again: from the fair, or from what was sent.
type Values = BTreeMap<&'static str, serde_json::Value>;

fn values_of(e: &Event) -> Values {
    use serde_json::json;
    BTreeMap::from([
        ("slug", json!(e.slug)),
        ("name", json!(per_language(&e.name, &Language::ALL))),
        (
            "description",
            json!(per_language(&e.description, &Language::ALL)),
        ),
        (
            "payment_instructions",
            json!(per_language(&e.payment_instructions, &Language::ALL)),
        ),
        ("timezone", json!(e.timezone.name())),
        ("starts_on", json!(e.starts_on.to_string())),
        ("ends_on", json!(e.ends_on.to_string())),
        ("opens_at", json!(e.opens_at.format("%H:%M").to_string())),
        ("closes_at", json!(e.closes_at.format("%H:%M").to_string())),
        ("venue", json!(e.venue)),
        ("city", json!(e.city)),
        (
            "languages",
            json!(e.languages.iter().map(|l| l.code()).collect::<Vec<_>>()),
        ),
        ("default_language", json!(e.default_language.code())),
        (
            "capacity",
            json!(e.capacity.map(|c| c.to_string()).unwrap_or_default()),
        ),
        ("contact_email", json!(e.contact_email)),
        (
            "registration_opens_at",
            json!(e.local_input(e.registration_opens_at)),
        ),
        (
            "registration_closes_at",
            json!(e.local_input(e.registration_closes_at)),
        ),
    ])
}

fn values_sent(f: &FormFields) -> Values {
    use serde_json::json;
    let text = |name: &str| json!(f.text(name).unwrap_or_default());
    let per_lang = |name: &str| {
        json!(Language::ALL
            .iter()
            .map(|l| (
                l.code(),
                f.text(&format!("{name}[{}]", l.code())).unwrap_or_default()
            ))
            .collect::<BTreeMap<_, _>>())
    };
    BTreeMap::from([
        ("slug", text("slug")),
        ("name", per_lang("name")),
        ("description", per_lang("description")),
        ("payment_instructions", per_lang("payment_instructions")),
        ("timezone", text("timezone")),
        ("starts_on", text("starts_on")),
        ("ends_on", text("ends_on")),
        ("opens_at", text("opens_at")),
        ("closes_at", text("closes_at")),
        ("venue", text("venue")),
        ("city", text("city")),
        ("languages", json!(f.all("languages"))),
        ("default_language", text("default_language")),
        ("capacity", text("capacity")),
        ("contact_email", text("contact_email")),
        ("registration_opens_at", text("registration_opens_at")),
        ("registration_closes_at", text("registration_closes_at")),
    ])
}

/// A date and time as `datetime-local` inputs send it (`2027-04-12T09:00`: the fair's local
/// time, read as the API reads a session's), for a member the API takes with an offset.
fn local_time(
    f: &FormFields,
    name: &str,
    tz: chrono_tz::Tz,
    check: &mut Check,
) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let read = ProgrammeTime::parse(&f.text(name)?).and_then(|t| t.utc(tz));
    match read {
        Ok(utc) => Some(tz.from_utc_datetime(&utc).fixed_offset()),
        Err(message) => {
            check.push(FieldError::new(name, message));
            None
        }
    }
}

/// The members of the event form, read as the API reads its JSON; what cannot even be read
/// (a capacity that is not a number) is noted in `check`.
fn event_input(f: &FormFields, tz: chrono_tz::Tz, check: &mut Check) -> NewEvent {
    let languages: Vec<Language> = f
        .all("languages")
        .iter()
        .filter_map(|l| l.parse().ok())
        .collect();
    let capacity = f.number::<i32>("capacity").unwrap_or_else(|_| {
        check.push(FieldError::new(
            "capacity",
            "must be a whole number, or empty for no limit",
        ));
        None
    });
    let tz = f
        .text("timezone")
        .and_then(|t| t.parse().ok())
        .unwrap_or(tz);
    NewEvent {
        slug: f.text("slug"),
        name: f.translatable("name"),
        description: f.translatable("description"),
        payment_instructions: f.translatable("payment_instructions"),
        timezone: f.text("timezone"),
        starts_on: f.text("starts_on").and_then(|d| d.parse().ok()),
        ends_on: f.text("ends_on").and_then(|d| d.parse().ok()),
        venue: f.text("venue"),
        city: f.text("city"),
        languages: Some(languages),
        default_language: f.text("default_language").and_then(|l| l.parse().ok()),
        capacity,
        opens_at: f.text("opens_at"),
        closes_at: f.text("closes_at"),
        contact_email: f.text("contact_email"),
        registration_opens_at: local_time(f, "registration_opens_at", tz, check),
        registration_closes_at: local_time(f, "registration_closes_at", tz, check),
    }
}

/// The whole form as a change of every member (a blank optional member clears it).
fn as_patch(n: NewEvent) -> EventPatch {
    EventPatch {
        name: n.name,
        description: Some(
            n.description
                .unwrap_or(crate::domain::Translatable::Same(String::new())),
        ),
        payment_instructions: Some(
            n.payment_instructions
                .unwrap_or(crate::domain::Translatable::Same(String::new())),
        ),
        timezone: n.timezone,
        starts_on: n.starts_on,
        ends_on: n.ends_on,
        venue: n.venue,
        city: n.city,
        languages: n.languages,
        default_language: n.default_language,
        capacity: Some(n.capacity),
        opens_at: n.opens_at,
        closes_at: n.closes_at,
        contact_email: n.contact_email,
        registration_opens_at: Some(n.registration_opens_at),
        registration_closes_at: Some(n.registration_closes_at),
    }
}

/// The event form's page: new (no `event`) or settings.
fn form_page(
    console: &Console,
    status: StatusCode,
    event: Option<&Event>,
    values: Values,
    errors: &[FieldError],
    notice: Option<String>,
) -> ConsoleReply {
    let lang = console.lang;
    let (name, action) = match event {
        Some(e) => (
            "console/settings.html",
            format!("/console/events/{}/settings", e.slug),
        ),
        None => ("console/event_new.html", "/console/events/new".to_string()),
    };
    let base = event.map(|e| format!("/console/events/{}", e.slug));
    let languages: Vec<_> = Language::ALL
        .iter()
        .map(|l| context! { code => l.code(), label => word(lang, Section::Console, &format!("lang_{}", l.code())) })
        .collect();
    console.page(
        status,
        name,
        &[],
        context! {
            event => event.map(|e| nav(e, lang)),
            tab => "settings",
            action => &action,
            csrf => console.csrf(&action),
            values => values,
            errors => form_errors(lang, errors),
            has_errors => !errors.is_empty(),
            notice => notice,
            languages => languages,
            zones => chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect::<Vec<_>>(),
            can_edit => console.can(Role::Editor),
            version => event.map(service::version),
            publish => base.as_ref().map(|b| format!("{b}/publish")),
            publish_csrf => base.as_ref().map(|b| console.csrf(&format!("{b}/publish"))),
            delete => base.as_ref().map(|b| format!("{b}/delete")),
            delete_csrf => base.as_ref().map(|b| console.csrf(&format!("{b}/delete"))),
            draft => event.is_some_and(|e| !e.is_published()),
        },
    )
}

#[utoipa::path(get, path = "/console/events/new", tag = "console",
    responses((status = 200, description = "the form for a new fair", content_type = "text/html"), (status = 303), (status = 403)))]
pub async fn new_form(console: Console) -> ConsoleReply {
    console.require(Role::Editor)?;
    let mut values = values_sent(&FormFields::default());
    values.insert("timezone", serde_json::json!("Africa/Casablanca"));
    values.insert("opens_at", serde_json::json!("09:00"));
    values.insert("closes_at", serde_json::json!("18:00"));
    values.insert("languages", serde_json::json!(["ar", "fr", "en"]));
    values.insert("default_language", serde_json::json!("fr"));
    form_page(&console, StatusCode::OK, None, values, &[], None)
}

#[utoipa::path(post, path = "/console/events/new", tag = "console",
    request_body(content_type = "application/x-www-form-urlencoded", description = "the API's event members; name[ar], name[fr], name[en] for translatable texts; csrf"),
    responses((status = 303, description = "created, as a draft: on to its overview"), (status = 403),
        (status = 422, description = "the form again, each error beside its field", content_type = "text/html")))]
pub async fn create(posted: Posted) -> ConsoleReply {
    let (console, form) = posted.editor()?;
    let mut check = Check::default();
    let input = event_input(&form, chrono_tz::UTC, &mut check);
    let created = match new_event(input, check) {
        Ok((slug, fields)) => {
            service::create(&console.state.db, console.organizer(), slug, fields).await
        }
        Err(e) => Err(e),
    };
    let again = |status, errors: &[FieldError]| {
        form_page(&console, status, None, values_sent(&form), errors, None)
    };
    match created {
        Ok(event) => Ok(console.see_other(&format!("/console/events/{}", event.slug))),
        Err(AppError::Validation(errors)) => again(StatusCode::UNPROCESSABLE_ENTITY, &errors),
        Err(AppError::Conflict(message)) => {
            again(StatusCode::CONFLICT, &[FieldError::new("slug", message)])
        }
        Err(other) => Err(console.error(other)),
    }
}

#[utoipa::path(get, path = "/console/events/{slug}", tag = "console", params(("slug" = String, Path)),
    responses((status = 200, description = "the fair's overview", content_type = "text/html"), (status = 303), (status = 404)))]
pub async fn overview(panels: web::Data<Panels>, console: Console, slug: SlugPath) -> ConsoleReply {
    if !console.can(Role::Viewer) && console.can(Role::Checkin) {
        // A door steward's fair is its door.
        return Ok(console.see_other(&format!("/console/events/{}/door", slug.into_inner())));
    }
    console.require(Role::Viewer)?;
    let lang = console.lang;
    let slug = slug.into_inner();
    let panels = panels.into_inner();
    let (event, views) = console
        .run(move |c| {
            let event = store::visible(c, &slug, true)?;
            let views = panels
                .0
                .iter()
                .map(|p| p.panel(c, &event, lang))
                .collect::<AppResult<Vec<_>>>()?;
            Ok((event, views))
        })
        .await?;
    let mut todo: Vec<String> = Vec::new();
    if event
        .description
        .texts()
        .iter()
        .all(|t| t.trim().is_empty())
    {
        todo.push(word(lang, Section::Console, "todo_description"));
    }
    todo.extend(views.iter().flat_map(|v| v.todo.clone()));
    if !event.is_published() {
        todo.push(word(lang, Section::Console, "todo_publish"));
    }
    console.page(
        StatusCode::OK,
        "console/overview.html",
        &[],
        context! {
            event => nav(&event, lang),
            tab => "dashboard",
            days => dates::range(lang, event.starts_on, event.ends_on),
            hours => format!("{}–{}", event.opens_at.format("%H:%M"), event.closes_at.format("%H:%M")),
            timezone => event.timezone.name(),
            place => [event.venue.as_str(), event.city.as_str()].into_iter().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(", "),
            panels => views,
            todo => todo,
        },
    )
}

#[utoipa::path(get, path = "/console/events/{slug}/settings", tag = "console", params(("slug" = String, Path)),
    responses((status = 200, description = "the fair's settings (read-only below the editor role)", content_type = "text/html"), (status = 303), (status = 404)))]
pub async fn settings(console: Console, slug: SlugPath) -> ConsoleReply {
    let event = fair(&console, Role::Viewer, slug).await?;
    let notice = console.done(Section::Console);
    form_page(
        &console,
        StatusCode::OK,
        Some(&event),
        values_of(&event),
        &[],
        notice,
    )
}

#[utoipa::path(post, path = "/console/events/{slug}/settings", tag = "console", params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "every event member but the slug; version; csrf"),
    responses((status = 303, description = "saved"), (status = 403), (status = 404),
        (status = 409, description = "the change would put sessions outside the fair: the form again, naming them", content_type = "text/html"),
        (status = 412, description = "changed by someone else since the form was opened: the form again with the current values", content_type = "text/html"),
        (status = 422, description = "the form again, each error beside its field", content_type = "text/html")))]
pub async fn save_settings(
    hooks: web::Data<Hooks>,
    posted: Posted,
    slug: SlugPath,
) -> ConsoleReply {
    let (console, form) = posted.editor()?;
    let slug = slug.into_inner();
    let event = find(&console, slug.clone()).await?;
    let mut check = Check::default();
    let patch = as_patch(event_input(&form, event.timezone, &mut check));
    let saved = service::update(
        &console.state.db,
        hooks.into_inner(),
        console.state.settings.clone(),
        console.organizer(),
        slug.clone(),
        form.text("version"),
        move |fields| apply_patch(fields, patch, check),
    )
    .await;
    let lang = console.lang;
    let say = |key: &str| Some(word(lang, Section::Console, key));
    let sent = || values_sent(&form);
    match saved {
        Ok(_) => Ok(console.see_other(&format!("/console/events/{slug}/settings?done=saved"))),
        Err(AppError::Validation(errors)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            form_page(
                &console,
                status,
                Some(&event),
                sent(),
                &errors,
                say("form_has_errors"),
            )
        }
        Err(AppError::PreconditionFailed(_)) => {
            let current = find(&console, slug).await?;
            let status = StatusCode::PRECONDITION_FAILED;
            let values = values_of(&current);
            form_page(
                &console,
                status,
                Some(&current),
                values,
                &[],
                say("error_412_text"),
            )
        }
        Err(AppError::ScheduleConflict { conflicts, .. }) => {
            let named: Vec<String> = conflicts.iter().map(|c| c.message.clone()).collect();
            let notice = format!(
                "{} {}",
                word(lang, Section::Console, "error_409_text"),
                named.join("; ")
            );
            form_page(
                &console,
                StatusCode::CONFLICT,
                Some(&event),
                sent(),
                &[],
                Some(notice),
            )
        }
        Err(other) => Err(console.error(other)),
    }
}

#[utoipa::path(post, path = "/console/events/{slug}/publish", tag = "console", params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "published"), (status = 403), (status = 404), (status = 409, description = "already published", content_type = "text/html")))]
pub async fn publish(posted: Posted, slug: SlugPath) -> ConsoleReply {
    let (console, _) = posted.editor()?;
    let event = service::publish(&console.state.db, console.organizer(), slug.into_inner())
        .await
        .map_err(|e| console.error(e))?;
    Ok(console.see_other(&format!(
        "/console/events/{}/settings?done=published_now",
        event.slug
    )))
}

#[utoipa::path(post, path = "/console/events/{slug}/delete", tag = "console", params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "the draft deleted: back to the fairs"), (status = 403), (status = 404), (status = 409, description = "a published fair", content_type = "text/html")))]
pub async fn delete(posted: Posted, slug: SlugPath) -> ConsoleReply {
    let (console, _) = posted.editor()?;
    service::delete_draft(
        &console.state.db,
        console.organizer(),
        slug.into_inner(),
        None,
    )
    .await
    .map_err(|e| console.error(e))?;
    Ok(console.see_other("/console"))
}

/// The fair's console pages.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_fairs, fairs)
        .add(__path_new_form, new_form)
        .add(__path_create, create)
        .add(__path_overview, overview)
        .add(__path_settings, settings)
        .add(__path_save_settings, save_settings)
        .add(__path_publish, publish)
        .add(__path_delete, delete);
}
