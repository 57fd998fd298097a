//! The retention purge (SPEC §8): `privacy.retention_days` after an event's last day, every
//! registration of it that still holds personal data is erased. Run once an hour by each
//! instance's job scheduler (`app/jobs.rs`); erasing twice is harmless.

use chrono::TimeDelta;

use super::{service, store};
use crate::config::Settings;
use crate::db::Db;

/// Erases what is due on `today` (UTC); returns how many registrations were erased.
pub fn run(db: &Db, settings: &Settings, today: chrono::NaiveDate) -> anyhow::Result<usize> {
    let cutoff = today - TimeDelta::days(settings.privacy.retention_days as i64);
    crate::events::store::for_each_ended_before(db, cutoff, |c, event| {
        let rows = store::of_event(c, event.id, store::By::NotErased)?;
        for r in &rows {
            service::erase(c, settings, event, r)?;
        }
        Ok(rows.len())
    })
}
