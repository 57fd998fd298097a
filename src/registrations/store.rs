//! Every query of the registrations area's tables: `registrations`, `bookings` (seats in
//! sessions), `agenda_feeds` and `schedule_notices`, each written once for both backends
//! (`run!`). What to write, and when, is decided by `service`, `bookings` and `notices`; the
//! locks they rely on are taken by their callers (`db::write_tx`).

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{
    BookingRow, BookingStatus, Category, DetailsChange, Person, RegistrationRow, Status,
};
use crate::db::schema::{agenda_feeds, bookings, registrations, schedule_notices};
use crate::db::{Conn, PageRequest};
use crate::domain::EmailAddress;
use crate::error::{AppError, AppResult};
use crate::schedule::releases::PublishedSession;
use crate::{paged, run};

// ---------------------------------------------------------------------------------------------
// Registrations

/// A registration of an event, or 404.
pub fn find(c: &mut Conn, event_id: i64, id: i64) -> AppResult<RegistrationRow> {
    find_in(c, event_id, By::Id(id))?
        .ok_or_else(|| AppError::not_found(format!("no registration {id} in this event")))
}

pub fn find_by_id(c: &mut Conn, id: i64) -> QueryResult<RegistrationRow> {
    run!(c, |c| registrations::table
        .find(id)
        .select(RegistrationRow::as_select())
        .first(c))
}

/// Which registrations of an event [`of_event`] reads.
pub enum By<'a> {
    Id(i64),
    /// The badge code it holds (normalised: `K7QM-2XHP-…`).
    Badge(&'a str),
    /// The email it was made with (one registration at most).
    Email(&'a EmailAddress),
    /// The longest waiting of the event's waiting list.
    FirstWaitlisted,
    /// Every one, any status, oldest first.
    All,
    /// Those that still hold personal data.
    NotErased,
}

/// The registrations of an event that `by` picks.
pub fn of_event(c: &mut Conn, event_id: i64, by: By) -> QueryResult<Vec<RegistrationRow>> {
    run!(c, |c| {
        let q = registrations::table
            .filter(registrations::event_id.eq(event_id))
            .select(RegistrationRow::as_select())
            .into_boxed();
        match by {
            By::Id(id) => q.filter(registrations::id.eq(id)),
            By::Badge(code) => q.filter(registrations::badge_code.eq(code)),
            By::Email(email) => q.filter(registrations::email.eq(email.as_str())),
            By::FirstWaitlisted => q
                .filter(registrations::status.eq(Status::Waitlisted.as_str()))
                .order((registrations::waitlisted_at.asc(), registrations::id.asc()))
                .limit(1),
            By::All => q.order(registrations::id.asc()),
            By::NotErased => q.filter(registrations::erased_at.is_null()),
        }
        .load(c)
    })
}

/// The first registration of an event that `by` picks, if any.
pub fn find_in(c: &mut Conn, event_id: i64, by: By) -> QueryResult<Option<RegistrationRow>> {
    Ok(of_event(c, event_id, by)?.into_iter().next())
}

/// The `exhibitor_staff` registrations among `ids`, in that order (staff passes: one who
/// registered again on their own is not staff any more).
pub fn staff_registrations(c: &mut Conn, ids: &[i64]) -> QueryResult<Vec<RegistrationRow>> {
    let mut rows: Vec<RegistrationRow> = run!(c, |c| registrations::table
        .filter(registrations::id.eq_any(ids))
        .filter(registrations::category.eq(Category::ExhibitorStaff.as_str()))
        .select(RegistrationRow::as_select())
        .load(c))?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    Ok(rows)
}

/// One page of an event's registrations, filtered and searched (`req.like`), sorted by name
/// or by creation; and how many match.
pub fn page(
    c: &mut Conn,
    event_id: i64,
    req: &PageRequest,
    status: Option<Status>,
    category: Option<Category>,
) -> QueryResult<(Vec<RegistrationRow>, i64)> {
    let sort = req.sort.as_ref().map(|(k, d)| (k.as_str(), *d));
    paged!(
        c,
        req,
        RegistrationRow,
        || {
            let mut q = registrations::table
                .filter(registrations::event_id.eq(event_id))
                .into_boxed();
            if let Some(s) = status {
                q = q.filter(registrations::status.eq(s.as_str()));
            }
            if let Some(cat) = category {
                q = q.filter(registrations::category.eq(cat.as_str()));
            }
            if let Some(like) = &req.like {
                q = q.filter(registrations::search_text.like(like.clone()).escape('\\'));
            }
            q
        },
        |q| match sort {
            Some(("name", false)) => q.order((registrations::name.asc(), registrations::id.asc())),
            Some(("name", true)) => q.order((registrations::name.desc(), registrations::id.desc())),
            Some((_, true)) => q.order(registrations::id.desc()),
            _ => q.order(registrations::id.asc()),
        }
    )
}

/// Confirmed attendees counted against the event's capacity (exhibitor staff do not count).
pub fn count_confirmed(c: &mut Conn, event_id: i64) -> QueryResult<i64> {
    run!(c, |c| registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::status.eq(Status::Confirmed.as_str()))
        .filter(registrations::category.ne(Category::ExhibitorStaff.as_str()))
        .count()
        .get_result(c))
}

