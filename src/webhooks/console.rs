//! Webhooks in the console, for admins: `/console/events/{slug}/webhooks` lists the fair's
//! endpoints (state, last delivery) and adds one — its secret shown once, on the endpoint's
//! page, never in a URL —; `…/webhooks/{id}` shows its deliveries with every
//! attempt, sends one again, changes the endpoint, rotates its secret or deletes it. The steps
//! are the API's (`service`, the same checks, the same audit entries).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use minijinja::context;

use super::model::{DeliveryOut, DeliveryStatus, EventType, WebhookOut, WebhookRow};
use super::service::{self, Admin, EndpointForm};
use super::store;
use crate::db::PageRequest;
use crate::domain::text::Check;
use crate::domain::{dates, FieldError, Language, Role};
use crate::error::AppError;
use crate::events::console::{fair, find, nav};
use crate::events::Event;
use crate::web::console::{form_errors, Console, ConsoleError, ConsoleReply, FormFields, Posted};
use crate::web::words::{word, Section};
use crate::web::{ItemPath, SlugPath};

fn w(lang: Language, key: &str) -> String {
    word(lang, Section::ConsoleWebhooks, key)
}

/// The event types in the form, by the part of the fair they come from.
const GROUPS: &[(&str, &[EventType])] = &[
    (
        "registrations",
        &[
            EventType::RegistrationCreated,
            EventType::RegistrationConfirmed,
            EventType::RegistrationCancelled,
            EventType::RegistrationPromoted,
        ],
    ),
    (
        "programme",
        &[
            EventType::ScheduleReleased,
            EventType::BookingCreated,
            EventType::BookingCancelled,
        ],
    ),
    (
        "exhibitors",
        &[
            EventType::ExhibitorSubmitted,
            EventType::ExhibitorApproved,
            EventType::ExhibitorRejected,
            EventType::ExhibitorWithdrawn,
        ],
    ),
    (
        "door_and_meetings",
        &[
            EventType::CheckinCreated,
            EventType::MeetingRequested,
            EventType::MeetingAccepted,
            EventType::MeetingCancelled,
        ],
    ),
];

fn type_label(lang: Language, t: EventType) -> String {
    w(lang, &format!("type_{}", t.as_str().replace('.', "_")))
}

fn groups(lang: Language) -> Vec<minijinja::Value> {
    GROUPS
        .iter()
        .map(|(name, types)| {
            context! {
                label => w(lang, &format!("group_{name}")),
                types => types.iter().map(|t| context! { code => t.as_str(), label => type_label(lang, *t) }).collect::<Vec<_>>(),
            }
        })
        .collect()
}

/// Why Salon disabled an endpoint, in the console's language.
fn reason(lang: Language, hook: &WebhookOut) -> Option<String> {
    let reason = hook.disabled_reason.as_deref()?;
    Some(if reason.contains("410") {
        w(lang, "reason_gone")
    } else {
        w(lang, "reason_failing")
    })
}

/// The form's values, as typed (or as stored).
fn values(url: &str, types: &[String], enabled: bool) -> minijinja::Value {
    context! { url => url, event_types => types, enabled => enabled }
}

/// The form's errors in the console's language, by field.
fn errors_of(lang: Language, errors: &[FieldError]) -> std::collections::BTreeMap<String, String> {
    let mut out = form_errors(lang, errors);
    if let Some(message) = out.get_mut("url") {
        *message = if message.contains("allow_private") {
            w(lang, "url_private")
        } else if message.contains("resolve") || message.contains("has no address") {
            w(lang, "url_unknown_host")
        } else if errors
            .iter()
            .any(|e| e.field == "url" && e.code == "required")
        {
            message.clone()
        } else {
            w(lang, "url_invalid")
        };
    }
    if out.contains_key("event_types") {
        out.insert("event_types".into(), w(lang, "types_required"));
    }
    out
}

