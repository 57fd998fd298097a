//! Webhooks (SPEC §4.5): the fair's other systems — a CRM, a mailing tool, a badge printer —
//! learn what happened without polling. An admin registers endpoints per fair with the event
//! types they receive; each change of those types queues a delivery in its own transaction
//! ([`emit`]), and the sender (`sender.rs`, on every instance) POSTs it, signed as the
//! Standard Webhooks specification says (`signature.rs`), retrying with backoff and jitter for
//! up to `webhooks.give_up_after`. Endpoints must resolve to public addresses (`target.rs`)
//! unless `webhooks.allow_private`.
//!
//! Files: `model.rs` (types), `store.rs` (queries), `service.rs` (rules), `signature.rs`,
//! `target.rs`, `sender.rs`, `http.rs` (the admins' API) and `console.rs` (their page).

pub mod console;
pub mod http;
pub mod model;
pub mod sender;
pub mod service;
pub mod signature;
pub mod store;
pub mod target;

pub use model::{EventType, Subject};
pub use service::emit;

pub fn routes(r: &mut crate::web::routes::Routes) {
    http::routes(r);
    console::routes(r);
}
