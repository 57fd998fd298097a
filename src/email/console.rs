//! Emails in the console: `/console/events/{slug}/emails` — the outbox by status, a failed
//! email retried from its row — and the email templates: every kind in every language, each
//! built in or the fair's own; the editor (`…/email-templates/{kind}/{lang}`) shows the
//! variables, previews the three parts on sample data (as the page is typed, with its script;
//! with a button without), says a syntax error beside its part, saves, or goes back to the
//! built-in text. The steps are the API's (the same check, store and audit).

use actix_web::dev::Payload;
use actix_web::http::StatusCode;
use actix_web::{web, FromRequest, HttpRequest, HttpResponse};
use futures_util::future::LocalBoxFuture;
use minijinja::{context, Value};
use serde::Deserialize;

use super::model::{EmailOut, Parts};
use super::{store, templates, EmailKind};
use crate::db::{Conn, PageRequest};
use crate::domain::{dates, FieldError, Language, Role};
use crate::error::{AppError, AppResult};
use crate::events::console::{fair, find, nav, Figure, Panel, PanelView};
use crate::events::Event;
use crate::web::console::{
    form_errors, Console, ConsoleError, ConsoleReply, FormFields, Posted, StatusTabs,
};
use crate::web::words::{word, Section};
use crate::web::{ItemPath, SlugPath};

fn w(lang: Language, key: &str) -> String {
    word(lang, Section::ConsoleEmails, key)
}

/// The outbox's query: `status` (`failed`, `pending`, `sent`; none: every email).
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OutboxQuery {
    pub status: Option<String>,
}

const TABS: StatusTabs = StatusTabs {
    codes: &["failed", "pending", "sent", "all"],
    default: "all",
    section: Section::ConsoleEmails,
    prefix: "mail_tab_",
};

/// Emails' part of a fair's overview: those that failed and those waiting, each linked to the
/// outbox (registered by the app).
pub struct EmailsPanel;

impl Panel for EmailsPanel {
    fn panel(&self, c: &mut Conn, event: &Event, lang: Language) -> AppResult<PanelView> {
        let one = PageRequest::first(1);
        let base = format!("/console/events/{}/emails", event.slug);
        let mut figures = Vec::new();
        for status in ["failed", "pending"] {
            let (_, n) = store::page_for_event(c, event.id, Some(status), &one)?;
            figures.push(
                Figure::new(n, w(lang, &format!("mail_panel_{status}")))
                    .to(&format!("{base}?status={status}"), lang),
            );
        }
        Ok(PanelView {
            title: w(lang, "mail_title"),
            figures,
            ..PanelView::default()
        })
    }
}

