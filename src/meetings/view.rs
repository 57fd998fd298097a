//! A meeting as the API shows it ([`MeetingOut`]): to its attendee, without the attendee block;
//! to the exhibitor, the organizers and the fair's webhooks, with it.

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{MeetingRow, MeetingStatus};
use crate::db::Conn;
use crate::error::AppResult;
use crate::events::Event;

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingExhibitor {
    pub id: i64,
    pub company_name: String,
    pub booth_code: Option<String>,
}

/// The attendee, as the exhibitor and the organizers see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingAttendee {
    pub name: String,
    pub organization: Option<String>,
    pub job_title: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingOut {
    pub id: i64,
    pub status: MeetingStatus,
    pub starts_at: DateTime<FixedOffset>,
    pub ends_at: DateTime<FixedOffset>,
    pub exhibitor: MeetingExhibitor,
    /// Shown to the exhibitor and the organizers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attendee: Option<MeetingAttendee>,
    pub message: String,
    /// The exhibitor's staff member who receives the attendee, once named.
    pub host: Option<String>,
    /// When a pending request lapses unanswered.
    pub expires_at: Option<DateTime<FixedOffset>>,
    /// `attendee`, `exhibitor` or `organizer`, when cancelled.
    pub cancelled_by: Option<String>,
}

/// Who reads a meeting: the attendee sees no attendee block (it is them).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Attendee,
    Other,
}

pub fn out(
    c: &mut Conn,
    event: &Event,
    m: &MeetingRow,
    reader: Reader,
    now: NaiveDateTime,
) -> AppResult<MeetingOut> {
    let ex = crate::exhibitors::store::find_by_id(c, m.exhibitor_id)?;
    let booth_code = match ex.booth_id {
        Some(id) => Some(
            crate::exhibitors::store::find_booth(c, event.id, id)?
                .form
                .code,
        ),
        None => None,
    };
    let attendee = if reader == Reader::Other {
        let reg = crate::registrations::store::find_by_id(c, m.registration_id)?;
        Some(MeetingAttendee {
            name: reg.name.unwrap_or_default(),
            organization: reg.organization,
            job_title: reg.job_title,
        })
    } else {
        None
    };
    let host = match m.host_registration_id {
        Some(id) => crate::registrations::store::find_by_id(c, id)?.name,
        None => None,
    };
    let status = m.status_at(now);
    Ok(MeetingOut {
        id: m.id,
        status,
        starts_at: event.local(m.starts_at),
        ends_at: event.local(m.ends_at),
        exhibitor: MeetingExhibitor {
            id: ex.id,
            company_name: ex.profile.company_name,
            booth_code,
        },
        attendee,
        message: m.message.clone(),
        host,
        expires_at: (status == MeetingStatus::Pending).then(|| event.local(m.expires_at)),
        cancelled_by: m.cancelled_by.clone(),
    })
}

pub fn outs(
    c: &mut Conn,
    event: &Event,
    rows: &[MeetingRow],
    reader: Reader,
    now: NaiveDateTime,
) -> AppResult<Vec<MeetingOut>> {
    rows.iter().map(|m| out(c, event, m, reader, now)).collect()
}