/// How many wait for a seat at the fair.
pub fn count_waitlisted(c: &mut Conn, event_id: i64) -> QueryResult<i64> {
    run!(c, |c| registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::status.eq(Status::Waitlisted.as_str()))
        .count()
        .get_result(c))
}

/// A new registration of `p` with a new badge code. `consented`: the person agreed themselves
/// (public registration); organizers' walk-ins and staff passes record no consent.
pub fn insert(
    c: &mut Conn,
    event_id: i64,
    p: &Person,
    status: Status,
    consented: bool,
) -> QueryResult<RegistrationRow> {
    let now = crate::db::now();
    run!(c, |c| diesel::insert_into(registrations::table)
        .values((
            registrations::event_id.eq(event_id),
            registrations::email.eq(Some(p.email.as_str())),
            registrations::name.eq(Some(&p.name)),
            &p.profile,
            registrations::language.eq(p.language.code()),
            registrations::category.eq(p.category.as_str()),
            registrations::status.eq(status.as_str()),
            registrations::badge_code.eq(crate::badges::new_badge_code()),
            registrations::consent_at.eq(consented.then_some(now)),
            registrations::search_text.eq(p.search()),
            registrations::confirmed_at.eq((status == Status::Confirmed).then_some(now)),
            // A pending registration is created by the public form, which sends its link.
            registrations::confirm_sent_at.eq((status == Status::Pending).then_some(now)),
            registrations::created_at.eq(now),
            registrations::updated_at.eq(now),
        ))
        .returning(RegistrationRow::as_returning())
        .get_result(c))
}

pub fn set_status(c: &mut Conn, id: i64, status: Status, now: NaiveDateTime) -> QueryResult<()> {
    run!(c, |c| diesel::update(registrations::table.find(id))
        .set((
            registrations::status.eq(status.as_str()),
            registrations::updated_at.eq(now)
        ))
        .execute(c))?;
    Ok(())
}

/// Records when a registration entered `status` (pending has no such time).
pub fn stamp_status(c: &mut Conn, id: i64, status: Status, at: NaiveDateTime) -> QueryResult<()> {
    let at = Some(at);
    let row = registrations::table.find(id);
    match status {
        Status::Confirmed => run!(c, |c| diesel::update(row)
            .set(registrations::confirmed_at.eq(at))
            .execute(c))?,
        Status::Waitlisted => run!(c, |c| diesel::update(row)
            .set(registrations::waitlisted_at.eq(at))
            .execute(c))?,
        Status::Cancelled => run!(c, |c| diesel::update(row)
            .set(registrations::cancelled_at.eq(at))
            .execute(c))?,
        Status::Pending => 0,
    };
    Ok(())
}

