//! What every handler can reach, as `web::Data<AppState>`. It lives at the edge, not in the
//! app, so that areas can take it without importing the composition root; it holds only
//! infrastructure (the pool, settings, the rate limiter, the clock, the request counters, the
//! organizer [`Authenticator`] the app gets from `auth`), never an area's type. What the edge
//! reads on every request (the authenticator, the counters, the body's limits in `settings`)
//! is a field here, so the app cannot build the state without it.

use std::sync::Arc;

use crate::clock::Clock;
use crate::config::Settings;
use crate::db::{Backend, Db};

use super::identity::Authenticator;
use super::rate_limit::RateLimiter;
use super::telemetry::Metrics;

pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub limiter: RateLimiter,
    pub clock: Arc<Clock>,
    pub authenticator: Arc<dyn Authenticator>,
    pub metrics: Metrics,
}

impl AppState {
    pub fn db_backend_name(&self) -> &'static str {
        match self.db.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}
