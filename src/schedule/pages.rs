//! The public programme as pages, all read from the latest release, in the visitor's language:
//! `/events/{slug}` (day tabs, a room × time grid on wide screens and a chronological list on
//! phones, filters by room, track, language and kind as query parameters, "now / next" during
//! the fair, the time zone, the track legend), `/events/{slug}/sessions/{id}` (with its `.ics`),
//! `/events/{slug}/speakers/{id}` and `/events/{slug}/changes` (each release's diff).

use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{NaiveDate, TimeZone, Timelike};
use minijinja::context;
use serde::{Deserialize, Serialize};

use std::sync::Arc;

use super::cache::{Entry, Reader};
use super::hooks::{Seats, VisitorSeats, VISITOR_COOKIE};
use super::model::SessionKind;
use super::releases::{self, PublishedSession, Release};
use crate::domain::{dates, Language};
use crate::error::AppError;
use crate::events::Event;
use crate::web::pages::{html, page_language, render_for, InPage, PageError, PageReply};
use crate::web::{AppState, ItemPath, SlugPath, State};

/// Interface words of the programme pages (`templates/words/<lang>.json`).
fn words(lang: Language) -> serde_json::Value {
    use crate::web::words::Section;
    crate::web::words::words(
        lang,
        &[
            Section::Programme,
            Section::ProgrammeSeat,
            Section::ProgrammeSession,
        ],
    )
}

/// The programme's filters, as plain query parameters; a value that does not parse is ignored.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeQuery {
    /// `YYYY-MM-DD`, a day of the fair (default: today during the fair, else the first day).
    pub day: Option<String>,
    pub room: Option<String>,
    pub track: Option<String>,
    /// The language sessions are held in: ar, fr or en.
    pub language: Option<String>,
    /// keynote, seminar, panel, workshop or break.
    pub kind: Option<String>,
    /// The page's own language.
    pub lang: Option<String>,
}

/// A published event and its latest release (from the programme cache), or the page error in
/// the visitor's language.
async fn published(reader: &Reader, slug: String) -> Result<(Arc<Entry>, Language), PageError> {
    let req = &reader.req;
    let fallback = page_language(req, &Language::ALL, Language::Fr);
    let entry = reader.get(&slug).await.in_page(fallback)?;
    let lang = page_language(req, &entry.event.languages, entry.event.default_language);
    Ok((entry, lang))
}

fn kind_code(kind: SessionKind) -> &'static str {
    kind.as_str()
}

/// A session's title as the page shows it: its own, except a break held in another language
/// than the page's, which is named by its kind (a coffee break needs no translation).
fn shown_title(s: &PublishedSession, lang: Language, t: &serde_json::Value) -> String {
    if s.kind == SessionKind::Break && s.language != lang {
        t["kind_break"].as_str().unwrap_or(&s.title).to_string()
    } else {
        s.title.clone()
    }
}

/// `Africa/Casablanca (UTC+01:00)` on a given day.
fn tz_label(event: &Event, day: NaiveDate) -> String {
    let noon = day.and_hms_opt(12, 0, 0).unwrap_or_default();
    let offset = event
        .timezone
        .from_local_datetime(&noon)
        .earliest()
        .map(|t| t.format("%:z").to_string())
        .unwrap_or_default();
    format!("{} (UTC{offset})", event.timezone.name())
}

#[derive(Serialize)]
struct SessionCard {
    href: String,
    time: String,
    title: String,
    kind: &'static str,
    lang: &'static str,
    dir: &'static str,
    room: String,
    track: Option<String>,
    color: Option<String>,
    speakers: String,
    col: usize,
    row_start: i64,
    row_end: i64,
    now: bool,
    next: bool,
    id: i64,
    /// For a visiting attendee: `booked`, `waitlisted` or `none`.
    seat: &'static str,
}

#[utoipa::path(get, path = "/events/{slug}", tag = "pages",
    params(("slug" = String, Path), ProgrammeQuery),
    responses((status = 200, description = "the published programme as a page", content_type = "text/html"), (status = 404)))]
