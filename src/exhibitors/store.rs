//! Every query of the exhibitors' tables: `exhibitors`, `booths` and `staff_passes`. The rules
//! (which status may follow which, who may hold a booth, what erasure blanks) are the
//! service's; these functions only read and write what they are given.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{
    normalize_code, Application, BoothForm, BoothRow, ExhibitorRow, PaymentStatus, Status,
};
use crate::db::schema::{booths, exhibitors, staff_passes};
use crate::db::{Conn, PageRequest};
use crate::error::{AppError, AppResult};
use crate::run;

// ---------------------------------------------------------------------------------------------
// Exhibitors

/// The event's exhibitor `id`, or 404.
pub fn find(c: &mut Conn, event_id: i64, id: i64) -> AppResult<ExhibitorRow> {
    find_in(c, event_id, By::Id(id))?
        .ok_or_else(|| AppError::not_found(format!("no exhibitor {id} in this event")))
}

pub fn find_by_id(c: &mut Conn, id: i64) -> QueryResult<ExhibitorRow> {
    run!(c, |c| exhibitors::table
        .find(id)
        .select(ExhibitorRow::as_select())
        .first(c))
}

/// Which exhibitors of an event [`of_event`] reads.
pub enum By<'a> {
    Id(i64),
    /// The email it applied with (one application at most).
    Email(&'a str),
    /// Those whose contact is not erased yet (the retention purge).
    NotErased,
    /// The approved ones by company name (the public directory).
    Approved,
}

/// The exhibitors of an event that `by` picks.
pub fn of_event(c: &mut Conn, event_id: i64, by: By) -> QueryResult<Vec<ExhibitorRow>> {
    run!(c, |c| {
        let q = exhibitors::table
            .filter(exhibitors::event_id.eq(event_id))
            .select(ExhibitorRow::as_select())
            .into_boxed();
        match by {
            By::Id(id) => q.filter(exhibitors::id.eq(id)),
            By::Email(email) => q.filter(exhibitors::email.eq(email)),
            By::NotErased => q.filter(exhibitors::erased_at.is_null()),
            By::Approved => q
                .filter(exhibitors::status.eq(Status::Approved.as_str()))
                .order((exhibitors::company_name.asc(), exhibitors::id.asc())),
        }
        .load(c)
    })
}

/// The exhibitor of an event that `by` picks, if any.
pub fn find_in(c: &mut Conn, event_id: i64, by: By) -> QueryResult<Option<ExhibitorRow>> {
    Ok(of_event(c, event_id, by)?.into_iter().next())
}

/// Stores a new application, `pending` and `unpaid`, consent given `now`; its id.
pub fn insert(
    c: &mut Conn,
    event_id: i64,
    a: &Application,
    search_text: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    run!(c, |c| diesel::insert_into(exhibitors::table)
        .values((
            exhibitors::event_id.eq(event_id),
            &a.profile,
            exhibitors::email.eq(a.email.as_str()),
            exhibitors::booth_kind.eq(a.booth_kind.as_str()),
            exhibitors::booth_area_m2.eq(a.booth_area_m2),
            exhibitors::language.eq(a.language.code()),
            exhibitors::status.eq(Status::Pending.as_str()),
            exhibitors::payment_status.eq(PaymentStatus::Unpaid.as_str()),
            exhibitors::consent_at.eq(now),
            exhibitors::search_text.eq(search_text),
            exhibitors::created_at.eq(now),
            exhibitors::updated_at.eq(now),
        ))
        .returning(exhibitors::id)
        .get_result::<i64>(c))
}

/// One page of the event's exhibitors, of `status` if given, whose search text is `like` if
/// given; sorted by `req.sort` (`company_name`, else creation), and the count of all that match.
pub fn page(
    c: &mut Conn,
    event_id: i64,
    req: &PageRequest,
    status: Option<Status>,
    like: Option<&str>,
) -> QueryResult<(Vec<ExhibitorRow>, i64)> {
    let sort = req.sort.as_ref().map(|(k, d)| (k.as_str(), *d));
    crate::paged!(
        c,
        req,
        ExhibitorRow,
        || {
            let mut q = exhibitors::table
                .filter(exhibitors::event_id.eq(event_id))
                .into_boxed();
            if let Some(s) = status {
                q = q.filter(exhibitors::status.eq(s.as_str()));
            }
            if let Some(like) = like {
                q = q.filter(exhibitors::search_text.like(like.to_string()).escape('\\'));
            }
            q
        },
        |q| match sort {
            Some(("company_name", false)) => {
                q.order((exhibitors::company_name.asc(), exhibitors::id.asc()))
            }
            Some(("company_name", true)) => {
                q.order((exhibitors::company_name.desc(), exhibitors::id.desc()))
            }
            Some((_, true)) => q.order(exhibitors::id.desc()),
            _ => q.order(exhibitors::id.asc()),
        }
    )
}

