//! The meetings in the console (SPEC §4.3, §4.4): `/console/events/{slug}/meetings` lists a
//! fair day's meetings by time, for every exhibitor or one (printed, it is that booth's day
//! sheet), with the CSV of them all; editors cancel one (both sides are told) and set the
//! meeting blocks and rules of the fair.

use actix_web::http::StatusCode;
use actix_web::web;
use chrono::{NaiveDate, TimeDelta};
use minijinja::context;
use serde::Deserialize;

use super::model::{Block, MeetingSettings, MeetingStatus};
use super::service::{self, Side};
use super::store::{self, Of};
use crate::db::Conn;
use crate::domain::{dates, FieldError, Language, Role};
use crate::error::{AppError, AppResult};
use crate::events::console::{fair, find, nav, Figure, Panel, PanelView};
use crate::events::Event;
use crate::web::console::{form_errors, Console, ConsoleReply, Posted};
use crate::web::words::{word, Section};
use crate::web::{ItemPath, SlugPath};

fn w(lang: Language, key: &str) -> String {
    word(lang, Section::Meetings, key)
}

/// The list's query.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingsQuery {
    /// A fair day, `YYYY-MM-DD` (default: the first).
    pub day: Option<String>,
    /// One exhibitor's meetings only (its day sheet).
    pub exhibitor_id: Option<String>,
}

/// The fair's days.
fn days(event: &Event) -> Vec<NaiveDate> {
    let mut d = event.starts_on;
    let mut out = Vec::new();
    while d <= event.ends_on && out.len() < 31 {
        out.push(d);
        d += TimeDelta::days(1);
    }
    out
}

