//! The exhibitor's meetings feed (SPEC §4.4), `/m/{token}.ics`: its accepted meetings, for a
//! calendar app to subscribe to. The token is the exhibitor's id with an HMAC of it under the
//! instance's secret (`crypto::derived_token`): it reads this calendar and nothing else — not
//! the manage link, which the feed URL must never carry since calendar providers keep it.

use actix_web::web;

use super::model::MeetingStatus;
use super::service;
use super::store::{self, Of};
use crate::calendar::ics::{Calendar, Method, Status, Vevent, When};
use crate::config::Settings;
use crate::error::AppError;
use crate::web::{Reply, State};

fn mac(secret: &str, exhibitor_id: i64) -> String {
    crate::crypto::derived_token(
        "",
        secret,
        &format!("salon exhibitor meetings feed {exhibitor_id}"),
    )
}

/// The feed's address for an exhibitor.
pub fn url(settings: &Settings, exhibitor_id: i64) -> String {
    let secret = settings.server.secret_key.expose();
    format!(
        "{}/m/{exhibitor_id}.{}.ics",
        settings.base_url(),
        mac(secret, exhibitor_id)
    )
}

/// The exhibitor a feed token was made for, if it was.
fn owner(secret: &str, token: &str) -> Option<i64> {
    let (id, given) = token.split_once('.')?;
    let id: i64 = id.parse().ok()?;
    crate::crypto::hashes_equal(&mac(secret, id), given).then_some(id)
}

#[utoipa::path(get, path = "/m/{feed_token}.ics", tag = "exhibitor",
    params(("feed_token" = String, Path, description = "shown on the exhibitor's meetings page")),
    responses((status = 200, content_type = "text/calendar", description = "the exhibitor's accepted meetings (RFC 5545)"),
        (status = 404, description = "unknown token, or the exhibitor is no longer approved")))]
pub async fn feed(state: State, token: web::Path<String>) -> Reply {
    let settings = state.settings.clone();
    let body = state
        .db
        .run(move |c| {
            let gone = || AppError::not_found("unknown meetings feed");
            let id = owner(settings.server.secret_key.expose(), &token).ok_or_else(gone)?;
            let ex = crate::exhibitors::store::find_by_id(c, id).map_err(|_| gone())?;
            if ex.status() != crate::exhibitors::model::Status::Approved {
                return Err(gone());
            }
            let event = crate::events::store::find(c, ex.event_id)?;
            let lang = ex.language();
            let fair = event.name.get(lang, event.default_language).to_string();
            let mut events = Vec::new();
            for m in store::list(c, Of::Exhibitor(ex.id))? {
                if MeetingStatus::parse(&m.status) != MeetingStatus::Accepted {
                    continue;
                }
                let reg = crate::registrations::store::find_by_id(c, m.registration_id)?;
                let who = match (reg.name, reg.organization) {
                    (Some(n), Some(o)) => format!("{n} ({o})"),
                    (Some(n), None) => n,
                    (None, o) => o.unwrap_or_default(),
                };
                let mut v = Vevent::new(
                    service::uid(&settings, m.id),
                    m.updated_at,
                    When::Utc(m.starts_at),
                    When::Utc(m.ends_at),
                    format!("{who} · {fair}"),
                    event.venue.clone(),
                );
                v.sequence = Some(0);
                v.status = Some(Status::Confirmed);
                if !m.message.is_empty() {
                    v.description = Some(m.message.clone());
                }
                events.push(v);
            }
            Ok(Calendar {
                method: Method::Publish,
                name: Some(format!("{} — {fair}", ex.profile.company_name)),
                events,
            }
            .write())
        })
        .await?;
    Ok(crate::web::private_feed(body))
}

/// The exhibitor's feed.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_feed, feed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_token_names_its_exhibitor_and_cannot_be_made_for_another() {
        let token = format!("7.{}", mac("secret", 7));
        assert_eq!(owner("secret", &token), Some(7));
        assert_eq!(owner("other secret", &token), None);
        let forged = token.replacen('7', "8", 1);
        assert_eq!(owner("secret", &forged), None);
        assert_eq!(owner("secret", "7"), None);
    }
}
