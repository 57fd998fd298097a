//! Every route of the application, composed from the areas. Each area registers its own routes
//! with their OpenAPI paths (`web::routes`), so this lists areas, never paths: a new route is
//! one line in its area's edge file, next to its handler.
//!
//! actix tries resources in the order they were added, so the areas whose public reads are the
//! hottest — the programme and what its visitors' calendars poll, then registration — come
//! first (throughput in `bench/README.md`).

use crate::web::routes::Routes;
use crate::{
    audit, auth, checkin, email, events, exhibitors, meetings, registrations, schedule, webhooks,
};

/// Every route, in the order actix tries them.
pub fn all() -> Routes {
    let mut r = Routes::default();
    crate::web::health::routes(&mut r);
    crate::web::assets::routes(&mut r);
    schedule::routes(&mut r);
    registrations::routes(&mut r);
    exhibitors::routes(&mut r);
    meetings::routes(&mut r);
    events::routes(&mut r);
    checkin::routes(&mut r);
    email::routes(&mut r);
    webhooks::routes(&mut r);
    auth::routes(&mut r);
    audit::routes(&mut r);
    super::openapi::routes(&mut r);
    r
}

/// Mounts [`all`] in a worker.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    all().mount(cfg);
}