/// "10:00-12:30, 14:00-17:00": a day's blocks as the settings form shows and reads them.
fn blocks_text(blocks: &[Block], day: NaiveDate) -> String {
    blocks
        .iter()
        .filter(|b| b.day == day)
        .map(|b| format!("{}-{}", b.starts.format("%H:%M"), b.ends.format("%H:%M")))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn meetings_page(
    console: &Console,
    event: Event,
    query: &MeetingsQuery,
    status: StatusCode,
    sent: Option<&crate::web::console::FormFields>,
    errors: &[FieldError],
) -> ConsoleReply {
    let lang = console.lang;
    let all_days = days(&event);
    let day = query
        .day
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .filter(|d| all_days.contains(d))
        .unwrap_or(event.starts_on);
    let only: Option<i64> = query.exhibitor_id.as_deref().and_then(|e| e.parse().ok());
    let id = event.id;
    let now = console.state.clock.now().naive_utc();
    let (settings, rows, exhibitors, people) = console
        .run(move |c| {
            let settings = store::settings(c, id)?;
            let rows = store::list(c, Of::Event(id))?;
            let exhibitors =
                crate::exhibitors::store::of_event(c, id, crate::exhibitors::store::By::Approved)?;
            let mut people = std::collections::BTreeMap::new();
            let wanted = rows
                .iter()
                .flat_map(|m| std::iter::once(m.registration_id).chain(m.host_registration_id));
            for id in wanted {
                if let std::collections::btree_map::Entry::Vacant(slot) = people.entry(id) {
                    let r = crate::registrations::store::find_by_id(c, id)?;
                    slot.insert((
                        r.name.unwrap_or_default(),
                        r.organization.unwrap_or_default(),
                    ));
                }
            }
            let mut booths = std::collections::BTreeMap::new();
            for e in &exhibitors {
                if let Some(b) = e.booth_id {
                    booths.insert(
                        e.id,
                        crate::exhibitors::store::find_booth(c, id, b)?.form.code,
                    );
                }
            }
            let exhibitors: Vec<(i64, String, Option<String>)> = exhibitors
                .into_iter()
                .map(|e| (e.id, e.profile.company_name, booths.get(&e.id).cloned()))
                .collect();
            Ok((settings, rows, exhibitors, people))
        })
        .await?;
    let base = format!("/console/events/{}/meetings", event.slug);
    let company = |id: i64| exhibitors.iter().find(|e| e.0 == id);
    let shown: Vec<_> = rows
        .iter()
        .filter(|m| event.wall_clock(m.starts_at).date() == day)
        .filter(|m| only.is_none_or(|e| e == m.exhibitor_id))
        .map(|m| {
            let status = m.status_at(now);
            let (name, organization) = people.get(&m.registration_id).cloned().unwrap_or_default();
            let ex = company(m.exhibitor_id);
            let cancel = format!("{base}/{}/cancel", m.id);
            context! {
                id => m.id,
                time => format!("{}–{}", event.wall_clock(m.starts_at).format("%H:%M"), event.wall_clock(m.ends_at).format("%H:%M")),
                company => ex.map(|e| e.1.clone()).unwrap_or_else(|| format!("#{}", m.exhibitor_id)),
                booth => ex.and_then(|e| e.2.clone()),
                name => name, organization => organization,
                status => status.as_str(),
                // "Waiting for the exhibitor", not the exhibitor's page's "for your answer".
                status_label => match status {
                    MeetingStatus::Pending => w(lang, "c_status_pending"),
                    other => w(lang, &format!("status_{other}")),
                },
                host => m.host_registration_id.and_then(|h| people.get(&h)).map(|p| p.0.clone()),
                cancel => (console.can(Role::Editor)
                    && matches!(status, MeetingStatus::Pending | MeetingStatus::Accepted)
                    && m.ends_at > now)
                    .then(|| context! { url => format!("{cancel}?lang={}", lang.code()), csrf => console.csrf(&cancel) }),
            }
        })
        .collect();
    let count = |s: MeetingStatus| {
        rows.iter()
            .filter(|m| event.wall_clock(m.starts_at).date() == day && m.status_at(now) == s)
            .count()
    };
    let value = |name: &str, current: String| sent.and_then(|f| f.text(name)).unwrap_or(current);
    let settings_action = format!("{base}/settings");
    console.page(
        status,
        "console/meetings.html",
        &[Section::Meetings],
        context! {
            event => nav(&event, lang),
            tab => "meetings",
            days => all_days.iter().map(|d| context! {
                value => d.format("%Y-%m-%d").to_string(),
                label => dates::day(lang, *d),
                current => *d == day,
                href => format!("{base}?day={}&lang={}{}", d.format("%Y-%m-%d"), lang.code(),
                    only.map(|e| format!("&exhibitor_id={e}")).unwrap_or_default()),
            }).collect::<Vec<_>>(),
            day => day.format("%Y-%m-%d").to_string(),
            day_label => dates::day(lang, day),
            exhibitors => exhibitors.iter().map(|e| context! { id => e.0, name => &e.1, booth => &e.2 }).collect::<Vec<_>>(),
            only => only,
            sheet => only.and_then(company).map(|e| context! { name => &e.1, booth => &e.2 }),
            meetings => shown,
            accepted => count(MeetingStatus::Accepted),
            pending => count(MeetingStatus::Pending),
            action => base.clone(),
            csv => format!("{base}.csv"),
            can_edit => console.can(Role::Editor),
            settings_form => context! {
                url => format!("{settings_action}?lang={}", lang.code()),
                csrf => console.csrf(&settings_action),
                blocks => all_days.iter().map(|d| context! {
                    name => format!("blocks[{}]", d.format("%Y-%m-%d")),
                    label => dates::day(lang, *d),
                    value => value(&format!("blocks[{}]", d.format("%Y-%m-%d")), blocks_text(&settings.blocks, *d)),
                }).collect::<Vec<_>>(),
                slot_minutes => value("slot_minutes", settings.slot_minutes.to_string()),
                request_ttl_hours => value("request_ttl_hours", settings.request_ttl.num_hours().to_string()),
                max_pending => value("max_pending", settings.max_pending.to_string()),
                reminder_hour => value("reminder_hour", settings.reminder_hour.to_string()),
                requests_open => sent.map_or(settings.requests_open, |f| f.text("requests_open").is_some()),
            },
            errors => form_errors(lang, errors),
            notice => console.done(Section::Meetings),
        },
    )
}

#[utoipa::path(get, path = "/console/events/{slug}/meetings", tag = "console",
    params(("slug" = String, Path), MeetingsQuery),
    responses((status = 200, description = "a fair day's meetings, for every exhibitor or one (its day sheet), and the meeting settings", content_type = "text/html"), (status = 303), (status = 403), (status = 404)))]
pub async fn list(
    console: Console,
    slug: SlugPath,
    query: web::Query<MeetingsQuery>,
) -> ConsoleReply {
    let event = fair(&console, Role::Viewer, slug).await?;
    meetings_page(&console, event, &query, StatusCode::OK, None, &[]).await
}

