//! The fair itself and its rooms: creating and editing an event (draft → published), its days,
//! daily hours, languages and capacity, and the rooms sessions are scheduled in.
//!
//! A draft event is invisible to the public (404, as if it did not exist); organizers with the
//! viewer role or above see every event.

pub mod handlers;
pub mod model;
pub mod queries;
pub mod rooms;

pub use model::Event;
