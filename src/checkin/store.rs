//! The queries of the check-ins table.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::checkins;
use crate::db::Conn;
use crate::run;

/// A first scan of a badge on a fair day.
#[derive(Insertable)]
#[diesel(table_name = checkins)]
pub struct NewCheckin<'a> {
    pub event_id: i64,
    pub registration_id: i64,
    pub day: NaiveDate,
    pub category: &'a str,
    pub scanned_at: NaiveDateTime,
    pub scanned_by: Option<i64>,
}

/// When a registration's badge was first scanned on `day`, if it was.
pub fn first_scan(
    c: &mut Conn,
    registration_id: i64,
    day: NaiveDate,
) -> QueryResult<Option<NaiveDateTime>> {
    run!(c, |c| checkins::table
        .filter(checkins::registration_id.eq(registration_id))
        .filter(checkins::day.eq(day))
        .select(checkins::scanned_at)
        .first(c)
        .optional())
}

pub fn insert(c: &mut Conn, scan: &NewCheckin) -> QueryResult<()> {
    run!(c, |c| diesel::insert_into(checkins::table)
        .values(scan)
        .execute(c))?;
    Ok(())
}

/// Arrivals of an event per day and category, in that order.
pub fn counts(c: &mut Conn, event_id: i64) -> QueryResult<Vec<(NaiveDate, String, i64)>> {
    run!(c, |c| checkins::table
        .filter(checkins::event_id.eq(event_id))
        .group_by((checkins::day, checkins::category))
        .select((checkins::day, checkins::category, diesel::dsl::count_star()))
        .order((checkins::day.asc(), checkins::category.asc()))
        .load(c))
}