#[utoipa::path(get, path = "/console/events/{slug}/meetings.csv", tag = "console",
    params(("slug" = String, Path)),
    responses((status = 200, description = "every meeting of the fair (UTF-8 with a byte-order mark, times in the fair's zone)", content_type = "text/csv"), (status = 303), (status = 403), (status = 404)))]
pub async fn csv(console: Console, slug: SlugPath) -> ConsoleReply {
    let event = fair(&console, Role::Viewer, slug).await?;
    let (id, tz) = (event.id, event.timezone);
    let now = console.state.clock.now().naive_utc();
    let lines = console
        .run(move |c| {
            let mut out = String::new();
            for m in store::list(c, Of::Event(id))? {
                let ex = crate::exhibitors::store::find_by_id(c, m.exhibitor_id)?;
                let reg = crate::registrations::store::find_by_id(c, m.registration_id)?;
                let at = |t: chrono::NaiveDateTime| t.and_utc().with_timezone(&tz).to_rfc3339();
                out.push_str(&crate::registrations::organizer::csv_row(&[
                    m.id.to_string(),
                    m.status_at(now).to_string(),
                    at(m.starts_at),
                    at(m.ends_at),
                    ex.id.to_string(),
                    ex.profile.company_name,
                    reg.id.to_string(),
                    reg.name.unwrap_or_default(),
                    reg.organization.unwrap_or_default(),
                    m.message,
                    m.cancelled_by.unwrap_or_default(),
                ]));
            }
            Ok(out)
        })
        .await?;
    Ok(crate::registrations::organizer::csv_download(
        &format!("{}-meetings.csv", event.slug),
        "id,status,starts_at,ends_at,exhibitor_id,company,registration_id,attendee,organization,message,cancelled_by",
        lines,
    ))
}

#[utoipa::path(post, path = "/console/events/{slug}/meetings/{id}/cancel", tag = "console",
    params(("slug" = String, Path), ("id" = i64, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "csrf"),
    responses((status = 303, description = "cancelled: both sides are emailed"), (status = 403), (status = 404), (status = 409)))]
pub async fn cancel(posted: Posted, path: ItemPath) -> ConsoleReply {
    let Posted { console, .. } = posted;
    console.require(Role::Editor)?;
    let (slug, id) = path.into_inner();
    let event = find(&console, slug).await?;
    let settings = console.state.settings.clone();
    let now = console.state.clock.now().naive_utc();
    let who = console.organizer().id;
    let event_id = event.id;
    let day = console
        .write(move |c| {
            let event = crate::events::store::lock_by_id(c, event_id)?;
            let m = store::find(c, id)?
                .filter(|m| m.event_id == event.id)
                .ok_or_else(|| AppError::not_found(format!("no meeting {id}")))?;
            let m = service::cancel(c, &settings, &event, &m, Side::Organizer, now)?;
            crate::audit::record(
                c,
                Some(who),
                Some(event.id),
                "cancel",
                "meeting",
                Some(m.id),
                serde_json::json!({"via": "console"}),
            )?;
            Ok(event.wall_clock(m.starts_at).date())
        })
        .await?;
    Ok(console.see_other(&format!(
        "/console/events/{}/meetings?day={}&done=c_done_cancelled",
        event.slug,
        day.format("%Y-%m-%d")
    )))
}

/// "10:00-12:30, 14:00-17:00" read as blocks of `day`; the field's error otherwise.
fn read_blocks(
    day: NaiveDate,
    text: &str,
    field: &str,
    lang: Language,
) -> Result<Vec<Block>, FieldError> {
    let mut out = Vec::new();
    for part in text
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (a, b) = part
            .split_once(['-', '–'])
            .ok_or_else(|| FieldError::new(field, w(lang, "c_blocks_invalid")))?;
        let parse = |t: &str| crate::events::model::ClockTime::parse(t.trim());
        match (parse(a), parse(b)) {
            (Ok(starts), Ok(ends)) => out.push(Block { day, starts, ends }),
            _ => return Err(FieldError::new(field, w(lang, "c_blocks_invalid"))),
        }
    }
    Ok(out)
}

#[utoipa::path(post, path = "/console/events/{slug}/meetings/settings", tag = "console",
    params(("slug" = String, Path)),
    request_body(content_type = "application/x-www-form-urlencoded", description = "blocks[YYYY-MM-DD] (`10:00-12:30, 14:00-17:00`), slot_minutes, requests_open, request_ttl_hours, max_pending, reminder_hour, csrf"),
    responses((status = 303, description = "saved"), (status = 403), (status = 404), (status = 422, description = "a field is refused: said beside it")))]
