//! The organizers' view of the outbox — `GET …/emails[?status]` (metadata only, never a body)
//! and `POST …/emails/{id}/retry` — and template overrides, `PUT/GET
//! …/email-templates/{kind}/{lang}`.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{EmailOut, Parts};
use super::{store, templates, EmailKind};
use crate::audit;
use crate::domain::{Language, Role};
use crate::error::{AppError, AppResult};
use crate::events::handlers::FairList;
use crate::events::store as events;
use crate::web::identity::Organizer;
use crate::web::json::Json;
use crate::web::list::{ListParams, Page};
use crate::web::{ItemPath, Reply, State};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EmailStatus {
    Pending,
    Sending,
    Sent,
    Failed,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmailFilters {
    pub status: Option<EmailStatus>,
}

/// The sort keys of the email list.
pub const SORTS: &[&str] = &["created_at"];

#[utoipa::path(get, path = "/api/v1/events/{slug}/emails", tag = "emails",
    params(("slug" = String, Path), ListParams, EmailFilters),
    responses((status = 200, body = Page<EmailOut>), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn list(list: FairList<EmailFilters>) -> Reply {
    list.answer(Role::Editor, SORTS, |c, event, req, filters| {
        let status = filters.status.map(|s| {
            serde_json::to_value(s)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        });
        let (rows, total) = store::page_for_event(c, event.id, status.as_deref(), req)?;
        Ok(Page::new(
            rows.into_iter().map(EmailOut::from).collect(),
            total,
            req,
        ))
    })
    .await
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/emails/{id}/retry", tag = "emails",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 202, description = "queued again with a fresh count of attempts"), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "only a failed email with its body can be retried")),
    security(("bearer" = [])))]
pub async fn retry(state: State, who: Organizer, path: ItemPath) -> Reply {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    state
        .db
        .write(move |c| {
            let event = events::find_by_slug(c, &slug)?
                .ok_or_else(|| AppError::not_found(format!("no event `{slug}`")))?;
            requeue_failed(c, who.id, event.id, id)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(serde_json::json!({"status": "pending"})))
}

/// Queues the event's failed email `id` again with a fresh count of attempts, audited by
/// organizer `who` (the API's retry and the console's); 409 for an email that is not failed or
/// has lost its body.
pub fn requeue_failed(c: &mut crate::db::Conn, who: i64, event_id: i64, id: i64) -> AppResult<()> {
    let found = store::find_email(c, event_id, id)?;
    let (status, body) =
        found.ok_or_else(|| AppError::not_found(format!("no email {id} in this event")))?;
    if status != "failed" || body.is_none() {
        return Err(AppError::Conflict(format!(
            "only a failed email can be retried; this one is {status}"
        )));
    }
    store::requeue(c, id, crate::db::now())?;
    audit::record(
        c,
        Some(who),
        Some(event_id),
        "retry",
        "email",
        Some(id),
        serde_json::json!({}),
    )?;
    Ok(())
}

/// A template override (or the built-in text when none is saved).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// An override as sent: all three parts, each checked when saved.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateInput {
    #[schema(required = true, nullable = false)]
    pub subject: Option<String>,
    #[schema(required = true, nullable = false)]
    pub text: Option<String>,
    #[schema(required = true, nullable = false)]
    pub html: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateOut {
    pub kind: EmailKind,
    pub language: Language,
    /// true when this event overrides the built-in text.
    pub overridden: bool,
    /// The variables the templates may use.
    pub variables: Vec<&'static str>,
    #[serde(flatten)]
    pub body: TemplateBody,
}

fn kind_lang(kind: &str, lang: &str) -> AppResult<(EmailKind, Language)> {
    let kind: EmailKind = kind.parse().map_err(|e: String| AppError::not_found(e))?;
    let lang: Language = lang.parse().map_err(|e: String| AppError::not_found(e))?;
    Ok((kind, lang))
}

fn out(kind: EmailKind, lang: Language, overridden: bool, p: Parts) -> TemplateOut {
    TemplateOut {
        kind,
        language: lang,
        overridden,
        variables: super::COMMON_VARIABLES
            .iter()
            .chain(kind.variables())
            .copied()
            .collect(),
        body: TemplateBody {
            subject: p.subject,
            text: p.text,
            html: p.html,
        },
    }
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/email-templates/{kind}/{lang}", tag = "emails",
    params(("slug" = String, Path), ("kind" = String, Path), ("lang" = String, Path)),
    responses((status = 200, body = TemplateOut), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn get_template(
    state: State,
    who: Organizer,
    path: web::Path<(String, String, String)>,
) -> Reply {
    who.require(Role::Editor)?;
    let (slug, kind, lang) = path.into_inner();
    let (kind, lang) = kind_lang(&kind, &lang)?;
    let body = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, true)?;
            Ok(match store::find_override(c, event.id, kind, lang)? {
                Some(p) => out(kind, lang, true, p),
                None => out(kind, lang, false, templates::builtin(kind, lang)),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[utoipa::path(put, path = "/api/v1/events/{slug}/email-templates/{kind}/{lang}", tag = "emails",
    params(("slug" = String, Path), ("kind" = String, Path), ("lang" = String, Path)), request_body = TemplateInput,
    responses((status = 200, body = TemplateOut), (status = 401), (status = 403), (status = 404),
        (status = 422, description = "a syntax error or an unknown variable, naming the part")),
    security(("bearer" = [])))]
pub async fn put_template(
    state: State,
    overrides: web::Data<templates::Overrides>,
    who: Organizer,
    path: web::Path<(String, String, String)>,
    body: Json<TemplateInput>,
) -> Reply {
    who.require(Role::Editor)?;
    let (slug, kind, lang) = path.into_inner();
    let (kind, lang) = kind_lang(&kind, &lang)?;
    let (body, mut check) = body.into_parts().await?;
    // One line: it becomes a header.
    let subject = check.text("subject", body.subject, 1000);
    let text = check.required("text", body.text);
    let html = check.required("html", body.html);
    check.done().map_err(AppError::Validation)?;
    let (Some(subject), Some(text), Some(html)) = (subject, text, html) else {
        return Err(AppError::internal("template checked without its parts"));
    };
    let parts = Parts {
        subject,
        text,
        html,
    };
    // The check renders the override with sample values: off the HTTP workers, on its budget.
    let parts = web::block(move || templates::check(kind, &parts).map(|()| parts)).await??;
    let saved = state
        .db
        .write(move |c| {
            let editor = templates::Editor {
                by: who.id,
                slug: &slug,
            };
            let event_id = templates::save_override(c, editor, kind, lang, &parts)?;
            Ok((event_id, out(kind, lang, true, parts)))
        })
        .await?;
    let (event_id, saved) = saved;
    overrides.forget(event_id);
    Ok(HttpResponse::Ok().json(saved))
}

/// The outbox and the template overrides.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.list(__path_list, list, SORTS);
    r.add(__path_retry, retry);
    r.add(__path_get_template, get_template);
    r.add(__path_put_template, put_template);
}