/// The endpoint form as posted, checked as the API checks it.
async fn posted_form(
    console: &Console,
    form: &FormFields,
    enabled: bool,
    stored: Option<&str>,
) -> Result<EndpointForm, Vec<FieldError>> {
    let mut check = Check::default();
    let types: Vec<EventType> = form
        .all("event_types")
        .iter()
        .filter_map(|t| {
            let parsed = EventType::parse(t);
            if parsed.is_none() {
                check.push(FieldError::new("event_types", "is not an event type"));
            }
            parsed
        })
        .collect();
    let settings = &console.state.settings;
    match service::checked(
        settings,
        check,
        form.text("url"),
        Some(types),
        enabled,
        stored,
    )
    .await
    {
        Ok(form) => Ok(form),
        Err(AppError::Validation(errors)) => Err(errors),
        Err(other) => Err(vec![FieldError::new("url", other.problem().detail)]),
    }
}

/// The list page: the endpoints, the form to add one (with `typed` and `errors` after a
/// refused form) and the secret of the one just added.
async fn list_page(
    console: &Console,
    event: &Event,
    status: StatusCode,
    typed: Option<minijinja::Value>,
    errors: &[FieldError],
) -> ConsoleReply {
    let lang = console.lang;
    let id = event.id;
    let rows = console
        .run(move |c| {
            let mut out = Vec::new();
            for row in store::of_event(c, id)? {
                let (last, _) = service::deliveries(c, row.id, &PageRequest::first(1))?;
                out.push((WebhookOut::from(&row), last.into_iter().next()));
            }
            Ok(out)
        })
        .await?;
    let base = format!("/console/events/{}/webhooks", event.slug);
    let hooks: Vec<_> = rows
        .iter()
        .map(|(h, last)| {
            context! {
                url => &h.url,
                href => format!("{base}/{}?lang={}", h.id, lang.code()),
                types => h.event_types.iter().map(|t| type_label(lang, *t)).collect::<Vec<_>>().join(if lang == Language::Ar { "، " } else { ", " }),
                enabled => h.enabled,
                reason => reason(lang, h),
                last => last.as_ref().map(|d| context! {
                    status => w(lang, &format!("status_{}", d.status.as_str())),
                    status_code => status_class(d.status),
                    when => dates::day_time(lang, event.wall_clock(d.created_at.naive_utc())),
                }),
            }
        })
        .collect();
    let all: Vec<String> = EventType::ALL
        .iter()
        .map(|t| t.as_str().to_string())
        .collect();
    console.page(
        status,
        "console/webhooks.html",
        &[Section::ConsoleWebhooks],
        context! {
            event => nav(event, lang),
            tab => "webhooks",
            hooks => hooks,
            groups => groups(lang),
            values => typed.unwrap_or_else(|| values("", &all, true)),
            errors => errors_of(lang, errors),
            has_errors => !errors.is_empty(),
            notice => console.done(Section::ConsoleWebhooks),
            create => context! { url => format!("{base}?lang={}", lang.code()), csrf => console.csrf(&base) },
        },
    )
}

/// A delivery's pill: its status as the outbox's pills colour it.
fn status_class(status: DeliveryStatus) -> &'static str {
    match status {
        DeliveryStatus::Delivered => "sent",
        DeliveryStatus::Failed => "failed",
        DeliveryStatus::Pending | DeliveryStatus::Sending => "pending",
    }
}

#[utoipa::path(get, path = "/console/events/{slug}/webhooks", tag = "console",
    params(("slug" = String, Path)),
    responses((status = 200, description = "the fair's webhook endpoints and the form to add one (admins)", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn list(console: Console, slug: SlugPath) -> ConsoleReply {
    let event = fair(&console, Role::Admin, slug).await?;
    list_page(&console, &event, StatusCode::OK, None, &[]).await
}

#[utoipa::path(post, path = "/console/events/{slug}/webhooks", tag = "console",
    params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "url, event_types (repeated), csrf"),
    responses((status = 303, description = "added: to the endpoint's page, which shows its secret once"), (status = 403), (status = 404),
        (status = 422, description = "the URL or the types refused, beside their fields; nothing added")))]
