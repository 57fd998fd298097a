//! The fair itself: creating and editing an event (draft → published), its days, daily hours,
//! languages and capacity, and its audit log. Other areas hang off an event; when its days,
//! hours or capacity change they check or react through [`hooks`], in the same transaction.
//!
//! A draft event is invisible to the public (404, as if it did not exist); organizers with the
//! viewer role or above see every event.

pub mod children;
pub mod console;
pub mod handlers;
pub mod hooks;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

pub use hooks::{Edit, EventChange, Hooks};
pub use model::Event;

/// The events API and the front page.
pub fn routes(r: &mut crate::web::routes::Routes) {
    handlers::routes(r);
    pages::routes(r);
    console::routes(r);
}
