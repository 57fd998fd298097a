//! Email: the outbox written in each change's transaction, the worker that sends it, the
//! transports, the templates (built-in files and organizers' overrides) and the organizers'
//! routes to watch the outbox and override texts.

pub mod handlers;
pub mod ics;
mod kind;
pub mod outbox;
pub mod templates;
pub mod transport;
pub mod worker;

pub use kind::{EmailKind, COMMON_VARIABLES};
pub use outbox::{enqueue, Attachment, NewEmail};
