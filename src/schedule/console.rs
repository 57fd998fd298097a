//! The programme editor, `/console/events/{slug}/schedule?day=…`: rooms as columns grouped by
//! hall, the fair's hours down the side in 5-minute steps of its local time, day tabs, a filter
//! by room and by track, the sessions not placed yet in a tray, each session's warnings on its
//! card. Every slot carries `data-room-id` and `data-starts-at` (RFC 3339), every card
//! `data-session-id`, so `assets/editor.js` (drag, drop, resize) and tests can drive it; the
//! moves post to `…/sessions/{id}/place`, which the session's own form (see
//! [`super::console_sessions`]) does without JavaScript. Writes go through the sessions
//! service, so a move meets the same conflict rules and audit as an API write.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike};
use minijinja::context;

use super::model::{RoomRow, SessionKind};
use super::sessions::{self, SessionPatch};
use super::working_copy::{read_copy, text, version};
use crate::domain::text::Check;
use crate::domain::{dates, Role};
use crate::error::AppError;
use crate::events::console::nav;
use crate::events::Event;
use crate::web::console::{Console, ConsoleReply, FormFields, Posted};
use crate::web::words::{word, Section};
use crate::web::{ItemPath, SlugPath};

/// The grid's step, in minutes.
pub const STEP: i64 = 5;
/// Header rows above the first slot (halls, rooms).
const HEAD_ROWS: i64 = 2;

/// The day the editor shows: `?day=` when it is one of the fair's, else today during the
/// fair, else the first day.
fn shown_day(event: &Event, asked: Option<&str>, today: NaiveDate) -> NaiveDate {
    let within = |d: NaiveDate| d >= event.starts_on && d <= event.ends_on;
    asked
        .and_then(|d| d.parse::<NaiveDate>().ok())
        .filter(|d| within(*d))
        .or(Some(today).filter(|d| within(*d)))
        .unwrap_or(event.starts_on)
}

/// The editor's query: `day`, `room` (repeated; none: every room), `track`.
struct EditorQuery {
    day: Option<String>,
    rooms: Vec<i64>,
    track: Option<i64>,
}

impl EditorQuery {
    fn of(req: &HttpRequest) -> EditorQuery {
        let mut q = EditorQuery {
            day: None,
            rooms: Vec::new(),
            track: None,
        };
        for (k, v) in form_urlencoded::parse(req.query_string().as_bytes()) {
            match k.as_ref() {
                "day" => q.day = Some(v.into_owned()),
                "room" => q.rooms.extend(v.parse::<i64>().ok()),
                "track" => q.track = v.parse().ok(),
                _ => {}
            }
        }
        q
    }
}

/// The RFC 3339 instant of a local time of the fair (the earlier one when the clocks pass it
/// twice; none when they skip it).
fn instant(event: &Event, local: NaiveDateTime) -> Option<String> {
    event
        .timezone
        .from_local_datetime(&local)
        .earliest()
        .map(|t| t.fixed_offset().to_rfc3339())
}

#[utoipa::path(get, path = "/console/events/{slug}/schedule", tag = "console",
    params(("slug" = String, Path), ("day" = Option<String>, Query, description = "YYYY-MM-DD, a day of the fair"),
        ("room" = Option<i64>, Query, description = "rooms to show (repeated); none: all"), ("track" = Option<i64>, Query)),
    responses((status = 200, description = "the programme editor", content_type = "text/html"), (status = 303), (status = 404)))]