#[utoipa::path(get, path = "/console/events/{slug}/emails", tag = "console",
    params(("slug" = String, Path), OutboxQuery),
    responses((status = 200, description = "the outbox by status (the newest 200), a failed email retried from its row", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn outbox(
    console: Console,
    slug: SlugPath,
    query: web::Query<OutboxQuery>,
) -> ConsoleReply {
    let lang = console.lang;
    let event = fair(&console, Role::Editor, slug).await?;
    let base = format!("/console/events/{}/emails", event.slug);
    let (tab, tabs) = TABS.pick(&base, lang, query.status.as_deref());
    let status = (tab != "all").then(|| tab.clone());
    let request = PageRequest {
        page: 1,
        per_page: 200,
        like: None,
        needle: None,
        sort: Some(("created_at".into(), true)),
    };
    let id = event.id;
    let (rows, total) = console
        .run(move |c| Ok(store::page_for_event(c, id, status.as_deref(), &request)?))
        .await?;
    let emails: Vec<_> = rows
        .into_iter()
        .map(EmailOut::from)
        .map(|m| {
            let retry = format!("{base}/{}/retry", m.id);
            context! {
                kind => &m.kind, recipient => &m.recipient, language => &m.language,
                status => w(lang, &format!("mail_{}", m.status)), status_code => &m.status,
                attempts => m.attempts, error => &m.last_error,
                when => dates::day_time(lang, event.wall_clock(m.created_at.naive_utc())),
                retry => (m.status == "failed").then(|| context! { url => format!("{retry}?lang={}", lang.code()), csrf => console.csrf(&retry) }),
            }
        })
        .collect();
    tab_page(
        &console,
        "console/emails.html",
        &event,
        context! {
            tabs => tabs,
            emails => emails,
            total => total,
            notice => console.done(Section::ConsoleEmails),
            templates => format!("/console/events/{}/email-templates?lang={}", event.slug, lang.code()),
        },
    )
}

#[utoipa::path(post, path = "/console/events/{slug}/emails/{id}/retry", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "queued again: back to the failed emails"), (status = 403), (status = 404), (status = 409, description = "not a failed email")))]
pub async fn retry(posted: Posted, path: ItemPath) -> ConsoleReply {
    let (console, _) = posted.editor()?;
    let (slug, id) = path.into_inner();
    let event = find(&console, slug).await?;
    let who = console.organizer().id;
    let event_id = event.id;
    console
        .write(move |c| super::handlers::requeue_failed(c, who, event_id, id))
        .await?;
    Ok(console.see_other(&format!(
        "/console/events/{}/emails?status=failed&done=mail_done_retried",
        event.slug
    )))
}

#[utoipa::path(get, path = "/console/events/{slug}/email-templates", tag = "console",
    params(("slug" = String, Path)),
    responses((status = 200, description = "every email kind in every language: built in, or the fair's own", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn template_list(console: Console, slug: SlugPath) -> ConsoleReply {
    let lang = console.lang;
    let event = fair(&console, Role::Editor, slug).await?;
    let id = event.id;
    let own = console
        .run(move |c| {
            let mut own = Vec::new();
            for kind in EmailKind::ALL.into_iter().filter(|k| k.is_about_a_fair()) {
                for l in Language::ALL {
                    if store::find_override(c, id, kind, l)?.is_some() {
                        own.push((kind, l));
                    }
                }
            }
            Ok(own)
        })
        .await?;
    let base = format!("/console/events/{}/email-templates", event.slug);
    let kinds: Vec<_> = EmailKind::ALL
        .iter()
        .map(|k| {
            context! {
                code => k.as_str(),
                label => w(lang, &format!("kind_{k}")),
                langs => Language::ALL.iter().map(|l| context! {
                    code => l.code(), name => l.native_name(),
                    href => format!("{base}/{k}/{}?lang={}", l.code(), lang.code()),
                    own => own.contains(&(*k, *l)),
                }).collect::<Vec<_>>(),
            }
        })
        .collect();
    tab_page(
        &console,
        "console/email_templates.html",
        &event,
        context! {
            kinds => kinds,
            outbox => format!("/console/events/{}/emails?lang={}", event.slug, lang.code()),
        },
    )
}

/// A page of the fair's emails tab (200), with the fair's navigation.
fn tab_page(console: &Console, template: &str, event: &Event, ctx: Value) -> ConsoleReply {
    let ctx = context! { event => nav(event, console.lang), tab => "emails", ..ctx };
    console.page(StatusCode::OK, template, &[Section::ConsoleEmails], ctx)
}

/// The path of one email template of a fair: `/{slug}/email-templates/{kind}/{lang}`.
type TemplatePath = web::Path<(String, String, String)>;

/// One email of a fair in one language, as its editor works on it.
struct Editing {
    event: Event,
    kind: EmailKind,
    language: Language,
}

impl Editing {
    /// The fair, the kind and the language a template's path names; 404 for an unknown one.
    async fn of(console: &Console, path: TemplatePath) -> Result<Editing, ConsoleError> {
        let (slug, kind, language) = path.into_inner();
        let kind = kind
            .parse::<EmailKind>()
            .map_err(|e| console.error(AppError::not_found(e)))?;
        let language = language
            .parse::<Language>()
            .map_err(|e| console.error(AppError::not_found(e)))?;
        let event = find(console, slug).await?;
        Ok(Editing {
            event,
            kind,
            language,
        })
    }

    /// The editor's own address.
    fn action(&self) -> String {
        let (slug, kind) = (&self.event.slug, self.kind);
        format!(
            "/console/events/{slug}/email-templates/{kind}/{}",
            self.language.code()
        )
    }

    /// The fair's own text of this email, if it has one.
    async fn own(&self, console: &Console) -> Result<Option<Parts>, ConsoleError> {
        let (id, kind, language) = (self.event.id, self.kind, self.language);
        console
            .run(move |c| Ok(store::find_override(c, id, kind, language)?))
            .await
    }
}

/// A posted change to one email's text in one language, by an editor: the console and its
/// form, the email, and the cache of the fairs' own texts that a change refreshes.
pub struct TemplateEdit {
    console: Console,
    form: FormFields,
    editing: Editing,
    overrides: web::Data<templates::Overrides>,
}

impl FromRequest for TemplateEdit {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let parts =
            <(Posted, TemplatePath, web::Data<templates::Overrides>)>::from_request(req, payload);
        Box::pin(async move {
            let (posted, path, overrides) = parts.await?;
            let (console, form) = posted.editor()?;
            let editing = Editing::of(&console, path).await?;
            Ok(TemplateEdit {
                console,
                form,
                editing,
                overrides,
            })
        })
    }
}

impl TemplateEdit {
    /// Saves the fair's own text (`Some`) or removes it (`None`), then sends the editor back to
    /// the email, saying which was done.
    async fn keep(self, own: Option<Parts>) -> ConsoleReply {
        let (console, editing) = (&self.console, &self.editing);
        let (by, slug) = (console.organizer().id, editing.event.slug.clone());
        let (kind, language) = (editing.kind, editing.language);
        let done = match own {
            Some(_) => "mail_done_saved",
            None => "mail_done_reset",
        };
        let event_id = console
            .write(move |c| {
                let editor = templates::Editor { by, slug: &slug };
                match &own {
                    Some(parts) => templates::save_override(c, editor, kind, language, parts),
                    None => templates::drop_override(c, editor, kind, language),
                }
            })
            .await?;
        self.overrides.forget(event_id);
        Ok(console.see_other(&format!("{}?done={done}", self.editing.action())))
    }
}

/// The three parts rendered on sample data, or the errors of those that do not check.
fn preview(kind: EmailKind, lang: Language, parts: &Parts) -> Result<Parts, Vec<FieldError>> {
    templates::check(kind, parts).map_err(|e| match e {
        AppError::Validation(errors) => errors,
        other => vec![FieldError::new("text", other.problem().detail)],
    })?;
    templates::preview(kind, lang, parts)
        .map_err(|e| vec![FieldError::new("text", e.problem().detail)])
}

/// The editor of `editing` showing `parts` (the fair's own text when `own`), with `errors`
/// beside the parts that do not check.
fn editor_page(
    console: &Console,
    editing: &Editing,
    parts: &Parts,
    own: bool,
    errors: &[FieldError],
) -> ConsoleReply {
    let lang = console.lang;
    let Editing {
        event,
        kind,
        language,
    } = editing;
    let action = editing.action();
    let reset = format!("{action}/reset");
    let (status, shown) = if errors.is_empty() {
        (StatusCode::OK, preview(*kind, *language, parts).ok())
    } else {
        (StatusCode::UNPROCESSABLE_ENTITY, None)
    };
    console.page(
        status,
        "console/email_template.html",
        &[Section::ConsoleEmails],
        context! {
            event => nav(event, lang),
            tab => "emails",
            kind => kind.as_str(),
            kind_label => w(lang, &format!("kind_{kind}")),
            language => language.native_name(),
            language_code => language.code(),
            own => own,
            parts => context! { subject => &parts.subject, text => &parts.text, html => &parts.html },
            variables => super::COMMON_VARIABLES.iter().chain(kind.variables()).collect::<Vec<_>>(),
            preview => shown.map(|p| context! { subject => p.subject, text => p.text, html => p.html }),
            errors => form_errors(lang, errors),
            has_errors => !errors.is_empty(),
            notice => console.done(Section::ConsoleEmails),
            action => format!("{action}?lang={}", lang.code()),
            csrf => console.csrf(&action),
            reset => context! { url => format!("{reset}?lang={}", lang.code()), csrf => console.csrf(&reset) },
            back => format!("/console/events/{}/email-templates?lang={}", event.slug, lang.code()),
        },
    )
}

#[utoipa::path(get, path = "/console/events/{slug}/email-templates/{kind}/{lang}", tag = "console",
    params(("slug" = String, Path), ("kind" = String, Path), ("lang" = String, Path)),
    responses((status = 200, description = "the editor of one email in one language, with its preview on sample data", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn template(console: Console, path: TemplatePath) -> ConsoleReply {
    console.require(Role::Editor)?;
    let editing = Editing::of(&console, path).await?;
    let own = editing.own(&console).await?;
    let is_own = own.is_some();
    let parts = own.unwrap_or_else(|| templates::builtin(editing.kind, editing.language));
    editor_page(&console, &editing, &parts, is_own, &[])
}

#[utoipa::path(post, path = "/console/events/{slug}/email-templates/{kind}/{lang}", tag = "console",
    params(("slug" = String, Path), ("kind" = String, Path), ("lang" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "subject, text, html, do (preview or save), csrf"),
    responses((status = 200, description = "the preview (or, asked with Accept: application/json, {subject, text, html} or {errors})"),
        (status = 303, description = "saved: the fair's own text is sent from now on"), (status = 403), (status = 404),
        (status = 422, description = "a part that does not check: the error beside it, nothing saved")))]
pub async fn save_template(edit: TemplateEdit) -> ConsoleReply {
    let (console, form, editing) = (&edit.console, &edit.form, &edit.editing);
    let parts = Parts {
        subject: form.text("subject").unwrap_or_default(),
        text: form.text("text").unwrap_or_default(),
        html: form.text("html").unwrap_or_default(),
    };
    let saving = form.text("do").as_deref() == Some("save");
    let checked = {
        let (parts, kind, language) = (parts.clone(), editing.kind, editing.language);
        web::block(move || preview(kind, language, &parts))
            .await
            .map_err(|e| console.error(e.into()))?
    };
    if crate::web::console::wants_json(&console.req) {
        let lang = console.lang;
        return Ok(HttpResponse::Ok().json(match checked {
            Ok(p) => serde_json::json!({"subject": p.subject, "text": p.text, "html": p.html}),
            Err(errors) => serde_json::json!({"errors": form_errors(lang, &errors)}),
        }));
    }
    if let Err(errors) = &checked {
        return editor_page(console, editing, &parts, false, errors);
    }
    if !saving {
        let own = editing.own(console).await?.is_some();
        return editor_page(console, editing, &parts, own, &[]);
    }
    edit.keep(Some(parts)).await
}

#[utoipa::path(post, path = "/console/events/{slug}/email-templates/{kind}/{lang}/reset", tag = "console",
    params(("slug" = String, Path), ("kind" = String, Path), ("lang" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "the fair's own text removed: the built-in text is sent again"), (status = 403), (status = 404)))]
pub async fn reset_template(edit: TemplateEdit) -> ConsoleReply {
    edit.keep(None).await
}

/// The emails' console routes.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_outbox, outbox);
    r.add(__path_retry, retry);
    r.add(__path_template_list, template_list);
    r.add(__path_template, template);
    r.add(__path_save_template, save_template);
    r.add(__path_reset_template, reset_template);
}
