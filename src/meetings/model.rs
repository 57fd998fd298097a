//! The meetings area's types: a fair's meeting settings (blocks, slot length, request rules),
//! a meeting as stored and as the API shows it, and its status.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::meetings;
use crate::events::Event;

/// Where a meeting stands. A pending request holds its table until it is answered or its
/// `expires_at` passes; an accepted meeting holds it for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Pending,
    Accepted,
    Declined,
    Cancelled,
    Expired,
}

impl MeetingStatus {
    pub const ALL: [MeetingStatus; 5] = [
        MeetingStatus::Pending,
        MeetingStatus::Accepted,
        MeetingStatus::Declined,
        MeetingStatus::Cancelled,
        MeetingStatus::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MeetingStatus::Pending => "pending",
            MeetingStatus::Accepted => "accepted",
            MeetingStatus::Declined => "declined",
            MeetingStatus::Cancelled => "cancelled",
            MeetingStatus::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> MeetingStatus {
        MeetingStatus::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .unwrap_or(MeetingStatus::Cancelled)
    }
}

impl std::fmt::Display for MeetingStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = meetings)]
pub struct MeetingRow {
    pub id: i64,
    pub event_id: i64,
    pub exhibitor_id: i64,
    pub registration_id: i64,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub status: String,
    pub message: String,
    pub host_registration_id: Option<i64>,
    pub expires_at: NaiveDateTime,
    /// When the exhibitor accepted it (its calendar entry exists from then on).
    pub accepted_at: Option<NaiveDateTime>,
    /// `attendee`, `exhibitor` or `organizer`, once cancelled.
    pub cancelled_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl MeetingRow {
    /// Its status as of `now`: a pending request past its `expires_at` is expired, whether or
    /// not the expiry job has written it yet.
    pub fn status_at(&self, now: NaiveDateTime) -> MeetingStatus {
        match MeetingStatus::parse(&self.status) {
            MeetingStatus::Pending if self.expires_at <= now => MeetingStatus::Expired,
            s => s,
        }
    }
}

/// One block of meeting slots on a fair day, in the fair's local time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Block {
    #[schema(value_type = String, format = Date, example = "2027-04-12")]
    pub day: NaiveDate,
    #[schema(value_type = String, example = "10:00", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "clock")]
    pub starts: NaiveTime,
    #[schema(value_type = String, example = "12:30", pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    #[serde(with = "clock")]
    pub ends: NaiveTime,
}

/// `HH:MM` in JSON.
mod clock {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&t.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(d)?;
        crate::events::model::ClockTime::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A fair's meeting settings (SPEC §4.4). Until an organizer saves them a fair has no blocks,
/// so no slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingSettings {
    pub blocks: Vec<Block>,
    pub slot_minutes: i32,
    pub requests_open: bool,
    pub request_ttl: TimeDelta,
    pub max_pending: i32,
    pub reminder_hour: i32,
}

impl Default for MeetingSettings {
    fn default() -> MeetingSettings {
        MeetingSettings {
            blocks: Vec::new(),
            slot_minutes: 20,
            requests_open: true,
            request_ttl: TimeDelta::hours(48),
            max_pending: 10,
            reminder_hour: 17,
        }
    }
}

/// One slot: its start and end, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot {
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

impl MeetingSettings {
    /// Every slot of every block, in order: from each block's start, `slot_minutes` long,
    /// the last ending at the block's end at the latest.
    pub fn slots(&self, event: &Event) -> Vec<Slot> {
        let length = TimeDelta::minutes(i64::from(self.slot_minutes.max(1)));
        let mut slots = Vec::new();
        for block in &self.blocks {
            let (mut start, end) = (
                block.day.and_time(block.starts),
                block.day.and_time(block.ends),
            );
            while start + length <= end {
                let tz = event.timezone;
                slots.push(Slot {
                    starts_at: crate::domain::schedule::to_utc(tz, start),
                    ends_at: crate::domain::schedule::to_utc(tz, start + length),
                });
                start += length;
            }
        }
        slots.sort();
        slots.dedup();
        slots
    }

    /// The slot starting at `starts_at` (UTC), if there is one.
    pub fn slot_at(&self, event: &Event, starts_at: NaiveDateTime) -> Option<Slot> {
        self.slots(event)
            .into_iter()
            .find(|s| s.starts_at == starts_at)
    }
}
