//! The time as the application sees it. Normally the system clock; tests pin it to check
//! behaviour that depends on the day (check-in on a fair day and outside it).

use std::sync::Mutex;

use chrono::{DateTime, Utc};

#[derive(Default)]
pub struct Clock {
    fixed: Mutex<Option<DateTime<Utc>>>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed
            .lock()
            .ok()
            .and_then(|f| *f)
            .unwrap_or_else(Utc::now)
    }

    /// Pins the clock (`None` returns to the system clock).
    pub fn set(&self, at: Option<DateTime<Utc>>) {
        if let Ok(mut f) = self.fixed.lock() {
            *f = at;
        }
    }
}