pub async fn create(posted: Posted, slug: SlugPath) -> ConsoleReply {
    let (console, form) = admin(posted)?;
    let event = find(&console, slug.into_inner()).await?;
    let checked = match posted_form(&console, &form, true, None).await {
        Ok(checked) => checked,
        Err(errors) => {
            let typed = values(
                &form.text("url").unwrap_or_default(),
                &form.all("event_types"),
                true,
            );
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return list_page(&console, &event, status, Some(typed), &errors).await;
        }
    };
    let admin = Admin {
        by: console.organizer().id,
        event_id: event.id,
    };
    let (row, secret) = console
        .write(move |c| service::create(c, admin, &checked))
        .await?;
    Ok(show_secret_once(
        &console,
        &event,
        row.id,
        &secret,
        "done_created",
    ))
}

/// The name of the cookie that carries a new secret to the endpoint's page, once.
const SECRET_COOKIE: &str = "salon_webhook_secret";

/// 303 to the endpoint's page, which shows `secret` once: the secret goes in a cookie scoped
/// to that page, HttpOnly, for five minutes, and the page clears it as it shows it. So the
/// secret is in no address, and reloading the page neither shows it again nor posts the form
/// again.
fn show_secret_once(
    console: &Console,
    event: &Event,
    id: i64,
    secret: &str,
    done: &str,
) -> HttpResponse {
    let path = format!("/console/events/{}/webhooks/{id}", event.slug);
    let mut answer = console.see_other(&format!("{path}?done={done}"));
    let cookie = format!(
        "{SECRET_COOKIE}={secret}; Path={path}; HttpOnly; SameSite=Strict; Max-Age=300{}",
        secure(console)
    );
    if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&cookie) {
        answer
            .headers_mut()
            .append(actix_web::http::header::SET_COOKIE, value);
    }
    answer
}

fn secure(console: &Console) -> &'static str {
    if console.state.settings.base_url().starts_with("https://") {
        "; Secure"
    } else {
        ""
    }
}

/// The console and form of an admin; the 403 page for other roles.
fn admin(posted: Posted) -> Result<(Console, FormFields), ConsoleError> {
    posted.console.require(Role::Admin)?;
    Ok((posted.console, posted.form))
}

/// An admin's form about one endpoint: the console, the form, the fair, the endpoint, and
/// who acts (for the audit log).
struct Acting {
    console: Console,
    form: FormFields,
    event: Event,
    row: WebhookRow,
    admin: Admin,
}

impl Acting {
    async fn of(posted: Posted, path: ItemPath) -> Result<Acting, ConsoleError> {
        let (console, form) = admin(posted)?;
        let (slug, id) = path.into_inner();
        let (event, row) = found(&console, slug, id).await?;
        let admin = Admin {
            by: console.organizer().id,
            event_id: event.id,
        };
        Ok(Acting {
            console,
            form,
            event,
            row,
            admin,
        })
    }

    /// 303 back to the endpoint's page, saying `done`.
    fn back(&self, done: &str) -> HttpResponse {
        self.console.see_other(&format!(
            "/console/events/{}/webhooks/{}?done={done}",
            self.event.slug, self.row.id
        ))
    }
}

/// How many deliveries the endpoint's page shows.
const SHOWN: i64 = 50;

