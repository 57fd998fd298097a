//! The retention purge of exhibitors (SPEC §8): `privacy.retention_days` after an event's last
//! day, every exhibitor of it whose contact is not yet erased is erased (contact name, email,
//! phone; the company profile stays). Run by each instance's job scheduler (`app/jobs.rs`)
//! with the registrations' purge; erasing twice is harmless.

use chrono::TimeDelta;
use diesel::prelude::*;

use super::model::ExhibitorRow;
use super::service;
use crate::config::Settings;
use crate::db::schema::exhibitors;
use crate::db::Db;
use crate::run;

/// Erases what is due on `today` (UTC); returns how many exhibitors were erased.
pub fn run(db: &Db, settings: &Settings, today: chrono::NaiveDate) -> anyhow::Result<usize> {
    let cutoff = today - TimeDelta::days(settings.privacy.retention_days as i64);
    crate::events::queries::for_each_ended_before(db, cutoff, |c, event| {
        let rows: Vec<ExhibitorRow> = run!(c, |c| exhibitors::table
            .filter(exhibitors::event_id.eq(event.id))
            .filter(exhibitors::erased_at.is_null())
            .select(ExhibitorRow::as_select())
            .load(c))?;
        for ex in &rows {
            service::erase(c, settings, event, ex)?;
        }
        Ok(rows.len())
    })
}