pub async fn programme(
    reader: Reader,
    seats: web::Data<dyn Seats>,
    slug: SlugPath,
    query: web::Query<ProgrammeQuery>,
) -> PageReply {
    let (entry, lang) = published(&reader, slug.into_inner()).await?;
    let (event, release) = (&entry.event, entry.release.as_deref());
    let visiting = visitor(&reader.state, &seats, &reader.req, event.id).await;
    let q = query.into_inner();
    let fallback = event.default_language;
    let t = words(lang);
    let now = reader.state.clock.now().with_timezone(&event.timezone);
    let fair_days: Vec<NaiveDate> = event.window().days().collect();
    let today = now.date_naive();
    let day = q
        .day
        .as_deref()
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .filter(|d| fair_days.contains(d))
        .or_else(|| fair_days.contains(&today).then_some(today))
        .unwrap_or(event.starts_on);
    let room_filter = q.room.as_deref().and_then(|r| r.parse::<i64>().ok());
    let track_filter = q.track.as_deref().and_then(|r| r.parse::<i64>().ok());
    let language_filter = q
        .language
        .as_deref()
        .and_then(|l| l.parse::<Language>().ok());
    let kind_filter = q
        .kind
        .clone()
        .filter(|k| ["keynote", "seminar", "panel", "workshop", "break"].contains(&k.as_str()));
    let base = format!("/events/{}", event.slug);
    let keep = |day: NaiveDate| {
        let mut s = form_urlencoded::Serializer::new(String::new());
        s.append_pair("day", &day.to_string());
        for (k, v) in [
            ("room", room_filter.map(|r| r.to_string())),
            ("track", track_filter.map(|r| r.to_string())),
            ("language", language_filter.map(|l| l.code().to_string())),
            ("kind", kind_filter.clone()),
        ] {
            if let Some(v) = v {
                s.append_pair(k, &v);
            }
        }
        s.append_pair("lang", lang.code());
        format!("{base}?{}", s.finish())
    };
    let days: Vec<_> = fair_days
        .iter()
        .map(|d| {
            context! { label => dates::day(lang, *d), href => keep(*d), current => *d == day }
        })
        .collect();
    let snapshot = release.map(|r| &r.snapshot);
    let room_names: BTreeMap<i64, String> = snapshot
        .map(|s| {
            s.rooms
                .iter()
                .map(|r| (r.id, r.name.get(lang, fallback).to_string()))
                .collect()
        })
        .unwrap_or_default();
    let tracks: BTreeMap<i64, (String, String)> = snapshot
        .map(|s| {
            s.tracks
                .iter()
                .map(|tr| {
                    (
                        tr.id,
                        (tr.name.get(lang, fallback).to_string(), tr.color.clone()),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let of_day: Vec<&PublishedSession> = snapshot
        .map(|s| {
            s.sessions
                .iter()
                .filter(|s| s.starts_at.date_naive() == day)
                .filter(|s| room_filter.is_none_or(|r| s.room_id == r))
                .filter(|s| track_filter.is_none_or(|tr| s.track_id == Some(tr)))
                .filter(|s| language_filter.is_none_or(|l| s.language == l))
                .filter(|s| {
                    kind_filter
                        .as_deref()
                        .is_none_or(|k| kind_code(s.kind) == k)
                })
                .collect()
        })
        .unwrap_or_default();
    // The grid: a column per room in use, a row per five minutes from the day's opening.
    let used_rooms: Vec<i64> = {
        let used: BTreeSet<i64> = of_day.iter().map(|s| s.room_id).collect();
        used.into_iter().collect()
    };
    let open_minutes = i64::from(event.opens_at.hour() * 60 + event.opens_at.minute());
    let row = |t: chrono::DateTime<chrono::FixedOffset>| {
        let minutes = i64::from(t.hour() * 60 + t.minute());
        2 + (minutes - open_minutes).max(0) / 5
    };
    let now_naive = now.fixed_offset();
    let next_start = of_day
        .iter()
        .filter(|s| day == today && s.starts_at > now_naive)
        .map(|s| s.starts_at)
        .min();
    let sessions: Vec<SessionCard> = of_day
        .iter()
        .map(|s| SessionCard {
            href: format!("{base}/sessions/{}?lang={}", s.id, lang.code()),
            time: format!(
                "{}–{}",
                s.starts_at.format("%H:%M"),
                s.ends_at.format("%H:%M")
            ),
            title: shown_title(s, lang, &t),
            kind: kind_code(s.kind),
            lang: s.language.code(),
            dir: if s.language.is_rtl() { "rtl" } else { "ltr" },
            room: room_names.get(&s.room_id).cloned().unwrap_or_default(),
            track: s
                .track_id
                .and_then(|tr| tracks.get(&tr))
                .map(|t| t.0.clone()),
            color: s
                .track_id
                .and_then(|tr| tracks.get(&tr))
                .map(|t| t.1.clone()),
            speakers: s
                .speakers
                .iter()
                .map(|sp| sp.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            col: 2 + used_rooms.iter().position(|r| *r == s.room_id).unwrap_or(0),
            row_start: row(s.starts_at),
            row_end: row(s.ends_at).max(row(s.starts_at) + 1),
            now: day == today && s.starts_at <= now_naive && now_naive < s.ends_at,
            next: Some(s.starts_at) == next_start,
            id: s.id,
            seat: seat_of(visiting.as_ref(), s.id),
        })
        .collect();
    let hours: Vec<_> = (event.opens_at.hour()..=event.closes_at.hour())
        .map(|h| {
            context! { label => format!("{h:02}:00"), row => 2 + (i64::from(h * 60) - open_minutes).max(0) / 5 }
        })
        .collect();
    let option = |id: i64, name: &str, current: Option<i64>| {
        context! { value => id.to_string(), name => name, selected => current == Some(id) }
    };
    let body = render_for(
        &reader.req,
        "programme.html",
        lang,
        t.clone(),
        context! {
            event_name => event.name.get(lang, fallback),
            event_dates => dates::range(lang, event.starts_on, event.ends_on),
            city => &event.city,
            venue => &event.venue,
            version => release.map(|r| r.version.clone()),
            has_release => release.is_some(),
            days => days,
            day => day.to_string(),
            tz_label => tz_label(event, day),
            sessions => sessions,
            grid_rooms => used_rooms.iter().map(|r| room_names.get(r).cloned().unwrap_or_default()).collect::<Vec<_>>(),
            hours => hours,
            rows => 2 + i64::from(event.closes_at.hour() * 60 + event.closes_at.minute()).saturating_sub(open_minutes) / 5,
            legend => tracks.values().map(|(name, color)| context! { name => name, color => color }).collect::<Vec<_>>(),
            room_options => room_names.iter().map(|(id, n)| option(*id, n, room_filter)).collect::<Vec<_>>(),
            track_options => tracks.iter().map(|(id, (n, _))| option(*id, n, track_filter)).collect::<Vec<_>>(),
            language_filter => language_filter.map(|l| l.code()),
            kind_filter => kind_filter,
            filtered => room_filter.is_some() || track_filter.is_some() || language_filter.is_some() || q.kind.is_some(),
            reset_url => format!("{base}?day={day}&lang={}", lang.code()),
            register_url => format!("{base}/register?lang={}", lang.code()),
            exhibit_url => format!("{base}/exhibit?lang={}", lang.code()),
            changes_url => format!("{base}/changes?lang={}", lang.code()),
            directory_url => format!("{base}/exhibitors?lang={}", lang.code()),
            action => base.clone(),
            seat_form => seat_form(&reader.state, event, visiting.as_ref(), lang),
            here => keep(day),
        },
    )
    .in_page(lang)?;
    Ok(html(StatusCode::OK, lang, body))
}

/// The seats of the attendee visiting (their manage token in the [`VISITOR_COOKIE`]), if any.
async fn visitor(
    state: &State,
    seats: &web::Data<dyn Seats>,
    req: &HttpRequest,
    event_id: i64,
) -> Option<VisitorSeats> {
    let token = crate::web::pages::cookie(req, VISITOR_COOKIE)?;
    let seats = seats.clone().into_inner();
    state
        .db
        .run(move |c| seats.of_visitor(c, event_id, &token))
        .await
        .ok()
        .flatten()
}

/// The book / leave form of a session for a visiting attendee: where it posts and its CSRF
/// token (each button also says the visitor's state in its session: see [`seat_of`]).
fn seat_form(
    state: &AppState,
    event: &Event,
    visitor: Option<&VisitorSeats>,
    lang: Language,
) -> Option<minijinja::Value> {
    visitor?;
    let action = format!("/events/{}/bookings", event.slug);
    Some(context! {
        action => format!("{action}?lang={}", lang.code()),
        csrf => crate::web::csrf::token(state.settings.server.secret_key.expose(), &action),
    })
}

fn seat_of(visitor: Option<&VisitorSeats>, id: i64) -> &'static str {
    match visitor {
        Some(v) if v.booked.contains(&id) => "booked",
        Some(v) if v.waitlisted.contains(&id) => "waitlisted",
        _ => "none",
    }
}

/// The released session `id`, or 404 in the visitor's language.
fn released_session(
    release: Option<&Release>,
    id: i64,
    lang: Language,
) -> Result<&PublishedSession, PageError> {
    release
        .and_then(|r| r.snapshot.sessions.iter().find(|s| s.id == id))
        .ok_or_else(|| PageError::new(AppError::not_found("no such session"), lang))
}

#[utoipa::path(get, path = "/events/{slug}/sessions/{id}", tag = "pages",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "a session of the published programme", content_type = "text/html"), (status = 404)))]
pub async fn session(reader: Reader, seats: web::Data<dyn Seats>, path: ItemPath) -> PageReply {
    let (slug, id) = path.into_inner();
    let (entry, lang) = published(&reader, slug).await?;
    let (event, release) = (&entry.event, entry.release.as_deref());
    let fallback = event.default_language;
    let t = words(lang);
    let s = released_session(release, id, lang)?;
    let visiting = visitor(&reader.state, &seats, &reader.req, event.id).await;
    let snapshot = release.map(|r| &r.snapshot);
    let room = snapshot.and_then(|sn| sn.rooms.iter().find(|r| r.id == s.room_id));
    let track = snapshot.and_then(|sn| sn.tracks.iter().find(|tr| Some(tr.id) == s.track_id));
    let base = format!("/events/{}", event.slug);
    let body = render_for(
        &reader.req,
        "session.html",
        lang,
        t.clone(),
        context! {
            event_name => event.name.get(lang, fallback),
            title => shown_title(s, lang, &t),
            session_lang => s.language.code(),
            session_dir => if s.language.is_rtl() { "rtl" } else { "ltr" },
            abstract_text => &s.abstract_text,
            kind => kind_code(s.kind),
            day => dates::day(lang, s.starts_at.date_naive()),
            time => format!("{}–{}", s.starts_at.format("%H:%M"), s.ends_at.format("%H:%M")),
            tz_label => tz_label(event, s.starts_at.date_naive()),
            room => room.map(|r| r.name.get(lang, fallback).to_string()),
            hall => room.and_then(|r| r.hall.as_ref()).map(|h| h.get(lang, fallback).to_string()),
            track => track.map(|tr| tr.name.get(lang, fallback).to_string()),
            color => track.map(|tr| tr.color.clone()),
            capacity => s.capacity,
            speakers => s.speakers.iter().map(|sp| context! {
                name => &sp.name, organization => &sp.organization, bio => &sp.bio,
                href => format!("{base}/speakers/{}?lang={}", sp.id, lang.code()),
            }).collect::<Vec<_>>(),
            ics_url => format!("{base}/sessions/{id}/calendar.ics"),
            back_url => format!("{base}?day={}&lang={}", s.starts_at.date_naive(), lang.code()),
            seat_form => seat_form(&reader.state, event, visiting.as_ref(), lang),
            seat => seat_of(visiting.as_ref(), s.id),
            session_id => s.id,
            here => format!("{base}/sessions/{id}?lang={}", lang.code()),
            session_language_name => s.language.native_name(),
            register_url => (visiting.is_none() && kind_code(s.kind) != "break")
                .then(|| format!("{base}/register?lang={}", lang.code())),
        },
    )
    .in_page(lang)?;
    Ok(html(StatusCode::OK, lang, body))
}

#[utoipa::path(get, path = "/events/{slug}/sessions/{id}/calendar.ics", tag = "pages",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "the session as an iCalendar file: the VEVENT of the exports and feeds (same UID and SEQUENCE)", content_type = "text/calendar"), (status = 404)))]
pub async fn session_calendar(reader: Reader, path: ItemPath) -> PageReply {
    let (slug, id) = path.into_inner();
    let (entry, lang) = published(&reader, slug).await?;
    let (event, release) = (&entry.event, entry.release.as_deref());
    let release =
        release.ok_or_else(|| PageError::new(AppError::not_found("no such session"), lang))?;
    let (event_id, release_id) = (event.id, release.id);
    let sequences = reader
        .state
        .db
        .run(move |c| releases::sequences(c, event_id, release_id))
        .await
        .in_page(lang)?;
    let s = released_session(Some(release), id, lang)?;
    let host = reader.state.settings.message_domain();
    let vevent = super::exports::vevent(
        event,
        &release.snapshot,
        s,
        sequences.get(&id).copied().unwrap_or(0),
        release.published_at,
        &host,
        reader.state.settings.base_url(),
        lang,
    );
    let body = crate::calendar::ics::Calendar {
        method: crate::calendar::ics::Method::Publish,
        name: Some(s.title.clone()),
        events: vec![vevent],
    }
    .write();
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8; method=PUBLISH")
        .insert_header((
            "content-disposition",
            format!("attachment; filename=\"session-{id}.ics\""),
        ))
        .body(body))
}

#[utoipa::path(get, path = "/events/{slug}/speakers/{id}", tag = "pages",
    params(("slug" = String, Path), ("id" = i64, Path)),
    responses((status = 200, description = "a speaker of the published programme and their sessions", content_type = "text/html"), (status = 404)))]
pub async fn speaker(reader: Reader, path: ItemPath) -> PageReply {
    let (slug, id) = path.into_inner();
    let (entry, lang) = published(&reader, slug).await?;
    let (event, release) = (&entry.event, entry.release.as_deref());
    let t = words(lang);
    let sessions: Vec<&PublishedSession> = release
        .as_ref()
        .map(|r| {
            r.snapshot
                .sessions
                .iter()
                .filter(|s| s.speakers.iter().any(|sp| sp.id == id))
                .collect()
        })
        .unwrap_or_default();
    let speaker = sessions
        .first()
        .and_then(|s| s.speakers.iter().find(|sp| sp.id == id))
        .ok_or_else(|| PageError::new(AppError::not_found("no such speaker"), lang))?;
    let base = format!("/events/{}", event.slug);
    let body = render_for(
        &reader.req,
        "speaker.html",
        lang,
        t.clone(),
        context! {
            event_name => event.name.get(lang, event.default_language),
            name => &speaker.name,
            organization => &speaker.organization,
            bio => &speaker.bio,
            sessions => sessions.iter().map(|s| context! {
                title => shown_title(s, lang, &t),
                lang => s.language.code(),
                day => dates::day(lang, s.starts_at.date_naive()),
                time => format!("{}–{}", s.starts_at.format("%H:%M"), s.ends_at.format("%H:%M")),
                href => format!("{base}/sessions/{}?lang={}", s.id, lang.code()),
            }).collect::<Vec<_>>(),
            back_url => format!("{base}?lang={}", lang.code()),
        },
    )
    .in_page(lang)?;
    Ok(html(StatusCode::OK, lang, body))
}

#[utoipa::path(get, path = "/events/{slug}/changes", tag = "pages",
    params(("slug" = String, Path)),
    responses((status = 200, description = "each release of the programme and what it changed", content_type = "text/html"), (status = 404)))]