pub async fn editor(console: Console, slug: SlugPath) -> ConsoleReply {
    console.require(Role::Viewer)?;
    let state = &console.state;
    let buffer = state.settings.schedule.speaker_buffer;
    let copy = read_copy(state, &slug)
        .await
        .map_err(|e| console.error(e))?;
    let lang = console.lang;
    let event = &copy.event;
    let fallback = event.default_language;
    let query = EditorQuery::of(&console.req);
    let today = event.wall_clock(state.clock.now().naive_utc()).date();
    let day = shown_day(event, query.day.as_deref(), today);
    let base = format!("/console/events/{}", event.slug);

    // Rooms, grouped by hall (in the order halls first appear), filtered.
    let mut rooms: Vec<&RoomRow> = copy.rooms.iter().collect();
    let hall_of = |r: &RoomRow| {
        r.hall
            .as_deref()
            .map(|h| text(h, lang, fallback))
            .unwrap_or_default()
    };
    let mut halls: Vec<String> = Vec::new();
    for r in &rooms {
        let h = hall_of(r);
        if !halls.contains(&h) {
            halls.push(h);
        }
    }
    rooms.sort_by_key(|r| (halls.iter().position(|h| *h == hall_of(r)), r.id));
    let shown: Vec<&RoomRow> = rooms
        .iter()
        .copied()
        .filter(|r| query.rooms.is_empty() || query.rooms.contains(&r.id))
        .collect();
    let column: HashMap<i64, i64> = shown
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id, i as i64 + 2))
        .collect();
    let mut hall_heads: Vec<minijinja::Value> = Vec::new();
    let mut i = 0;
    while i < shown.len() {
        let h = hall_of(shown[i]);
        let span = shown[i..].iter().take_while(|r| hall_of(r) == h).count();
        hall_heads.push(context! { name => h, column => i + 2, span => span });
        i += span;
    }

    // The day's slots, in the fair's local time.
    let open = day.and_time(event.opens_at);
    let steps = ((event.closes_at - event.opens_at).num_minutes() / STEP).max(1);
    let mut slots = Vec::new();
    let mut times = Vec::new();
    for step in 0..steps {
        let at = open + Duration::minutes(step * STEP);
        let row = step + HEAD_ROWS + 1;
        if at.minute().is_multiple_of(30) {
            times.push(context! { label => at.format("%H:%M").to_string(), row => row });
        }
        let Some(starts_at) = instant(event, at) else {
            continue;
        };
        let class = match at.minute() {
            0 => "slot hour",
            m if m % 15 == 0 => "slot quarter",
            _ => "slot",
        };
        for r in &shown {
            slots.push(context! {
                room => r.id, column => column[&r.id], row => row, starts_at => &starts_at,
                local => at.format("%Y-%m-%dT%H:%M").to_string(), class => class,
            });
        }
    }

    // The sessions: on the grid this day, or in the tray.
    let warnings = copy.warnings(lang, buffer);
    let track_color: HashMap<i64, &str> = copy
        .tracks
        .iter()
        .map(|t| (t.id, t.color.as_str()))
        .collect();
    let names: HashMap<i64, &str> = copy
        .speakers
        .iter()
        .map(|s| (s.id, s.name.as_str()))
        .collect();
    let can_edit = console.can(Role::Editor);
    let mut placed = Vec::new();
    let mut tray = Vec::new();
    for s in &copy.sessions {
        let f = &s.form;
        if query.track.is_some() && f.track_id != query.track {
            continue;
        }
        let place = format!("{base}/sessions/{}/place", s.id);
        let speakers: Vec<&str> = copy
            .speaker_ids
            .get(&s.id)
            .into_iter()
            .flatten()
            .filter_map(|id| names.get(id).copied())
            .collect();
        let mut card = context! {
            id => s.id,
            title => &f.title,
            title_lang => &f.language,
            kind => &f.kind,
            is_break => SessionKind::parse(&f.kind) == SessionKind::Break,
            speakers => speakers.join(", "),
            color => f.track_id.and_then(|t| track_color.get(&t).copied()),
            warnings => warnings.get(&s.id).cloned().unwrap_or_default(),
            edit => format!("{base}/sessions/{}?lang={}", s.id, lang.code()),
            place => &place,
            csrf => if can_edit { Some(console.csrf(&place)) } else { None },
            version => version(s),
        };
        match (f.room_id, f.starts_at, f.ends_at) {
            (Some(room), Some(start), Some(end)) => {
                let (ls, le) = (event.wall_clock(start), event.wall_clock(end));
                let (Some(col), true) = (column.get(&room), ls.date() == day) else {
                    continue;
                };
                let row = (ls - open).num_minutes().div_euclid(STEP) + HEAD_ROWS + 1;
                let span = ((le - ls).num_minutes() / STEP).max(1);
                card = context! {
                    column => col, row => row.max(HEAD_ROWS + 1), span => span,
                    room => room,
                    starts_at => event.local(start).to_rfc3339(),
                    ends_at => event.local(end).to_rfc3339(),
                    minutes => (end - start).num_minutes(),
                    when => format!("{}–{}", ls.format("%H:%M"), le.format("%H:%M")),
                    local_start => ls.format("%Y-%m-%dT%H:%M").to_string(),
                    ..card
                };
                placed.push(card);
            }
            _ => tray.push(card),
        }
    }

    let days: Vec<_> = event
        .starts_on
        .iter_days()
        .take_while(|d| *d <= event.ends_on)
        .map(|d| {
            context! {
                label => dates::day(lang, d),
                href => format!("{base}/schedule?day={d}&lang={}", lang.code()),
                current => d == day,
            }
        })
        .collect();
    let offset = event
        .timezone
        .from_local_datetime(&open)
        .earliest()
        .map(|t| t.format("%:z").to_string())
        .unwrap_or_default();
    let notice = console.done(Section::ConsoleSchedule);
    console.page(
        StatusCode::OK,
        "console/schedule.html",
        &[Section::ConsoleSchedule],
        context! {
            event => nav(event, lang),
            tab => "schedule",
            day => day.to_string(),
            days => days,
            tz => format!("{} (UTC{offset})", event.timezone.name()),
            all_rooms => rooms.iter().map(|r| context! {
                id => r.id, name => text(&r.name, lang, fallback),
                shown => query.rooms.is_empty() || query.rooms.contains(&r.id),
            }).collect::<Vec<_>>(),
            tracks => copy.tracks.iter().map(|t| context! {
                id => t.id, name => text(&t.name, lang, fallback), color => &t.color,
                selected => query.track == Some(t.id),
            }).collect::<Vec<_>>(),
            rooms => shown.iter().map(|r| context! {
                id => r.id, name => text(&r.name, lang, fallback), column => column[&r.id], capacity => r.capacity,
            }).collect::<Vec<_>>(),
            halls => hall_heads,
            has_halls => halls.iter().any(|h| !h.is_empty()),
            columns => shown.len(),
            rows => steps,
            times => times,
            slots => slots,
            placed => placed,
            tray => tray,
            can_edit => can_edit,
            new_session => format!("{base}/sessions/new?lang={}", lang.code()),
            setup => format!("{base}/programme-setup?lang={}", lang.code()),
            release => format!("{base}/releases/new?lang={}", lang.code()),
            step_minutes => STEP,
            notice => notice,
        },
    )
}

