//! The personal agenda feed (SPEC §4.2): `/a/{feed_token}.ics`, the sessions a confirmed
//! attendee holds a seat in, for a calendar app to subscribe to.
//!
//! Each manage token (`slr_`, one per email that carried a link) has its feed token (`slf_`):
//! an HMAC keyed by the manage token, so whoever holds the manage link — the attendee page,
//! `GET /me` — can show the feed again, while the database keeps only the hash of each (a dump
//! yields neither). The feed row is written with the manage token ([`register`]); the feed
//! answers 404 while the registration is not confirmed, and for good once it is erased.
//!
//! The fair itself, as an all-day entry, is the calendar file of the confirmation email
//! ([`fair`]).

use actix_web::web;
use chrono::TimeDelta;
use diesel::QueryResult;

use super::model::{BookingStatus, Status};
use super::store;
use crate::calendar::ics::{Calendar, Method, Vevent, When};
use crate::db::Conn;
use crate::domain::Language;
use crate::error::AppError;
use crate::events::{store as events, Event};
use crate::schedule::{exports, releases};
use crate::web::{Reply, State};

pub const PREFIX: &str = "slf_";

/// The feed token of a manage token.
pub fn token(manage_token: &str) -> String {
    crate::crypto::derived_token(PREFIX, manage_token, "salon agenda feed")
}

/// The fair as a one-event calendar, in `lang`: its days, all day long, at its venue.
pub fn fair(event: &Event, lang: Language, host: &str) -> String {
    let days = Vevent::new(
        format!("event-{}@{host}", event.id),
        crate::db::now(),
        When::Day(event.starts_on),
        When::Day(event.ends_on + TimeDelta::days(1)),
        event.name.get(lang, event.default_language).to_string(),
        format!("{}, {}", event.venue, event.city),
    );
    Calendar {
        method: Method::Publish,
        name: None,
        events: vec![days],
    }
    .write()
}

/// Stores the feed of a new manage token (in the transaction that mints it).
pub fn register(c: &mut Conn, registration_id: i64, manage_token: &str) -> QueryResult<()> {
    store::insert_feed(
        c,
        registration_id,
        &crate::crypto::token_hash(&token(manage_token)),
    )
}

/// The feed URL of the holder of `manage_token`.
pub fn url(settings: &crate::config::Settings, manage_token: &str) -> String {
    format!("{}/a/{}.ics", settings.base_url(), token(manage_token))
}

/// Forgets every feed of a registration (erasure).
pub fn close(c: &mut Conn, registration_id: i64) -> QueryResult<()> {
    store::delete_feeds(c, registration_id)
}

/// The registration a feed token belongs to.
pub fn find(c: &mut Conn, token: &str) -> QueryResult<Option<i64>> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let hash = crate::crypto::token_hash(token);
    let row = store::find_feed(c, &hash)?;
    Ok(row
        .filter(|(_, stored)| crate::crypto::hashes_equal(stored, &hash))
        .map(|(id, _)| id))
}

#[utoipa::path(get, path = "/a/{feed_token}.ics", tag = "attendee",
    params(("feed_token" = String, Path, description = "the `slf_` token shown on the attendee page and in `GET /me`")),
    responses((status = 200, content_type = "text/calendar", description = "the attendee's booked sessions and accepted meetings (RFC 5545)"),
        (status = 404, description = "unknown token, or the registration is no longer confirmed")))]
pub async fn feed(
    state: State,
    meetings: web::Data<dyn super::hooks::AttendeeMeetings>,
    token: web::Path<String>,
) -> Reply {
    let settings = state.settings.clone();
    let host = settings.message_domain();
    let body = state
        .db
        .run(move |c| {
            let gone = || AppError::not_found("unknown agenda feed");
            let id = find(c, &token)?.ok_or_else(gone)?;
            let reg = store::find_by_id(c, id)?;
            if reg.status() != Status::Confirmed {
                return Err(gone());
            }
            let event = events::find(c, reg.event_id)?;
            let lang = reg.language();
            let release = releases::latest(c, event.id)?;
            let sequences = match &release {
                Some(r) => releases::sequences(c, event.id, r.id)?,
                None => Default::default(),
            };
            let held = store::bookings_of(c, reg.id)?;
            let mut vevents: Vec<_> = release
                .iter()
                .flat_map(|r| {
                    let sequences = &sequences;
                    let held = &held;
                    let event = &event;
                    let host = &host;
                    let base = settings.base_url();
                    r.snapshot
                        .sessions
                        .iter()
                        .filter(move |s| {
                            held.iter().any(|b| {
                                b.session_id == s.id && b.status() == BookingStatus::Booked
                            })
                        })
                        .map(move |s| {
                            exports::vevent(
                                event,
                                &r.snapshot,
                                s,
                                sequences.get(&s.id).copied().unwrap_or(0),
                                r.published_at,
                                host,
                                base,
                                lang,
                            )
                        })
                })
                .collect();
            let of = super::hooks::Whose {
                event: &event,
                registration_id: reg.id,
                lang,
            };
            vevents.extend(meetings.calendar(c, &settings, of)?);
            let name = format!(
                "{} — {}",
                event.name.get(lang, event.default_language),
                reg.display_name()
            );
            Ok(Calendar {
                method: Method::Publish,
                name: Some(name),
                events: vevents,
            }
            .write())
        })
        .await?;
    Ok(crate::web::private_feed(body))
}

/// The personal agenda feed.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_feed, feed);
}