pub async fn save_settings(posted: Posted, slug: SlugPath) -> ConsoleReply {
    let Posted { console, form } = posted;
    let lang = console.lang;
    let event = fair(&console, Role::Editor, slug).await?;
    let mut errors = Vec::new();
    let mut blocks = Vec::new();
    for d in days(&event) {
        let field = format!("blocks[{}]", d.format("%Y-%m-%d"));
        match read_blocks(d, &form.text(&field).unwrap_or_default(), &field, lang) {
            Ok(b) => blocks.extend(b),
            Err(e) => errors.push(e),
        }
    }
    let mut number = |name: &str, lo: i64, hi: i64| -> i64 {
        match form.text(name).and_then(|t| t.parse::<i64>().ok()) {
            Some(n) if (lo..=hi).contains(&n) => n,
            _ => {
                errors.push(FieldError::rule(
                    name,
                    crate::domain::text::Rule::Range(lo, hi),
                ));
                lo
            }
        }
    };
    let wanted = MeetingSettings {
        blocks,
        slot_minutes: number("slot_minutes", 5, 240) as i32,
        requests_open: form.text("requests_open").is_some(),
        request_ttl: TimeDelta::hours(number("request_ttl_hours", 1, 720)),
        max_pending: number("max_pending", 1, 100) as i32,
        reminder_hour: number("reminder_hour", 0, 23) as i32,
    };
    if errors.is_empty() {
        if let Err(mut refused) = service::check_settings(&event, &wanted) {
            // The day's field carries a block's error.
            for e in &mut refused {
                if let Some(i) = e
                    .field
                    .strip_prefix("blocks.")
                    .and_then(|r| r.split('.').next())
                    .and_then(|i| i.parse::<usize>().ok())
                {
                    if let Some(b) = wanted.blocks.get(i) {
                        e.field = format!("blocks[{}]", b.day.format("%Y-%m-%d"));
                        e.message = w(lang, "c_blocks_order");
                    }
                }
            }
            errors = refused;
        }
    }
    if !errors.is_empty() {
        let query = MeetingsQuery::default();
        return meetings_page(
            &console,
            event,
            &query,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&form),
            &errors,
        )
        .await;
    }
    let (event_id, who) = (event.id, console.organizer().id);
    let now = console.state.clock.now().naive_utc();
    console
        .write(move |c| {
            crate::db::lock_event(c, event_id)?;
            store::save_settings(c, event_id, &wanted, now)?;
            crate::audit::record(
                c,
                Some(who),
                Some(event_id),
                "update",
                "meeting_settings",
                None,
                serde_json::json!({"via": "console", "blocks": wanted.blocks.len()}),
            )?;
            Ok(())
        })
        .await?;
    Ok(console.see_other(&format!(
        "/console/events/{}/meetings?done=c_done_settings#settings",
        event.slug
    )))
}

/// The console's meetings routes (the CSV and the settings before `{id}`).
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_list, list)
        .add(__path_csv, csv)
        .add(__path_save_settings, save_settings)
        .add(__path_cancel, cancel);
}

/// Meetings' part of a fair's overview: accepted and waiting, each linked to the meetings page
/// (registered by the app).
pub struct MeetingsPanel;

impl Panel for MeetingsPanel {
    fn panel(&self, c: &mut Conn, event: &Event, lang: Language) -> AppResult<PanelView> {
        let now = crate::db::now();
        let rows = store::list(c, Of::Event(event.id))?;
        let count = |s: MeetingStatus| rows.iter().filter(|m| m.status_at(now) == s).count();
        let base = format!("/console/events/{}/meetings", event.slug);
        let blocks = store::settings(c, event.id)?.blocks.len();
        let mut notes = Vec::new();
        if blocks == 0 {
            notes.push(w(lang, "c_panel_no_blocks"));
        }
        Ok(PanelView {
            title: w(lang, "c_title"),
            figures: vec![
                Figure::new(count(MeetingStatus::Accepted), w(lang, "c_panel_accepted"))
                    .to(&base, lang),
                Figure::new(count(MeetingStatus::Pending), w(lang, "c_panel_pending"))
                    .to(&base, lang),
            ],
            notes,
            link: Some((format!("{base}?lang={}", lang.code()), w(lang, "c_open"))),
            ..PanelView::default()
        })
    }
}