/// A move's answer to the editor's script (`Accept: application/json`): saved with its
/// warnings, or refused with what stopped it, in the console's language.
#[derive(Debug, serde::Serialize)]
struct Moved {
    saved: bool,
    message: String,
    details: Vec<String>,
}

/// The members a placement form sends, as a change of the session: room, start and end
/// together, all blank to take the session off the grid.
pub fn placement(form: &FormFields, check: &mut Check) -> SessionPatch {
    let room_id = match form.number::<i64>("room_id") {
        Ok(v) => v,
        Err(_) => {
            check.push(crate::domain::FieldError::new(
                "room_id",
                "must be a room's id",
            ));
            None
        }
    };
    let time = |name: &str, check: &mut Check| {
        form.text(name)
            .and_then(|t| match dates::ProgrammeTime::parse(&t) {
                Ok(t) => Some(t),
                Err(message) => {
                    check.push(crate::domain::FieldError::new(name, message));
                    None
                }
            })
    };
    SessionPatch {
        room_id: Some(room_id),
        starts_at: Some(time("starts_at", check)),
        ends_at: Some(time("ends_at", check)),
        ..SessionPatch::default()
    }
}

#[utoipa::path(post, path = "/console/events/{slug}/sessions/{id}/place", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "room_id, starts_at, ends_at (local times of the fair, or RFC 3339; all blank: off the grid), version, csrf"),
    responses((status = 303, description = "moved: back to the editor"), (status = 200, description = "moved (asked with Accept: application/json)"),
        (status = 403), (status = 404), (status = 409, description = "refused: the conflict named, nothing saved"),
        (status = 412, description = "the session changed since the page was loaded"), (status = 422)))]
