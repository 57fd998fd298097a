//! The meetings API (SPEC §4.4): organizers' `…/meetings/settings` and `…/meetings`; the free
//! slots of an exhibitor; the attendee's `/me/meetings` (manage token `slr_…`); the
//! exhibitor's `/exhibitor/meetings`, its answers and `/exhibitor/availability` (manage
//! token `sle_…`). Every write runs in one transaction with the fair locked.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{Block, MeetingSettings};
use super::service::{self, Side};
use super::store::{self, Of};
use super::view::{out, outs, MeetingOut, Reader};
use crate::db::Conn;
use crate::domain::dates::ProgrammeTime;
use crate::domain::Role;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::exhibitors::model::ExhibitorRow;
use crate::exhibitors::self_service::Exhibitor;
use crate::registrations::attendee::Attendee;
use crate::web::identity::Organizer;
use crate::web::json::{told_to_owner, Json};
use crate::web::{ItemPath, Reply, SlugPath, State};

/// A fair's meeting settings as the API reads and writes them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    /// The meeting blocks of the fair's days, in its local time.
    #[schema(nullable = false)]
    pub blocks: Option<Vec<Block>>,
    /// 5 to 240; default 20.
    #[schema(nullable = false, minimum = 5, maximum = 240, example = 20)]
    pub slot_minutes: Option<i32>,
    /// Default true.
    #[schema(nullable = false)]
    pub requests_open: Option<bool>,
    /// How long an unanswered request holds its table (never past the slot's start), `1h` to
    /// `30days`; default `48h`.
    #[schema(
        nullable = false,
        example = "48h",
        pattern = r"^ *[0-9]{1,4} ?(m|min|mins|minutes?|h|hr|hrs|hours?|d|days?) *$"
    )]
    pub request_ttl: Option<String>,
    /// The most requests one attendee may have waiting, 1 to 100; default 10.
    #[schema(nullable = false, minimum = 1, maximum = 100, example = 10)]
    pub max_pending: Option<i32>,
    /// The local hour of the day before each fair day from which reminders go out; default 17.
    #[schema(nullable = false, minimum = 0, maximum = 23, example = 17)]
    pub reminder_hour: Option<i32>,
}

impl SettingsBody {
    fn of(s: &MeetingSettings) -> SettingsBody {
        SettingsBody {
            blocks: Some(s.blocks.clone()),
            slot_minutes: Some(s.slot_minutes),
            requests_open: Some(s.requests_open),
            request_ttl: Some(ttl_text(s.request_ttl)),
            max_pending: Some(s.max_pending),
            reminder_hour: Some(s.reminder_hour),
        }
    }
}

/// A request lifetime as the API writes it, in one unit its own pattern reads back: whole
/// hours as `48h`, else minutes (`90m`).
fn ttl_text(ttl: chrono::TimeDelta) -> String {
    let minutes = ttl.num_minutes();
    if minutes % 60 == 0 {
        format!("{}h", minutes / 60)
    } else {
        format!("{minutes}m")
    }
}