pub fn set_status(c: &mut Conn, id: i64, status: Status) -> QueryResult<()> {
    run!(c, |c| diesel::update(exhibitors::table.find(id))
        .set((
            exhibitors::status.eq(status.as_str()),
            exhibitors::updated_at.eq(crate::db::now())
        ))
        .execute(c))?;
    Ok(())
}

/// Notes when the last confirmation (or "already applied") email went out.
pub fn set_confirm_sent(c: &mut Conn, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    run!(c, |c| diesel::update(exhibitors::table.find(id))
        .set(exhibitors::confirm_sent_at.eq(Some(at)))
        .execute(c))?;
    Ok(())
}

/// Gives the exhibitor a booth, or frees the one it held (`None`).
pub fn set_booth(c: &mut Conn, id: i64, booth_id: Option<i64>) -> QueryResult<()> {
    run!(c, |c| diesel::update(exhibitors::table.find(id))
        .set((
            exhibitors::booth_id.eq(booth_id),
            exhibitors::updated_at.eq(crate::db::now())
        ))
        .execute(c))?;
    Ok(())
}

pub fn set_rejection_reason(c: &mut Conn, id: i64, reason: &str) -> QueryResult<()> {
    run!(c, |c| diesel::update(exhibitors::table.find(id))
        .set(exhibitors::rejection_reason.eq(Some(reason)))
        .execute(c))?;
    Ok(())
}

pub fn set_payment(c: &mut Conn, id: i64, payment: PaymentStatus) -> QueryResult<()> {
    run!(c, |c| diesel::update(exhibitors::table.find(id))
        .set((
            exhibitors::payment_status.eq(payment.as_str()),
            exhibitors::updated_at.eq(crate::db::now())
        ))
        .execute(c))?;
    Ok(())
}

/// Writes the profile the exhibitor edits (company, contact, phone, website, country, sector,
/// description, language and the search text made of them) from `ex`.
pub fn update_profile(c: &mut Conn, ex: &ExhibitorRow) -> QueryResult<()> {
    run!(c, |c| diesel::update(exhibitors::table.find(ex.id))
        .set((
            &ex.profile,
            exhibitors::language.eq(&ex.language),
            exhibitors::search_text.eq(&ex.search_text),
            exhibitors::updated_at.eq(crate::db::now()),
        ))
        .execute(c))?;
    Ok(())
}