pub async fn place(posted: Posted, path: ItemPath) -> ConsoleReply {
    let Posted { console, form } = posted;
    let (slug, id) = path.into_inner();
    let json = crate::web::console::wants_json(&console.req);
    let lang = console.lang;
    let refused = |status: StatusCode, message: String, details: Vec<String>| {
        HttpResponse::build(status).json(Moved {
            saved: false,
            message,
            details,
        })
    };
    if let Err(e) = console.require(Role::Editor) {
        return if json {
            let status = actix_web::ResponseError::status_code(e.error());
            Ok(refused(status, e.to_string(), vec![]))
        } else {
            Err(e)
        };
    }
    let state = &console.state;
    let mut check = Check::default();
    let patch = placement(&form, &mut check);
    let buffer = state.settings.schedule.speaker_buffer;
    let written = sessions::change(
        &state.db,
        console.organizer(),
        slug.clone(),
        id,
        patch,
        check,
        buffer,
        form.text("version"),
    )
    .await;
    let back = |day: Option<NaiveDate>| {
        let day = day.map(|d| format!("day={d}&")).unwrap_or_default();
        console.see_other(&format!(
            "/console/events/{slug}/schedule?{day}done=sch_moved"
        ))
    };
    match written {
        Ok(written) => {
            let day = written.session.starts_at.map(|t| t.date_naive());
            let copy = read_copy(state, &slug)
                .await
                .map_err(|e| console.error(e))?;
            let details = written
                .warnings
                .iter()
                .map(|w| copy.describe(w, lang, buffer))
                .collect();
            if json {
                Ok(HttpResponse::Ok().json(Moved {
                    saved: true,
                    message: word(lang, Section::ConsoleSchedule, "sch_moved"),
                    details,
                }))
            } else {
                Ok(back(day))
            }
        }
        Err(AppError::ScheduleConflict { conflicts, .. }) => {
            let copy = read_copy(state, &slug)
                .await
                .map_err(|e| console.error(e))?;
            let details: Vec<String> = conflicts
                .iter()
                .map(|c| copy.describe(c, lang, buffer))
                .collect();
            let message = word(lang, Section::ConsoleSchedule, "sch_refused");
            if json {
                Ok(refused(StatusCode::CONFLICT, message, details))
            } else {
                super::console_sessions::refused_page(&console, &copy, id, &form, details)
            }
        }
        Err(AppError::PreconditionFailed(_)) => {
            let message = word(lang, Section::ConsoleSchedule, "sch_stale");
            if json {
                Ok(refused(StatusCode::PRECONDITION_FAILED, message, vec![]))
            } else {
                Err(console.error(AppError::PreconditionFailed(message)))
            }
        }
        Err(AppError::Validation(errors)) if json => Ok(refused(
            StatusCode::UNPROCESSABLE_ENTITY,
            word(lang, Section::ConsoleSchedule, "sch_refused"),
            errors
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect(),
        )),
        Err(other) => Err(console.error(other)),
    }
}

/// The editor's pages.
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_editor, editor).add(__path_place, place);
}
