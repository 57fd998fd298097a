//! Check-in at the door: `POST …/checkins` scans a badge code, `GET …/checkins/summary` counts
//! arrivals per fair day and category. One row per badge and day records the first scan; a
//! repeat scan the same day answers 200 with `first_today: false`, so door staff can tell a
//! re-entry from a badge passed back through the fence.

use std::collections::BTreeMap;

pub mod console;
mod store;

use actix_web::HttpResponse;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::events::store as events;
use crate::registrations::{self, Category, Status};
use crate::web::identity::Organizer;
use crate::web::json::Json;
use crate::web::{Reply, SlugPath, State};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Scan {
    /// As printed under the QR code (case and spaces do not matter).
    #[schema(required = true, nullable = false)]
    pub badge_code: Option<String>,
}

/// What door staff see after a scan.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScanResult {
    pub registration_id: i64,
    pub name: Option<String>,
    pub organization: Option<String>,
    pub category: Category,
    pub first_today: bool,
    /// The fair day, in the event's timezone.
    pub day: NaiveDate,
    /// When the badge was first scanned that day.
    pub checked_in_at: DateTime<Utc>,
}

/// Badge codes are printed in groups (`K7QM-2XHP-…`); scanners and people may drop the
/// hyphens or change the case.
fn normalize(code: &str) -> String {
    let raw: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    raw.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).to_string())
        .collect::<Vec<_>>()
        .join("-")
}

/// What a badge at the door comes to.
#[derive(Debug)]
pub enum Door {
    /// First scan of the day: in.
    In(ScanResult),
    /// Scanned already today (a re-entry, or a badge passed back through the fence).
    Again(ScanResult),
    /// No registration of this fair has this badge code.
    Unknown,
    /// The registration is not confirmed (pending, waitlisted, cancelled).
    NotConfirmed(Status),
    /// Today (in the fair's timezone) is not a day of the fair.
    NotAFairDay(NaiveDate),
}

/// Checks `code` in at the fair `slug` by organizer `who` at `now`, in a write transaction that
/// locks the event, so two gates scanning one badge at once agree on which scan was first. The
/// API and the console's door both come here.
pub fn check_in(
    c: &mut crate::db::Conn,
    slug: &str,
    code: &str,
    who: i64,
    now: DateTime<Utc>,
) -> AppResult<Door> {
    let event = events::lock(c, slug)?;
    let Some(reg) = registrations::service::find_by_badge(c, event.id, &normalize(code))? else {
        return Ok(Door::Unknown);
    };
    if reg.status() != Status::Confirmed {
        return Ok(Door::NotConfirmed(reg.status()));
    }
    let day = now.with_timezone(&event.timezone).date_naive();
    if day < event.starts_on || day > event.ends_on {
        return Ok(Door::NotAFairDay(day));
    }
    let (first, at) = match store::first_scan(c, reg.id, day)? {
        Some(at) => (false, at),
        None => {
            let at = now.naive_utc();
            let scan = store::NewCheckin {
                event_id: event.id,
                registration_id: reg.id,
                day,
                category: &reg.category,
                scanned_at: at,
                scanned_by: Some(who),
            };
            store::insert(c, &scan)?;
            (true, at)
        }
    };
    let result = ScanResult {
        registration_id: reg.id,
        name: reg.name.clone(),
        organization: reg.organization.clone(),
        category: reg.category(),
        first_today: first,
        day,
        checked_in_at: at.and_utc(),
    };
    if first {
        crate::webhooks::emit(
            c,
            event.id,
            crate::webhooks::EventType::CheckinCreated,
            crate::webhooks::Subject::registration(reg.id),
            |_| Ok(serde_json::to_value(&result).map_err(anyhow::Error::from)?),
        )?;
    }
    Ok(if first {
        Door::In(result)
    } else {
        Door::Again(result)
    })
}

/// How many badges were checked in on `day` at the fair `event_id`.
pub fn count_on(c: &mut crate::db::Conn, event_id: i64, day: NaiveDate) -> AppResult<i64> {
    Ok(store::counts(c, event_id)?
        .into_iter()
        .filter(|(d, _, _)| *d == day)
        .map(|(_, _, n)| n)
        .sum())
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/checkins", tag = "checkin",
    params(("slug" = String, Path)), request_body = Scan,
    responses((status = 201, body = ScanResult, description = "first scan today"), (status = 200, body = ScanResult, description = "scanned before today (`first_today: false`)"),
        (status = 401), (status = 403), (status = 404, description = "unknown badge"), (status = 409, description = "not confirmed, or not a fair day"), (status = 422)),
    security(("bearer" = [])))]
pub async fn scan(state: State, who: Organizer, slug: SlugPath, body: Json<Scan>) -> Reply {
    who.require(Role::Checkin)?;
    let (body, mut check) = body.into_parts().await?;
    let code = check.text("badge_code", body.badge_code, 100);
    check.done().map_err(AppError::Validation)?;
    let code = code.unwrap_or_default();
    let now = state.clock.now();
    let door = state
        .db
        .write(move |c| check_in(c, &slug, &code, who.id, now))
        .await?;
    match door {
        Door::In(result) => Ok(HttpResponse::Created().json(result)),
        Door::Again(result) => Ok(HttpResponse::Ok().json(result)),
        Door::Unknown => Err(AppError::not_found("unknown badge")),
        Door::NotConfirmed(status) => Err(AppError::Conflict(format!(
            "this badge's registration is {status}, not confirmed"
        ))),
        Door::NotAFairDay(day) => Err(AppError::Conflict(format!(
            "{day} is not a day of the fair"
        ))),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DaySummary {
    pub day: NaiveDate,
    pub total: i64,
    #[schema(value_type = Object)]
    pub by_category: BTreeMap<String, i64>,
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/checkins/summary", tag = "checkin",
    params(("slug" = String, Path)),
    responses((status = 200, body = Vec<DaySummary>, description = "arrivals per fair day and category"), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn summary(state: State, who: Organizer, slug: SlugPath) -> Reply {
    who.require(Role::Checkin)?;
    let out = state
        .db
        .run(move |c| {
            let event = events::visible(c, &slug, true)?;
            let rows = store::counts(c, event.id)?;
            let mut days: BTreeMap<NaiveDate, DaySummary> = event
                .window()
                .days()
                .map(|d| {
                    (
                        d,
                        DaySummary {
                            day: d,
                            total: 0,
                            by_category: BTreeMap::new(),
                        },
                    )
                })
                .collect();
            for (day, category, n) in rows {
                let d = days.entry(day).or_insert_with(|| DaySummary {
                    day,
                    total: 0,
                    by_category: BTreeMap::new(),
                });
                d.total += n;
                d.by_category.insert(category, n);
            }
            Ok(days.into_values().collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Check-in at the door.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_scan, scan);
    r.add(__path_summary, summary);
    console::routes(r);
}

#[cfg(test)]
mod tests {
    #[test]
    fn badge_codes_are_normalised() {
        assert_eq!(
            super::normalize(" k7qm2xhp-9trw c4nd "),
            "K7QM-2XHP-9TRW-C4ND"
        );
    }
}