/// The endpoint's page: its deliveries and attempts, its form (with `typed` and `errors`
/// after a refused one), and its new secret after a rotation.
async fn endpoint_page(
    console: &Console,
    event: &Event,
    row: &WebhookRow,
    status: StatusCode,
    typed: Option<minijinja::Value>,
    errors: &[FieldError],
    secret: Option<String>,
) -> ConsoleReply {
    let lang = console.lang;
    let hook_id = row.id;
    let (deliveries, total) = console
        .run(move |c| service::deliveries(c, hook_id, &PageRequest::first(SHOWN)))
        .await?;
    let hook = WebhookOut::from(row);
    let base = format!("/console/events/{}/webhooks/{}", event.slug, row.id);
    let at =
        |t: chrono::DateTime<chrono::Utc>| dates::day_time(lang, event.wall_clock(t.naive_utc()));
    let shown: Vec<_> = deliveries
        .iter()
        .map(|d: &DeliveryOut| {
            let replay = format!("{base}/deliveries/{}/replay", d.id);
            let kind = EventType::parse(&d.event_type);
            context! {
                label => kind.map(|k| type_label(lang, k)).unwrap_or_default(),
                type => &d.event_type,
                message_id => &d.message_id,
                status => w(lang, &format!("status_{}", d.status.as_str())),
                status_code => status_class(d.status),
                next => d.next_attempt_at.filter(|_| !d.attempts.is_empty()).map(|t| w(lang, "next_attempt").replace("{when}", &at(t))),
                when => at(d.created_at),
                attempts => d.attempts.iter().map(|a| context! {
                    when => at(a.attempted_at),
                    outcome => match a.status_code {
                        Some(code) => format!("HTTP {code} · {} ms", a.duration_ms),
                        None => format!("{} · {}", w(lang, "no_answer"), a.error.clone().unwrap_or_default()),
                    },
                    response => a.response.chars().take(120).collect::<String>(),
                }).collect::<Vec<_>>(),
                replay => (hook.enabled && d.status != DeliveryStatus::Sending)
                    .then(|| context! { url => format!("{replay}?lang={}", lang.code()), csrf => console.csrf(&replay) }),
            }
        })
        .collect();
    let stored: Vec<String> = hook
        .event_types
        .iter()
        .map(|t| t.as_str().to_string())
        .collect();
    let form = |action: &str| {
        let url = format!("{base}{action}");
        context! { url => format!("{url}?lang={}", lang.code()), csrf => console.csrf(&url) }
    };
    console.page(
        status,
        "console/webhook.html",
        &[Section::ConsoleWebhooks],
        context! {
            event => nav(event, lang),
            tab => "webhooks",
            hook => context! { url => &hook.url, enabled => hook.enabled, reason => reason(lang, &hook) },
            deliveries => shown,
            more => (total > SHOWN).then(|| w(lang, "more").replace("{n}", &total.to_string())),
            groups => groups(lang),
            editing => true,
            values => typed.unwrap_or_else(|| values(&hook.url, &stored, hook.enabled)),
            errors => errors_of(lang, errors),
            has_errors => !errors.is_empty(),
            secret => secret,
            notice => console.done(Section::ConsoleWebhooks),
            save => form(""),
            rotate => form("/rotate"),
            delete => form("/delete"),
            back => format!("/console/events/{}/webhooks?lang={}", event.slug, lang.code()),
        },
    )
}

/// The fair `slug` and its endpoint `id`, for an admin's page.
async fn found(
    console: &Console,
    slug: String,
    id: i64,
) -> Result<(Event, WebhookRow), ConsoleError> {
    let event = find(console, slug).await?;
    let event_id = event.id;
    let row = console.run(move |c| service::find(c, event_id, id)).await?;
    Ok((event, row))
}

#[utoipa::path(get, path = "/console/events/{slug}/webhooks/{id}", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "an endpoint: its deliveries with every attempt, its settings, its secret's rotation (admins)", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn endpoint(console: Console, path: ItemPath) -> ConsoleReply {
    console.require(Role::Admin)?;
    let (slug, id) = path.into_inner();
    let (event, row) = found(&console, slug, id).await?;
    let secret = crate::web::pages::cookie(&console.req, SECRET_COOKIE)
        .filter(|s| s.starts_with(super::signature::PREFIX));
    let shown = secret.is_some();
    let mut answer =
        endpoint_page(&console, &event, &row, StatusCode::OK, None, &[], secret).await?;
    if shown {
        let gone = format!(
            "{SECRET_COOKIE}=; Path={}; HttpOnly; SameSite=Strict; Max-Age=0{}",
            console.req.path(),
            secure(&console)
        );
        if let Ok(value) = actix_web::http::header::HeaderValue::from_str(&gone) {
            answer
                .headers_mut()
                .append(actix_web::http::header::SET_COOKIE, value);
        }
    }
    Ok(answer)
}

