//! Salon's integration tests: one binary, driving the real application over HTTP.
//! Set SALON_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432 to run them on PostgreSQL.

mod architecture;
mod auth;
mod backup;
mod bookings;
mod console;
mod copy;
mod email;
mod errors;
mod events;
mod exhibitors;
mod exports;
mod group;
mod hardening;
mod helpers;
mod meetings;
mod openapi;
mod programme;
mod property;
mod race;
mod registrations;
mod releases;
mod schema_drift;
mod sessions;
mod smtp;
mod two_factor;
mod webhooks;
