use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{Event, EventForm, EventRow, EventStatus};
use crate::db::schema::events;
use crate::db::{Conn, Link, PageRequest};
use crate::domain::{search_text, Language, Translatable};
use crate::error::{AppError, AppResult};
use crate::{paged, run};

/// Everything an event is made of, checked (see `handlers::validate`).
#[derive(Debug, Clone)]
pub struct EventFields {
    pub name: Translatable,
    pub description: Translatable,
    pub payment_instructions: Translatable,
    pub timezone: chrono_tz::Tz,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub venue: String,
    pub city: String,
    pub languages: Vec<Language>,
    pub default_language: Language,
    pub capacity: Option<i32>,
    pub opens_at: chrono::NaiveTime,
    pub closes_at: chrono::NaiveTime,
    pub contact_email: String,
    pub registration_opens_at: Option<NaiveDateTime>,
    pub registration_closes_at: Option<NaiveDateTime>,
}

impl EventFields {
    /// The columns these fields fill for the event `slug`. Every field is named, so that a new
    /// one cannot be left unwritten.
    fn form(&self, slug: &str) -> EventForm {
        let EventFields {
            name,
            description,
            payment_instructions,
            timezone,
            starts_on,
            ends_on,
            venue,
            city,
            languages,
            default_language,
            capacity,
            opens_at,
            closes_at,
            contact_email,
            registration_opens_at,
            registration_closes_at,
        } = self;
        let mut search = name.texts();
        search.extend([slug, city.as_str(), venue.as_str()]);
        EventForm {
            name: name.to_db(),
            description: description.to_db(),
            timezone: timezone.name().to_string(),
            starts_on: *starts_on,
            ends_on: *ends_on,
            venue: venue.clone(),
            city: city.clone(),
            languages: languages
                .iter()
                .map(|l| l.code())
                .collect::<Vec<_>>()
                .join(","),
            default_language: default_language.code().to_string(),
            capacity: *capacity,
            opens_at: *opens_at,
            closes_at: *closes_at,
            contact_email: contact_email.clone(),
            registration_opens_at: *registration_opens_at,
            registration_closes_at: *registration_closes_at,
            search_text: search_text(search),
            payment_instructions: payment_instructions.to_db(),
        }
    }
}

pub fn find_by_slug(c: &mut Conn, slug: &str) -> QueryResult<Option<Event>> {
    // No slug holds a control character; PostgreSQL would refuse a NUL with an error.
    if slug.chars().any(char::is_control) {
        return Ok(None);
    }
    let row = run!(c, |c| events::table
        .filter(events::slug.eq(slug))
        .select(EventRow::as_select())
        .first(c)
        .optional())?;
    Ok(row.map(Event::from_row))
}

/// Ids of the events whose last day is before `day`.
pub fn ended_before(c: &mut Conn, day: chrono::NaiveDate) -> QueryResult<Vec<i64>> {
    run!(c, |c| events::table
        .filter(events::ends_on.lt(day))
        .select(events::id)
        .load(c))
}

