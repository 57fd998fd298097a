//! The audit log in the console, for admins: `/console/audit` — every change by whom (the
//! organizer's email; "command line" for the CLI and the demo), what (action, entity, the fair)
//! and when (the console's language, UTC), the newest 500 that pass the filters: who, which
//! action, from and to (dates) — and `/console/events/{slug}/audit`, the same for one fair.

use actix_web::http::StatusCode;
use actix_web::web;
use chrono::NaiveDate;
use minijinja::context;
use serde::Deserialize;

use super::store;
use crate::domain::{dates, Role};
use crate::web::console::{Console, ConsoleReply};
use crate::web::words::{word, Section};
use crate::web::SlugPath;

/// The page's filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// An organizer's id.
    pub who: Option<String>,
    pub action: Option<String>,
    /// `YYYY-MM-DD`, inclusive (UTC).
    pub from: Option<String>,
    pub to: Option<String>,
}

#[utoipa::path(get, path = "/console/audit", tag = "console", params(AuditQuery),
    responses((status = 200, description = "the audit log, filtered by who, what and when (admins)", content_type = "text/html"), (status = 303), (status = 403)))]
pub async fn audit_log(console: Console, query: web::Query<AuditQuery>) -> ConsoleReply {
    console.require(Role::Admin)?;
    audit_page(console, query.into_inner(), None).await
}

#[utoipa::path(get, path = "/console/events/{slug}/audit", tag = "console", params(("slug" = String, Path), AuditQuery),
    responses((status = 200, description = "the audit log of one fair, filtered by who, what and when (admins)", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn event_audit_log(
    console: Console,
    slug: SlugPath,
    query: web::Query<AuditQuery>,
) -> ConsoleReply {
    let event = crate::events::console::fair(&console, Role::Admin, slug).await?;
    audit_page(console, query.into_inner(), Some(event)).await
}

async fn audit_page(
    console: Console,
    query: AuditQuery,
    event: Option<crate::events::Event>,
) -> ConsoleReply {
    let lang = console.lang;
    let day = |s: &Option<String>| {
        s.as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
    };
    let filter = crate::audit::Filter {
        event_id: event.as_ref().map(|e| e.id),
        organizer_id: query.who.as_deref().and_then(|w| w.parse().ok()),
        action: query.action.clone().filter(|a| !a.is_empty()),
        from: day(&query.from).and_then(|d| d.and_hms_opt(0, 0, 0)),
        to: day(&query.to).and_then(|d| d.and_hms_opt(23, 59, 59)),
    };
    let chosen = filter.clone();
    let (entries, people, actions) = console
        .run(move |c| {
            Ok((
                crate::audit::filtered(c, &chosen, 500)?,
                store::organizers(c)?,
                crate::audit::actions(c)?,
            ))
        })
        .await?;
    let who = |e: &crate::audit::AuditEntry| match e.organizer_id {
        Some(id) => people
            .iter()
            .find(|o| o.id == id)
            .map_or_else(|| format!("#{id}"), |o| o.email.clone()),
        None => word(lang, Section::ConsoleTeam, author_without_account(e)),
    };
    let rows: Vec<_> = entries
        .iter()
        .map(|e| {
            context! {
                who => who(e),
                action => &e.action, entity => &e.entity, entity_id => e.entity_id,
                event_id => e.event_id,
                when => format!("{} UTC", dates::day_time(lang, e.created_at)),
                details => &e.details,
            }
        })
        .collect();
    console.page(
        StatusCode::OK,
        "console/audit.html",
        &[Section::ConsoleTeam],
        context! {
            rows => rows,
            people => people.iter().map(|o| context! { id => o.id, email => &o.email }).collect::<Vec<_>>(),
            actions => actions,
            who => filter.organizer_id,
            action => filter.action,
            from => query.from.clone().unwrap_or_default(),
            to => query.to.clone().unwrap_or_default(),
            action_url => event.as_ref().map_or_else(|| "/console/audit".to_string(), |e| format!("/console/events/{}/audit", e.slug)),
            event => event.as_ref().map(|e| crate::events::console::nav(e, lang)),
            tab => "audit",
        },
    )
}

/// Who made an entry no organizer made, as the page names them: the exhibitor or the attendee
/// on their own page, or the command line (the CLI and the demo).
fn author_without_account(entry: &crate::audit::AuditEntry) -> &'static str {
    let details: serde_json::Value = serde_json::from_str(&entry.details).unwrap_or_default();
    let by = details["by"].as_str();
    let via = details["via"].as_str();
    match (by, via, entry.entity.as_str()) {
        (_, Some("cli"), _) => "audit_cli",
        (Some("exhibitor"), _, _) | (_, Some("page"), "staff_pass" | "exhibitor_profile") => {
            "audit_by_exhibitor"
        }
        (Some("attendee"), _, _) | (_, Some("page"), _) => "audit_by_attendee",
        _ => "audit_cli",
    }
}

/// The audit page's route.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_audit_log, audit_log);
    r.add(__path_event_audit_log, event_audit_log);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(entity: &str, details: &str) -> crate::audit::AuditEntry {
        crate::audit::AuditEntry {
            id: 1,
            event_id: Some(1),
            organizer_id: None,
            action: "update".into(),
            entity: entity.into(),
            entity_id: Some(1),
            details: details.into(),
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn an_entry_without_an_organizer_names_its_author() {
        for (entity, details, author) in [
            (
                "exhibitor",
                r#"{"by":"exhibitor","via":"page"}"#,
                "audit_by_exhibitor",
            ),
            (
                "staff_pass",
                r#"{"exhibitor_id":1,"via":"page"}"#,
                "audit_by_exhibitor",
            ),
            ("registration", r#"{"via":"page"}"#, "audit_by_attendee"),
            ("organizer", r#"{"via":"cli"}"#, "audit_cli"),
            ("demo", r#"{"starts_on":"2026-12-06"}"#, "audit_cli"),
            ("event", "not json", "audit_cli"),
        ] {
            assert_eq!(
                author_without_account(&entry(entity, details)),
                author,
                "{entity} {details}"
            );
        }
    }
}
