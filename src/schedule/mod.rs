//! The programme: rooms, tracks, speakers, sessions (the organizers' working copy), the conflict rules
//! of SPEC §5 checked inside each write transaction, and schedule releases — published
//! snapshots of the working copy, with their diff from the previous release. The public reads
//! only the latest release.

pub mod cache;
pub mod changes;
pub mod conflicts;
pub mod console;
pub mod console_releases;
pub mod console_sessions;
pub mod console_setup;
pub mod downloads;
pub mod exports;
pub mod hooks;
pub mod import;
pub mod model;
pub mod overview;
pub mod pages;
pub mod publishing;
pub mod releases;
pub mod rooms;
pub mod sessions;
pub mod speakers;
pub mod store;
pub mod tracks;
pub mod working_copy;

/// The programme's routes: its public reads first (the hottest), then its editing.
pub fn routes(r: &mut crate::web::routes::Routes) {
    sessions::routes(r);
    publishing::routes(r);
    pages::routes(r);
    downloads::routes(r);
    rooms::routes(r);
    tracks::routes(r);
    speakers::routes(r);
    conflicts::routes(r);
    releases::routes(r);
    import::routes(r);
    console::routes(r);
    console_sessions::routes(r);
    console_releases::routes(r);
    console_setup::routes(r);
}
