//! Exhibitors, the fair's customers: booths, applications confirmed by email, the organizers'
//! review and booth assignment, the exhibitor's self-service with the `sle_` token (profile,
//! withdrawal, staff passes), the public directory, and the console's review (`console.rs`).

pub mod booths;
pub mod console;
pub mod http;
pub mod model;
pub mod pages;
pub mod purge;
pub mod review;
pub mod self_service;
pub mod service;
pub mod store;

/// Exhibitors' routes: the public directory and forms, then the API (booths, applying, the
/// organizers' review, the exhibitor's own).
pub fn routes(r: &mut crate::web::routes::Routes) {
    pages::routes(r);
    booths::routes(r);
    http::routes(r);
    review::routes(r);
    self_service::routes(r);
    console::routes(r);
}
