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
    pub booked: BTreeSet<i64>,
    pub waitlisted: BTreeSet<i64>,
}

pub trait Seats: Send + Sync {
    /// The seats of the confirmed attendee whose seat cookie (the [`VISITOR_COOKIE`]) is
    /// `cookie`, in `event_id`; None for a cookie the server did not sign, another event's
    /// attendee, or one who may not book.
    fn of_visitor(
        &self,
        c: &mut Conn,
        event_id: i64,
        cookie: &str,
    ) -> AppResult<Option<VisitorSeats>>;
}

/// The cookie that tells the fair's pages which attendee is visiting: their registration's id
/// signed with the server's key (it reads their seats and books or leaves, nothing more; not
/// the agenda feed token, which calendar providers hold), set by their page `/r/{token}` for
/// the browser session when the browser remembers no one yet — or by that page's button when
/// it remembers someone else: a GET never replaces it — for the whole site (HttpOnly,
/// SameSite=Lax). The book / leave forms post to `/events/{slug}/bookings`.
pub const VISITOR_COOKIE: &str = "salon_attendee";