pub async fn changes(reader: Reader, slug: SlugPath) -> PageReply {
    let (entry, lang) = published(&reader, slug.into_inner()).await?;
    let event = &entry.event;
    let event_id = event.id;
    let all = reader
        .state
        .db
        .run(move |c| releases::all(c, event_id))
        .await
        .in_page(lang)?;
    let base = format!("/events/{}", event.slug);
    let entry = |e: &releases::DiffEntry| {
        context! { title => &e.title, href => format!("{base}/sessions/{}?lang={}", e.id, lang.code()) }
    };
    let list: Vec<_> = all
        .iter()
        .rev()
        .map(|r| {
            context! {
                version => &r.version,
                comment => &r.comment,
                published => dates::day_time(lang, r.published_at),
                new => r.diff.new.iter().map(entry).collect::<Vec<_>>(),
                moved => r.diff.moved.iter().map(entry).collect::<Vec<_>>(),
                changed => r.diff.changed.iter().map(entry).collect::<Vec<_>>(),
                cancelled => r.diff.cancelled.iter().map(|e| context! { title => &e.title }).collect::<Vec<_>>(),
            }
        })
        .collect();
    let body = render_for(
        &reader.req,
        "changes.html",
        lang,
        words(lang),
        context! {
            event_name => event.name.get(lang, event.default_language),
            releases => list,
            back_url => format!("{base}?lang={}", lang.code()),
        },
    )
    .in_page(lang)?;
    Ok(html(StatusCode::OK, lang, body))
}

/// The public programme's pages.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_programme, programme);
    r.add(__path_session, session);
    r.add(__path_session_calendar, session_calendar);
    r.add(__path_speaker, speaker);
    r.add(__path_changes, changes);
}
