//! Salon: the registration and scheduling backend of a two-day international trade fair.
//!
//! The crate is a library with a thin binary (`src/main.rs`) so that the integration tests in
//! `tests/api` drive the real application. Each product area has its folder: `events/` (the fair
//! and its rooms), `schedule/` (tracks, speakers, sessions, conflicts, releases), `registrations/`
//! (attendees), `exhibitors/` (booths, applications, staff passes), `checkin/`, `email/`
//! (outbox, worker, templates), `badges/`, `auth/`
//! (organizer accounts and tokens), `audit/`; `domain/` holds the pure rules, `db/` the two
//! backends, `web/` the HTTP edge.

pub mod app;
pub mod audit;
pub mod auth;
pub mod badges;
pub mod checkin;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod email;
pub mod error;
pub mod events;
pub mod exhibitors;
pub mod registrations;
pub mod schedule;
pub mod web;

pub use app::Application;
pub use config::Settings;