#[utoipa::path(post, path = "/console/events/{slug}/webhooks/{id}", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "url, event_types (repeated), enabled, csrf"),
    responses((status = 303, description = "saved"), (status = 403), (status = 404),
        (status = 422, description = "the URL or the types refused, beside their fields; nothing saved")))]
pub async fn save(posted: Posted, path: ItemPath) -> ConsoleReply {
    let act = Acting::of(posted, path).await?;
    let (console, form) = (&act.console, &act.form);
    let enabled = form.text("enabled").is_some();
    let checked = match posted_form(console, form, enabled, Some(&act.row.url)).await {
        Ok(checked) => checked,
        Err(errors) => {
            let typed = values(
                &form.text("url").unwrap_or_default(),
                &form.all("event_types"),
                enabled,
            );
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            let (event, row) = (&act.event, &act.row);
            return endpoint_page(console, event, row, status, Some(typed), &errors, None).await;
        }
    };
    let (admin, id) = (act.admin, act.row.id);
    act.console
        .write(move |c| service::update(c, admin, id, &checked).map(|_| ()))
        .await?;
    Ok(act.back("done_saved"))
}

#[utoipa::path(post, path = "/console/events/{slug}/webhooks/{id}/rotate", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "a new secret, shown once on the endpoint's page; the old one signs beside it for 24 hours"), (status = 403), (status = 404)))]
pub async fn rotate(posted: Posted, path: ItemPath) -> ConsoleReply {
    let act = Acting::of(posted, path).await?;
    let (admin, id) = (act.admin, act.row.id);
    let (_, secret) = act
        .console
        .write(move |c| service::rotate(c, admin, id))
        .await?;
    Ok(show_secret_once(
        &act.console,
        &act.event,
        id,
        &secret,
        "done_rotated",
    ))
}

#[utoipa::path(post, path = "/console/events/{slug}/webhooks/{id}/delete", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "deleted with its deliveries: back to the list"), (status = 403), (status = 404)))]
pub async fn delete(posted: Posted, path: ItemPath) -> ConsoleReply {
    let act = Acting::of(posted, path).await?;
    let (admin, id) = (act.admin, act.row.id);
    act.console
        .write(move |c| service::delete(c, admin, id))
        .await?;
    Ok(act.console.see_other(&format!(
        "/console/events/{}/webhooks?done=done_deleted",
        act.event.slug
    )))
}

#[utoipa::path(post, path = "/console/events/{slug}/webhooks/{id}/deliveries/{delivery_id}/replay", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path), ("delivery_id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "queued again, with the same webhook-id"), (status = 403), (status = 404),
        (status = 409, description = "the endpoint is disabled, or the delivery is being sent")))]
pub async fn replay(posted: Posted, path: web::Path<(String, i64, i64)>) -> ConsoleReply {
    let (slug, id, delivery_id) = path.into_inner();
    let act = Acting::of(posted, web::Path::from((slug, id))).await?;
    let admin = act.admin;
    act.console
        .write(move |c| service::replay(c, admin, id, delivery_id))
        .await?;
    Ok(act.back("done_replayed#deliveries"))
}

/// The webhooks' console routes.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_list, list)
        .add(__path_create, create)
        .add(__path_endpoint, endpoint)
        .add(__path_save, save)
        .add(__path_rotate, rotate)
        .add(__path_delete, delete)
        .add(__path_replay, replay);
}