/// One free slot.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlotOut {
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/meetings/settings", tag = "meetings",
    params(("slug" = String, Path)),
    responses((status = 200, body = SettingsBody), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn get_settings(state: State, who: Organizer, slug: SlugPath) -> Reply {
    who.require(Role::Viewer)?;
    let body = state
        .db
        .run(move |c| {
            let event = crate::events::store::visible(c, &slug, true)?;
            Ok(SettingsBody::of(&store::settings(c, event.id)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

#[utoipa::path(put, path = "/api/v1/events/{slug}/meetings/settings", tag = "meetings",
    params(("slug" = String, Path)), request_body = SettingsBody,
    responses((status = 200, body = SettingsBody, description = "saved; a member left out takes its default"),
        (status = 401), (status = 403), (status = 404), (status = 422)),
    security(("bearer" = [])))]
pub async fn put_settings(
    state: State,
    who: Organizer,
    slug: SlugPath,
    body: Json<SettingsBody>,
) -> Reply {
    who.require(Role::Editor)?;
    let (body, mut check) = body.into_parts().await?;
    let defaults = MeetingSettings::default();
    let ttl = match body.request_ttl.as_deref() {
        None => Some(defaults.request_ttl),
        Some(text) => check.parse(
            "request_ttl",
            crate::domain::text::Rule::Invalid,
            Some(text),
            |t| {
                humantime::parse_duration(t.trim())
                    .ok()
                    .and_then(|d| chrono::TimeDelta::from_std(d).ok())
                    .ok_or_else(|| "must be a duration like 48h or 2days".to_string())
            },
        ),
    };
    check.done().map_err(AppError::Validation)?;
    let wanted = MeetingSettings {
        blocks: body.blocks.unwrap_or_default(),
        slot_minutes: body.slot_minutes.unwrap_or(defaults.slot_minutes),
        requests_open: body.requests_open.unwrap_or(defaults.requests_open),
        request_ttl: ttl.unwrap_or(defaults.request_ttl),
        max_pending: body.max_pending.unwrap_or(defaults.max_pending),
        reminder_hour: body.reminder_hour.unwrap_or(defaults.reminder_hour),
    };
    let organizer = who.id;
    let now = state.clock.now().naive_utc();
    let saved = state
        .db
        .write(move |c| {
            let event = crate::events::store::visible(c, &slug, true)?;
            crate::db::lock_event(c, event.id)?;
            service::check_settings(&event, &wanted).map_err(AppError::Validation)?;
            store::save_settings(c, event.id, &wanted, now)?;
            crate::audit::record(
                c,
                Some(organizer),
                Some(event.id),
                "update",
                "meeting_settings",
                None,
                serde_json::to_value(SettingsBody::of(&wanted)).unwrap_or_default(),
            )?;
            Ok(SettingsBody::of(&store::settings(c, event.id)?))
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotsQuery {
    pub exhibitor_id: i64,
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/meetings/slots", tag = "meetings",
    params(("slug" = String, Path), SlotsQuery),
    responses((status = 200, body = Vec<SlotOut>, description = "the exhibitor's free slots from now on"),
        (status = 404, description = "no such published fair, or no approved exhibitor of it"), (status = 422, description = "`exhibitor_id` missing or not a number")))]
pub async fn slots(
    state: State,
    slug: SlugPath,
    query: crate::web::query::Query<SlotsQuery>,
) -> Reply {
    let now = state.clock.now().naive_utc();
    let exhibitor_id = query.exhibitor_id;
    let out = state
        .db
        .run(move |c| {
            let event = crate::events::store::visible(c, &slug, false)?;
            let free = service::free_slots(c, &event, exhibitor_id, now)?;
            Ok(free
                .into_iter()
                .map(|s| SlotOut {
                    starts_at: event.local(s.starts_at),
                    ends_at: event.local(s.ends_at),
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(get, path = "/api/v1/events/{slug}/meetings", tag = "meetings",
    params(("slug" = String, Path)),
    responses((status = 200, body = Vec<MeetingOut>, description = "every meeting of the fair, by start"), (status = 401), (status = 403), (status = 404)),
    security(("bearer" = [])))]
pub async fn list(state: State, who: Organizer, slug: SlugPath) -> Reply {
    who.require(Role::Viewer)?;
    let now = state.clock.now().naive_utc();
    let out = state
        .db
        .run(move |c| {
            let event = crate::events::store::visible(c, &slug, true)?;
            let rows = store::list(c, Of::Event(event.id))?;
            outs(c, &event, &rows, Reader::Other, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(post, path = "/api/v1/events/{slug}/meetings/{id}/cancel", tag = "meetings",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = MeetingOut, description = "cancelled; both sides are emailed"), (status = 401), (status = 403), (status = 404), (status = 409)),
    security(("bearer" = [])))]
pub async fn organizer_cancel(state: State, who: Organizer, path: ItemPath) -> Reply {
    who.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    let settings = state.settings.clone();
    let now = state.clock.now().naive_utc();
    let organizer = who.id;
    let out = state
        .db
        .write(move |c| {
            let event = crate::events::store::visible(c, &slug, true)?;
            let event = crate::events::store::lock_by_id(c, event.id)?;
            let m = store::find(c, id)?
                .filter(|m| m.event_id == event.id)
                .ok_or_else(|| AppError::not_found(format!("no meeting {id}")))?;
            let m = service::cancel(c, &settings, &event, &m, Side::Organizer, now)?;
            crate::audit::record(
                c,
                Some(organizer),
                Some(event.id),
                "cancel",
                "meeting",
                Some(m.id),
                serde_json::json!({}),
            )?;
            out(c, &event, &m, Reader::Other, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// A meeting request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMeeting {
    #[schema(required = true, nullable = false)]
    pub exhibitor_id: Option<i64>,
    /// The slot's start: RFC 3339, or the fair's local time without an offset.
    #[schema(required = true, nullable = false, value_type = String, example = "2027-04-12T10:20")]
    pub starts_at: Option<String>,
    /// A short note to the exhibitor (at most 500 characters).
    #[schema(nullable = false, max_length = 500)]
    pub message: Option<String>,
}

/// The attendee's registration and event (locked) of a manage token.
fn attendee_of(
    c: &mut Conn,
    token: &str,
) -> AppResult<(Event, crate::registrations::RegistrationRow)> {
    let reg = crate::registrations::attendee::resolve(c, token)?;
    let event = crate::events::store::lock_by_id(c, reg.event_id)?;
    let reg = crate::registrations::store::find_by_id(c, reg.id)?;
    Ok((event, reg))
}

#[utoipa::path(get, path = "/api/v1/me/meetings", tag = "attendee",
    responses((status = 200, body = Vec<MeetingOut>, description = "your meetings and requests, by start"), (status = 401)),
    security(("bearer" = [])))]
pub async fn my_meetings(state: State, who: Attendee) -> Reply {
    let now = state.clock.now().naive_utc();
    let out = state
        .db
        .run(move |c| {
            let reg = crate::registrations::attendee::resolve(c, &who.token)?;
            let event = crate::events::store::find(c, reg.event_id)?;
            let rows = store::list(c, Of::Attendee(reg.id))?;
            outs(c, &event, &rows, Reader::Attendee, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(post, path = "/api/v1/me/meetings", tag = "attendee", request_body = NewMeeting,
    responses((status = 201, body = MeetingOut, description = "requested: it holds the exhibitor's table until answered or expired"),
        (status = 401), (status = 404, description = "no approved exhibitor of this fair"),
        (status = 409, description = "a rule refuses it, named in `detail`"), (status = 422)),
    security(("bearer" = [])))]
pub async fn request(state: State, who: Attendee, body: Json<NewMeeting>) -> Reply {
    let parsed = body.into_parts().await.and_then(|(body, mut check)| {
        let exhibitor_id = check.required("exhibitor_id", body.exhibitor_id);
        let starts_at = check.parse(
            "starts_at",
            crate::domain::text::Rule::Invalid,
            body.starts_at.as_deref(),
            ProgrammeTime::parse,
        );
        let starts_at = check.required("starts_at", starts_at);
        let message = check.long_text("message", body.message.as_deref(), service::MESSAGE_MAX);
        check.done().map_err(AppError::Validation)?;
        match (exhibitor_id, starts_at) {
            (Some(e), Some(s)) => Ok((e, s, message.unwrap_or_default())),
            _ => Err(AppError::internal(
                "a meeting request checked without its fields",
            )),
        }
    });
    let token = who.token.clone();
    let (exhibitor_id, starts_at, message) = told_to_owner(parsed, || {
        state
            .db
            .run(move |c| crate::registrations::attendee::resolve(c, &token).map(|_| ()))
    })
    .await?;
    let settings = state.settings.clone();
    let now = state.clock.now().naive_utc();
    let out = state
        .db
        .write(move |c| {
            let (event, reg) = attendee_of(c, &who.token)?;
            let starts_at = starts_at
                .utc(event.timezone)
                .map_err(|m| AppError::validation("starts_at", &m))?;
            let asked = service::Asked {
                exhibitor_id,
                starts_at,
                message: &message,
            };
            let m = service::request(c, &settings, &event, &reg, &asked, now)?;
            out(c, &event, &m, Reader::Attendee, now)
        })
        .await?;
    Ok(HttpResponse::Created().json(out))
}

#[utoipa::path(delete, path = "/api/v1/me/meetings/{id}", tag = "attendee",
    params(("id" = i64, Path)),
    responses((status = 200, body = MeetingOut, description = "cancelled; the exhibitor is emailed"), (status = 401),
        (status = 404, description = "not one of your meetings"), (status = 409, description = "already declined, cancelled or expired")),
    security(("bearer" = [])))]
pub async fn cancel_mine(state: State, who: Attendee, id: web::Path<i64>) -> Reply {
    let id = id.into_inner();
    let settings = state.settings.clone();
    let now = state.clock.now().naive_utc();
    let out = state
        .db
        .write(move |c| {
            let (event, reg) = attendee_of(c, &who.token)?;
            let m = store::find(c, id)?
                .filter(|m| m.registration_id == reg.id)
                .ok_or_else(|| AppError::not_found(format!("no meeting {id} of yours")))?;
            let m = service::cancel(c, &settings, &event, &m, Side::Attendee, now)?;
            out(c, &event, &m, Reader::Attendee, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[utoipa::path(get, path = "/api/v1/exhibitor/meetings", tag = "exhibitor",
    responses((status = 200, body = Vec<MeetingOut>, description = "the exhibitor's meetings and requests, by start"), (status = 401)),
    security(("bearer" = [])))]
pub async fn exhibitor_meetings(state: State, who: Exhibitor) -> Reply {
    let now = state.clock.now().naive_utc();
    let out = state
        .db
        .write(move |c| {
            let (event, ex) = crate::exhibitors::self_service::resolve(c, &who.token)?;
            let rows = store::list(c, Of::Exhibitor(ex.id))?;
            outs(c, &event, &rows, Reader::Other, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The exhibitor's answer.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// The staff member (a registration id from `GET /exhibitor`'s `staff`) who receives the
    /// attendee; accepting only.
    #[schema(nullable = false)]
    pub host_registration_id: Option<i64>,
}

async fn answer(state: State, who: Exhibitor, id: i64, step: Step, host: Option<i64>) -> Reply {
    let settings = state.settings.clone();
    let now = state.clock.now().naive_utc();
    let out = state
        .db
        .write(move |c| {
            let (event, ex): (Event, ExhibitorRow) =
                crate::exhibitors::self_service::resolve(c, &who.token)?;
            let m = match step {
                Step::Accept => {
                    let reply = service::Reply::Accept { host };
                    service::answer(c, &settings, &event, &ex, id, reply, now)?
                }
                Step::Decline => {
                    service::answer(c, &settings, &event, &ex, id, service::Reply::Decline, now)?
                }
                Step::Cancel => {
                    let m = store::find(c, id)?
                        .filter(|m| m.exhibitor_id == ex.id)
                        .ok_or_else(|| AppError::not_found(format!("no meeting {id}")))?;
                    service::cancel(c, &settings, &event, &m, Side::Exhibitor, now)?
                }
            };
            out(c, &event, &m, Reader::Other, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Clone, Copy)]
enum Step {
    Accept,
    Decline,
    Cancel,
}

#[utoipa::path(post, path = "/api/v1/exhibitor/meetings/{id}/accept", tag = "exhibitor",
    params(("id" = i64, Path)), request_body(content = Option<Answer>, description = "the host, if named"),
    responses((status = 200, body = MeetingOut, description = "accepted; the attendee is emailed a calendar invitation"), (status = 401),
        (status = 404), (status = 409, description = "not pending (answered, cancelled or expired)"), (status = 422)),
    security(("bearer" = [])))]
pub async fn accept(
    state: State,
    who: Exhibitor,
    id: web::Path<i64>,
    body: Option<web::Json<Answer>>,
) -> Reply {
    let host = body.and_then(|b| b.host_registration_id);
    answer(state, who, id.into_inner(), Step::Accept, host).await
}

#[utoipa::path(post, path = "/api/v1/exhibitor/meetings/{id}/decline", tag = "exhibitor",
    params(("id" = i64, Path)),
    responses((status = 200, body = MeetingOut, description = "declined; the attendee is emailed"), (status = 401), (status = 404), (status = 409)),
    security(("bearer" = [])))]
pub async fn decline(state: State, who: Exhibitor, id: web::Path<i64>) -> Reply {
    answer(state, who, id.into_inner(), Step::Decline, None).await
}

#[utoipa::path(post, path = "/api/v1/exhibitor/meetings/{id}/cancel", tag = "exhibitor",
    params(("id" = i64, Path)),
    responses((status = 200, body = MeetingOut, description = "cancelled; the attendee is emailed (a calendar cancellation when it was accepted)"), (status = 401), (status = 404), (status = 409)),
    security(("bearer" = [])))]
pub async fn exhibitor_cancel(state: State, who: Exhibitor, id: web::Path<i64>) -> Reply {
    answer(state, who, id.into_inner(), Step::Cancel, None).await
}

/// The slots an exhibitor is not available in.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// Starts of slots (RFC 3339, or the fair's local time) nobody may request.
    #[schema(required = true, nullable = false, value_type = Vec<String>)]
    pub unavailable: Option<Vec<String>>,
}

#[utoipa::path(put, path = "/api/v1/exhibitor/availability", tag = "exhibitor", request_body = Availability,
    responses((status = 200, body = Availability, description = "saved; meetings already held stay"), (status = 401), (status = 422)),
    security(("bearer" = [])))]
pub async fn put_availability(state: State, who: Exhibitor, body: Json<Availability>) -> Reply {
    let parsed = body.into_parts().await.and_then(|(body, mut check)| {
        let list = check.required("unavailable", body.unavailable);
        check.done().map_err(AppError::Validation)?;
        let mut times = Vec::new();
        let mut errors = Vec::new();
        for (i, text) in list.unwrap_or_default().iter().enumerate() {
            match ProgrammeTime::parse(text) {
                Ok(t) => times.push(t),
                Err(m) => errors.push(crate::error::FieldError::new(
                    format!("unavailable.{i}"),
                    &m,
                )),
            }
        }
        if errors.is_empty() {
            Ok(times)
        } else {
            Err(AppError::Validation(errors))
        }
    });
    let token = who.token.clone();
    let times = told_to_owner(parsed, || {
        state
            .db
            .run(move |c| crate::exhibitors::self_service::resolve(c, &token).map(|_| ()))
    })
    .await?;
    let out = state
        .db
        .write(move |c| {
            let (event, ex) = crate::exhibitors::self_service::resolve(c, &who.token)?;
            let slots = store::settings(c, event.id)?.slots(&event);
            let mut starts = Vec::new();
            for (i, t) in times.iter().enumerate() {
                let field = format!("unavailable.{i}");
                let at = t
                    .utc(event.timezone)
                    .map_err(|m| AppError::validation(&field, &m))?;
                if !slots.iter().any(|s| s.starts_at == at) {
                    return Err(AppError::validation(
                        &field,
                        "is not the start of a meeting slot",
                    ));
                }
                if !starts.contains(&at) {
                    starts.push(at);
                }
            }
            store::set_unavailable(c, ex.id, &starts)?;
            availability(c, &event, ex.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

fn availability(c: &mut Conn, event: &Event, exhibitor_id: i64) -> AppResult<Availability> {
    Ok(Availability {
        unavailable: Some(
            store::unavailable(c, exhibitor_id)?
                .into_iter()
                .map(|t| event.local(t).to_rfc3339())
                .collect(),
        ),
    })
}

#[utoipa::path(get, path = "/api/v1/exhibitor/availability", tag = "exhibitor",
    responses((status = 200, body = Availability), (status = 401)),
    security(("bearer" = [])))]
pub async fn get_availability(state: State, who: Exhibitor) -> Reply {
    let out = state
        .db
        .write(move |c| {
            let (event, ex) = crate::exhibitors::self_service::resolve(c, &who.token)?;
            availability(c, &event, ex.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The meetings API's routes (the settings and slots before `{id}`).
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_get_settings, get_settings)
        .add(__path_put_settings, put_settings)
        .add(__path_slots, slots)
        .add(__path_list, list)
        .add(__path_organizer_cancel, organizer_cancel)
        .add(__path_my_meetings, my_meetings)
        .add(__path_request, request)
        .add(__path_cancel_mine, cancel_mine)
        .add(__path_exhibitor_meetings, exhibitor_meetings)
        .add(__path_accept, accept)
        .add(__path_decline, decline)
        .add(__path_exhibitor_cancel, exhibitor_cancel)
        .add(__path_get_availability, get_availability)
        .add(__path_put_availability, put_availability);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the API writes, its own pattern reads back.
    #[test]
    fn a_lifetime_is_written_in_one_unit() {
        assert_eq!(ttl_text(chrono::TimeDelta::hours(48)), "48h");
        assert_eq!(ttl_text(chrono::TimeDelta::minutes(128)), "128m");
        assert_eq!(ttl_text(chrono::TimeDelta::minutes(43_199)), "43199m");
    }
}
