//! What every handler can reach, as `web::Data<AppState>`. It lives at the edge, not in the
//! app, so that areas can take it without importing the composition root; it holds only
//! infrastructure (the pool, settings, the rate limiter, the clock), never an area's type.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{Backend, Db};

use super::rate_limit::RateLimiter;

pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub limiter: RateLimiter,
    pub clock: Arc<Clock>,
}

impl AppState {
    pub fn db_backend_name(&self) -> &'static str {
        match self.db.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}