/// Records that an email with a link went out at `at` (it throttles the next one).
pub fn set_confirm_sent(c: &mut Conn, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    run!(c, |c| diesel::update(registrations::table.find(id))
        .set(registrations::confirm_sent_at.eq(Some(at)))
        .execute(c))?;
    Ok(())
}

/// A change of a registration's details: its owner's, an organizer's, or a cancelled
/// registration's registered again (its status is the caller's [`set_status`]).
pub fn update_details(
    c: &mut Conn,
    id: i64,
    change: &DetailsChange,
    now: NaiveDateTime,
) -> QueryResult<()> {
    run!(c, |c| diesel::update(registrations::table.find(id))
        .set((change, registrations::updated_at.eq(now)))
        .execute(c))?;
    Ok(())
}

/// A removed staff member's registration, confirmed again for a new staff pass of `p`.
pub fn restore_staff(c: &mut Conn, id: i64, p: &Person, now: NaiveDateTime) -> QueryResult<()> {
    run!(c, |c| diesel::update(registrations::table.find(id))
        .set((
            registrations::name.eq(Some(&p.name)),
            registrations::search_text.eq(p.search()),
            registrations::language.eq(p.language.code()),
            registrations::status.eq(Status::Confirmed.as_str()),
            registrations::confirmed_at.eq(Some(now)),
            registrations::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// Clears a registration's personal data, leaving it in `status`.
pub fn erase(c: &mut Conn, id: i64, status: Status, now: NaiveDateTime) -> QueryResult<()> {
    run!(c, |c| diesel::update(registrations::table.find(id))
        .set((
            registrations::email.eq(None::<String>),
            registrations::name.eq(None::<String>),
            registrations::organization.eq(None::<String>),
            registrations::job_title.eq(None::<String>),
            registrations::country.eq(None::<String>),
            registrations::phone.eq(None::<String>),
            registrations::search_text.eq(""),
            registrations::status.eq(status.as_str()),
            registrations::erased_at.eq(Some(now)),
            registrations::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Bookings

/// A registration's booking in a session, if it holds one.
pub fn find_booking(
    c: &mut Conn,
    registration_id: i64,
    session_id: i64,
) -> QueryResult<Option<BookingRow>> {
    run!(c, |c| bookings::table
        .filter(bookings::registration_id.eq(registration_id))
        .filter(bookings::session_id.eq(session_id))
        .select(BookingRow::as_select())
        .first(c)
        .optional())
}

/// The session of one of a registration's bookings that overlaps `start`–`end`, if any.
pub fn find_overlapping_booking(
    c: &mut Conn,
    registration_id: i64,
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> QueryResult<Option<i64>> {
    run!(c, |c| bookings::table
        .filter(bookings::registration_id.eq(registration_id))
        .filter(bookings::starts_at.lt(end))
        .filter(bookings::ends_at.gt(start))
        .select(bookings::session_id)
        .first(c)
        .optional())
}

/// A registration's bookings, by start.
pub fn bookings_of(c: &mut Conn, registration_id: i64) -> QueryResult<Vec<BookingRow>> {
    run!(c, |c| bookings::table
        .filter(bookings::registration_id.eq(registration_id))
        .order((bookings::starts_at.asc(), bookings::id.asc()))
        .select(BookingRow::as_select())
        .load(c))
}

/// How many bookings of a session are in `status`.
pub fn count_bookings(c: &mut Conn, session_id: i64, status: BookingStatus) -> QueryResult<i64> {
    run!(c, |c| bookings::table
        .filter(bookings::session_id.eq(session_id))
        .filter(bookings::status.eq(status.as_str()))
        .count()
        .get_result(c))
}

/// Booked and waitlisted counts of each session of the event that has any.
pub fn booking_counts(c: &mut Conn, event_id: i64) -> QueryResult<BTreeMap<i64, (i64, i64)>> {
    let rows: Vec<(i64, String, i64)> = run!(c, |c| bookings::table
        .filter(bookings::event_id.eq(event_id))
        .group_by((bookings::session_id, bookings::status))
        .select((
            bookings::session_id,
            bookings::status,
            diesel::dsl::count_star(),
        ))
        .load(c))?;
    let mut out: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (session, status, n) in rows {
        let entry = out.entry(session).or_default();
        match BookingStatus::parse(&status) {
            BookingStatus::Booked => entry.0 = n,
            BookingStatus::Waitlisted => entry.1 = n,
        }
    }
    Ok(out)
}

/// The attendees holding a seat or a waiting-list place in a session: booked first, each list
/// in booking order.
pub fn booking_holders(
    c: &mut Conn,
    event_id: i64,
    session_id: i64,
) -> QueryResult<Vec<(BookingRow, RegistrationRow)>> {
    let mut rows: Vec<(BookingRow, RegistrationRow)> = run!(c, |c| bookings::table
        .inner_join(registrations::table)
        .filter(bookings::event_id.eq(event_id))
        .filter(bookings::session_id.eq(session_id))
        .order(bookings::id.asc())
        .select((BookingRow::as_select(), RegistrationRow::as_select()))
        .load(c))?;
    rows.sort_by_key(|(b, _)| (b.status() != BookingStatus::Booked, b.id));
    Ok(rows)
}

/// The registrations holding a booking (either status) in a session.
pub fn registrations_in_session(c: &mut Conn, session_id: i64) -> QueryResult<Vec<i64>> {
    run!(c, |c| bookings::table
        .filter(bookings::session_id.eq(session_id))
        .select(bookings::registration_id)
        .load(c))
}

/// A booking of `session` (of the latest release) for a registration, with the session's times.
pub fn insert_booking(
    c: &mut Conn,
    event_id: i64,
    registration_id: i64,
    session: &PublishedSession,
    status: BookingStatus,
) -> QueryResult<()> {
    let now = crate::db::now();
    run!(c, |c| diesel::insert_into(bookings::table)
        .values((
            bookings::event_id.eq(event_id),
            bookings::session_id.eq(session.id),
            bookings::registration_id.eq(registration_id),
            bookings::status.eq(status.as_str()),
            bookings::starts_at.eq(session.starts_at.naive_utc()),
            bookings::ends_at.eq(session.ends_at.naive_utc()),
            bookings::created_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

/// Moves up to `free` waitlisted bookings of a session into seats, first come first served;
/// returns how many moved.
pub fn promote_bookings(c: &mut Conn, session_id: i64, free: i64) -> QueryResult<usize> {
    let next: Vec<i64> = run!(c, |c| bookings::table
        .filter(bookings::session_id.eq(session_id))
        .filter(bookings::status.eq(BookingStatus::Waitlisted.as_str()))
        .order(bookings::id.asc())
        .limit(free)
        .select(bookings::id)
        .load(c))?;
    run!(c, |c| diesel::update(
        bookings::table.filter(bookings::id.eq_any(&next))
    )
    .set(bookings::status.eq(BookingStatus::Booked.as_str()))
    .execute(c))
}

/// Gives a session's bookings the session's new times.
pub fn move_bookings(c: &mut Conn, session: &PublishedSession) -> QueryResult<()> {
    run!(c, |c| diesel::update(
        bookings::table.filter(bookings::session_id.eq(session.id))
    )
    .set((
        bookings::starts_at.eq(session.starts_at.naive_utc()),
        bookings::ends_at.eq(session.ends_at.naive_utc()),
    ))
    .execute(c))?;
    Ok(())
}

pub fn delete_booking(c: &mut Conn, id: i64) -> QueryResult<()> {
    run!(c, |c| diesel::delete(bookings::table.find(id)).execute(c))?;
    Ok(())
}

/// Deletes every booking of a registration.
pub fn delete_bookings_of(c: &mut Conn, registration_id: i64) -> QueryResult<()> {
    run!(c, |c| diesel::delete(
        bookings::table.filter(bookings::registration_id.eq(registration_id))
    )
    .execute(c))?;
    Ok(())
}

/// Deletes every booking of a session (cancelled by a release).
pub fn delete_bookings_in_session(c: &mut Conn, session_id: i64) -> QueryResult<()> {
    run!(c, |c| diesel::delete(
        bookings::table.filter(bookings::session_id.eq(session_id))
    )
    .execute(c))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Agenda feeds

/// Stores a feed token's hash for a registration (once: a second time changes nothing).
pub fn insert_feed(c: &mut Conn, registration_id: i64, token_hash: &str) -> QueryResult<()> {
    let now = crate::db::now();
    run!(c, |c| diesel::insert_into(agenda_feeds::table)
        .values((
            agenda_feeds::token_hash.eq(token_hash),
            agenda_feeds::registration_id.eq(registration_id),
            agenda_feeds::created_at.eq(now),
        ))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(())
}

/// The registration of a feed token's hash, with the hash as stored.
pub fn find_feed(c: &mut Conn, token_hash: &str) -> QueryResult<Option<(i64, String)>> {
    run!(c, |c| agenda_feeds::table
        .filter(agenda_feeds::token_hash.eq(token_hash))
        .select((agenda_feeds::registration_id, agenda_feeds::token_hash))
        .first(c)
        .optional())
}

/// Deletes every feed of a registration.
pub fn delete_feeds(c: &mut Conn, registration_id: i64) -> QueryResult<()> {
    run!(c, |c| diesel::delete(
        agenda_feeds::table.filter(agenda_feeds::registration_id.eq(registration_id))
    )
    .execute(c))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Schedule notices

/// What a release changed in one session, for whom.
pub struct NewNotices<'a> {
    pub event_id: i64,
    pub release_id: i64,
    pub session_id: i64,
    /// `moved`, `changed` or `cancelled`.
    pub change: &'a str,
    pub registration_ids: &'a [i64],
}

/// One notice row per registration of `n`, written 500 at a time; returns how many.
pub fn insert_notices(c: &mut Conn, n: &NewNotices, now: NaiveDateTime) -> QueryResult<usize> {
    let mut written = 0;
    for chunk in n.registration_ids.chunks(500) {
        let rows: Vec<_> = chunk
            .iter()
            .map(|registration_id| {
                (
                    schedule_notices::event_id.eq(n.event_id),
                    schedule_notices::release_id.eq(n.release_id),
                    schedule_notices::registration_id.eq(*registration_id),
                    schedule_notices::session_id.eq(n.session_id),
                    schedule_notices::change.eq(n.change),
                    schedule_notices::created_at.eq(now),
                )
            })
            .collect();
        written += run!(c, |c| diesel::insert_into(schedule_notices::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(written)
}

/// The (event, release, registration) of the oldest `limit` notices.
pub fn oldest_notices(c: &mut Conn, limit: i64) -> QueryResult<Vec<(i64, i64, i64)>> {
    run!(c, |c| schedule_notices::table
        .order(schedule_notices::id.asc())
        .limit(limit)
        .select((
            schedule_notices::event_id,
            schedule_notices::release_id,
            schedule_notices::registration_id,
        ))
        .load(c))
}

/// Deletes a registration's notices of a release and returns their (session, change): the
/// delete decides who owns them, so a concurrent job that took them first leaves none here.
pub fn take_notices(
    c: &mut Conn,
    release_id: i64,
    registration_id: i64,
) -> QueryResult<Vec<(i64, String)>> {
    run!(c, |c| diesel::delete(
        schedule_notices::table
            .filter(schedule_notices::release_id.eq(release_id))
            .filter(schedule_notices::registration_id.eq(registration_id))
    )
    .returning((schedule_notices::session_id, schedule_notices::change))
    .get_results(c))
}
