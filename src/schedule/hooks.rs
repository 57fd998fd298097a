//! Where the programme's pages reach the attendees' side without importing it (registrations
//! import the programme, not the other way round): [`Seats`] says which released sessions the
//! visitor of a page holds a seat in, when they came through their manage link, so that the
//! programme can show book / leave buttons. The app hands it to the pages as `web::Data`.
//! (What a release does to bookings is `releases::Released`.)

use std::collections::BTreeSet;

use crate::db::Conn;
use crate::error::AppResult;

/// The seats of the attendee visiting a programme page.
#[derive(Debug, Clone, Default)]
pub struct VisitorSeats {
    /// Their manage token: the book / leave forms post to `/r/{token}/bookings`.
    pub token: String,
    pub booked: BTreeSet<i64>,
    pub waitlisted: BTreeSet<i64>,
}

pub trait Seats: Send + Sync {
    /// The seats of the confirmed attendee whose manage token is `token`, in `event_id`; None
    /// for an unknown token, another event's attendee, or one who may not book.
    fn of_visitor(
        &self,
        c: &mut Conn,
        event_id: i64,
        token: &str,
    ) -> AppResult<Option<VisitorSeats>>;
}

/// The cookie that carries an attendee's manage token to the programme's pages, set by their
/// page `/r/{token}` with the path `/events/{slug}` (HttpOnly, SameSite=Lax).
pub const VISITOR_COOKIE: &str = "salon_attendee";