/// Runs `f` on each event whose last day is before `day`, each in its own write transaction
/// with the event locked (the retention purges); returns the sum of what `f` returns.
pub fn for_each_ended_before(
    db: &crate::db::Db,
    day: chrono::NaiveDate,
    f: impl Fn(&mut Conn, &Event) -> AppResult<usize>,
) -> anyhow::Result<usize> {
    let mut pooled = db.get()?;
    let mut c = pooled.conn();
    let mut total = 0;
    for event_id in ended_before(&mut c, day)? {
        total += c
            .write_tx(|c| {
                let event = lock_by_id(c, event_id)?;
                f(c, &event)
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(total)
}

pub fn find(c: &mut Conn, id: i64) -> QueryResult<Event> {
    let row = run!(c, |c| events::table
        .find(id)
        .select(EventRow::as_select())
        .first(c))?;
    Ok(Event::from_row(row))
}

/// The event named by `slug` as `viewer` may see it: drafts only for organizers.
pub fn visible(c: &mut Conn, slug: &str, can_view_drafts: bool) -> AppResult<Event> {
    match find_by_slug(c, slug)? {
        Some(e) if e.is_published() || can_view_drafts => Ok(e),
        _ => Err(AppError::not_found(format!("no event `{slug}`"))),
    }
}

/// The event named by `slug`, locked for the rest of the write transaction
/// (see [`crate::db::lock_event`]).
pub fn lock(c: &mut Conn, slug: &str) -> AppResult<Event> {
    let not_found = || AppError::not_found(format!("no event `{slug}`"));
    match &mut c.link {
        // The write transaction already holds the whole database: what is read is current.
        Link::Sqlite(_) => find_by_slug(c, slug)?.ok_or_else(not_found),
        // `FOR UPDATE` waits for the lock, then reads the row as it is once locked.
        Link::Pg(pg) => {
            if slug.chars().any(char::is_control) {
                return Err(not_found());
            }
            let row = events::table
                .filter(events::slug.eq(slug))
                .select(EventRow::as_select())
                .for_update()
                .first(&mut **pg)
                .optional()?;
            row.map(Event::from_row).ok_or_else(not_found)
        }
    }
}

/// The event `id`, locked for the rest of the write transaction and read under the lock, so a
/// capacity or window changed meanwhile is seen.
pub fn lock_by_id(c: &mut Conn, id: i64) -> AppResult<Event> {
    crate::db::lock_event(c, id)?;
    Ok(find(c, id)?)
}

pub fn insert(c: &mut Conn, slug: &str, f: &EventFields) -> AppResult<Event> {
    if find_by_slug(c, slug)?.is_some() {
        return Err(AppError::Conflict(format!(
            "an event with slug `{slug}` already exists"
        )));
    }
    let now = crate::db::now();
    let form = f.form(slug);
    let id = run!(c, |c| diesel::insert_into(events::table)
        .values((
            &form,
            events::slug.eq(slug),
            events::status.eq(EventStatus::Draft.as_str()),
            events::created_at.eq(now),
            events::updated_at.eq(now),
        ))
        .returning(events::id)
        .get_result::<i64>(c))?;
    Ok(find(c, id)?)
}

pub fn update(c: &mut Conn, event: &Event, f: &EventFields) -> QueryResult<Event> {
    let now = crate::db::now();
    let form = f.form(&event.slug);
    run!(c, |c| diesel::update(events::table.find(event.id))
        .set((&form, events::updated_at.eq(now)))
        .execute(c))?;
    find(c, event.id)
}

/// Deletes an event; every row of it in every area goes with it (`ON DELETE CASCADE`).
pub fn delete(c: &mut Conn, event_id: i64) -> QueryResult<()> {
    run!(c, |c| diesel::delete(events::table.find(event_id))
        .execute(c))?;
    Ok(())
}

pub fn set_status(c: &mut Conn, event_id: i64, status: EventStatus) -> QueryResult<()> {
    let now = crate::db::now();
    run!(c, |c| diesel::update(events::table.find(event_id))
        .set((
            events::status.eq(status.as_str()),
            events::updated_at.eq(now)
        ))
        .execute(c))?;
    Ok(())
}

/// One page of events; only published ones unless `include_drafts`.
pub fn list(
    c: &mut Conn,
    req: &PageRequest,
    include_drafts: bool,
) -> QueryResult<(Vec<Event>, i64)> {
    let sort = req.sort.as_ref().map(|(k, d)| (k.as_str(), *d));
    let (rows, total) = paged!(
        c,
        req,
        EventRow,
        || {
            let mut q = events::table.into_boxed();
            if !include_drafts {
                q = q.filter(events::status.eq(EventStatus::Published.as_str()));
            }
            if let Some(like) = &req.like {
                q = q.filter(events::search_text.like(like.clone()).escape('\\'));
            }
            q
        },
        |q| match sort {
            Some(("starts_on", false)) => q.order((events::starts_on.asc(), events::id.asc())),
            Some(("starts_on", true)) => q.order((events::starts_on.desc(), events::id.desc())),
            Some(("slug", false)) => q.order(events::slug.asc()),
            Some(("slug", true)) => q.order(events::slug.desc()),
            Some((_, true)) => q.order(events::id.desc()),
            _ => q.order(events::id.asc()),
        }
    )?;
    Ok((rows.into_iter().map(Event::from_row).collect(), total))
}
