//! Salon: the registration and scheduling backend of a two-day international trade fair.
//!
//! The crate is a library with a thin binary (`src/main.rs`) so that the integration tests in
//! `tests/api` drive the real application. Dependencies run one way, and
//! `tests/api/architecture.rs` fails the build of any import against it:
//!
//! - leaves: `domain/` (pure types and rules), `clock`, `config`, `crypto` (tokens and hashes),
//!   `error` (one `AppError`, rendered as problem+json), `badges/` (badge codes and QR codes),
//!   `calendar/` (iCalendar, frab XML and c3voc JSON, written and read);
//! - `db/`: the two backends, write transactions, paging, migrations, schema;
//! - `web/`: the HTTP edge toolkit every area uses (state, identity, extractors, lists, CSRF,
//!   rate limits, telemetry, the page renderer) — it imports no area;
//! - the areas, each a folder, lower ones first: `audit/`, `events/` (the fair), `email/`
//!   (outbox, sender, templates), `auth/` (organizer accounts, tokens, the team and its
//!   invitations by email), `schedule/` (rooms,
//!   tracks, speakers, sessions, conflicts, releases, the programme page), `registrations/`
//!   (attendees), `exhibitors/` (booths, applications, staff passes), `checkin/`, `demo/`;
//! - `app/`: the composition root, the only importer of every area (routes, OpenAPI document,
//!   jobs).

pub mod app;
pub mod audit;
pub mod auth;
pub mod badges;
pub mod calendar;
pub mod checkin;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod db;
pub mod demo;
pub mod domain;
pub mod email;
pub mod error;
pub mod events;
pub mod exhibitors;
pub mod meetings;
pub mod registrations;
pub mod schedule;
pub mod web;
pub mod webhooks;

pub use app::Application;
pub use config::Settings;