/// Blanks the contact (name and phone; `email` stands in for the address) and marks the
/// exhibitor erased `now`.
pub fn erase_contact(
    c: &mut Conn,
    id: i64,
    email: &str,
    search_text: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    run!(c, |c| diesel::update(exhibitors::table.find(id))
        .set((
            exhibitors::contact_name.eq(""),
            exhibitors::email.eq(email),
            exhibitors::phone.eq(None::<String>),
            exhibitors::search_text.eq(search_text),
            exhibitors::erased_at.eq(Some(now)),
            exhibitors::updated_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Staff passes

/// The registration ids of the exhibitor's staff passes, oldest first.
pub fn staff_of(c: &mut Conn, exhibitor_id: i64) -> QueryResult<Vec<i64>> {
    run!(c, |c| staff_passes::table
        .filter(staff_passes::exhibitor_id.eq(exhibitor_id))
        .order(staff_passes::id.asc())
        .select(staff_passes::registration_id)
        .load(c))
}

pub fn insert_staff(c: &mut Conn, exhibitor_id: i64, registration_id: i64) -> QueryResult<()> {
    run!(c, |c| diesel::insert_into(staff_passes::table)
        .values((
            staff_passes::exhibitor_id.eq(exhibitor_id),
            staff_passes::registration_id.eq(registration_id),
            staff_passes::created_at.eq(crate::db::now()),
        ))
        .execute(c))?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Booths

/// The event's booth `id`, or 404.
pub fn find_booth(c: &mut Conn, event_id: i64, id: i64) -> AppResult<BoothRow> {
    run!(c, |c| booths::table
        .filter(booths::event_id.eq(event_id))
        .filter(booths::id.eq(id))
        .select(BoothRow::as_select())
        .first(c)
        .optional())?
    .ok_or_else(|| AppError::not_found(format!("no booth {id} in this event")))
}

/// The event's booth of `code`, in any case (`b12` is `B12`).
pub fn find_booth_by_code(
    c: &mut Conn,
    event_id: i64,
    code: &str,
) -> QueryResult<Option<BoothRow>> {
    let code = normalize_code(code);
    run!(c, |c| booths::table
        .filter(booths::event_id.eq(event_id))
        .filter(booths::code.eq(&code))
        .select(BoothRow::as_select())
        .first(c)
        .optional())
}

/// Every booth of the event, in creation order.
pub fn booths_of(c: &mut Conn, event_id: i64) -> QueryResult<Vec<BoothRow>> {
    run!(c, |c| booths::table
        .filter(booths::event_id.eq(event_id))
        .order(booths::id.asc())
        .select(BoothRow::as_select())
        .load(c))
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// One page of the event's booths (only those no exhibitor holds when `only_available`), whose
/// code or hall is `req.like` if given; sorted by `req.sort` (`code`, else creation), and the
/// count of all that match.
pub fn booths_page(
    c: &mut Conn,
    event_id: i64,
    req: &PageRequest,
    only_available: bool,
) -> QueryResult<(Vec<BoothRow>, i64)> {
    let sort = req.sort.as_ref().map(|(k, d)| (k.as_str(), *d));
    crate::paged!(
        c,
        req,
        BoothRow,
        || {
            let mut q = booths::table
                .filter(booths::event_id.eq(event_id))
                .into_boxed();
            if only_available {
                let held = exhibitors::table
                    .filter(exhibitors::booth_id.is_not_null())
                    .select(exhibitors::booth_id);
                q = q.filter(diesel::dsl::not(booths::id.nullable().eq_any(held)));
            }
            if let Some(like) = &req.like {
                q = q.filter(
                    lower(booths::code)
                        .like(like.clone())
                        .escape('\\')
                        .or(lower(booths::hall).like(like.clone()).escape('\\')),
                );
            }
            q
        },
        |q| match sort {
            Some(("code", false)) => q.order((booths::code.asc(), booths::id.asc())),
            Some(("code", true)) => q.order((booths::code.desc(), booths::id.desc())),
            Some((_, true)) => q.order(booths::id.desc()),
            _ => q.order(booths::id.asc()),
        }
    )
}

/// The exhibitor holding the booth, if any.
pub fn find_booth_holder(c: &mut Conn, booth_id: i64) -> QueryResult<Option<i64>> {
    run!(c, |c| exhibitors::table
        .filter(exhibitors::booth_id.eq(booth_id))
        .select(exhibitors::id)
        .first(c)
        .optional())
}

/// The exhibitor holding each held booth of the event, by booth id.
pub fn booth_holders(c: &mut Conn, event_id: i64) -> QueryResult<BTreeMap<i64, i64>> {
    let rows: Vec<(i64, Option<i64>)> = run!(c, |c| exhibitors::table
        .filter(exhibitors::event_id.eq(event_id))
        .filter(exhibitors::booth_id.is_not_null())
        .select((exhibitors::id, exhibitors::booth_id))
        .load(c))?;
    Ok(rows
        .into_iter()
        .filter_map(|(e, b)| Some((b?, e)))
        .collect())
}

/// Stores a checked booth; its id.
pub fn insert_booth(c: &mut Conn, event_id: i64, form: &BoothForm) -> QueryResult<i64> {
    run!(c, |c| diesel::insert_into(booths::table)
        .values((
            form.clone(),
            booths::event_id.eq(event_id),
            booths::created_at.eq(crate::db::now())
        ))
        .returning(booths::id)
        .get_result::<i64>(c))
}

pub fn update_booth(c: &mut Conn, id: i64, form: &BoothForm) -> QueryResult<()> {
    run!(c, |c| diesel::update(booths::table.find(id))
        .set(form.clone())
        .execute(c))?;
    Ok(())
}

pub fn delete_booth(c: &mut Conn, id: i64) -> QueryResult<()> {
    run!(c, |c| diesel::delete(booths::table.find(id)).execute(c))?;
    Ok(())
}

/// How many meetings the exhibitor holds at once at its booth (SPEC §4.4).
pub fn meeting_tables(c: &mut Conn, id: i64) -> QueryResult<i32> {
    run!(c, |c| exhibitors::table
        .find(id)
        .select(exhibitors::meeting_tables)
        .first(c))
}

pub fn set_meeting_tables(c: &mut Conn, id: i64, tables: i32) -> QueryResult<()> {
    run!(c, |c| diesel::update(exhibitors::table.find(id))
        .set(exhibitors::meeting_tables.eq(tables))
        .execute(c))?;
    Ok(())
}
