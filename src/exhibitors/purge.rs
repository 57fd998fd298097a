//! The retention purge of exhibitors (SPEC §8): `privacy.retention_days` after an event's last
//! day, every exhibitor of it whose contact is not yet erased is erased (contact name, email,
//! phone; the company profile stays). Run by each instance's job scheduler (`app/jobs.rs`)
//! with the registrations' purge; erasing twice is harmless.

use chrono::TimeDelta;

use super::{service, store};
use crate::config::Settings;
use crate::db::Db;

/// Erases what is due on `today` (UTC); returns how many exhibitors were erased.
pub fn run(db: &Db, settings: &Settings, today: chrono::NaiveDate) -> anyhow::Result<usize> {
    let cutoff = today - TimeDelta::days(settings.privacy.retention_days as i64);
    crate::events::store::for_each_ended_before(db, cutoff, |c, event| {
        let rows = store::of_event(c, event.id, store::By::NotErased)?;
        for ex in &rows {
            service::erase(c, settings, event, ex)?;
        }
        Ok(rows.len())
    })
}
