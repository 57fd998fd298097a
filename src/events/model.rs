use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::events;
use crate::domain::schedule::EventWindow;
use crate::domain::{Language, Translatable};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: i64,
    pub slug: String,
    #[diesel(embed)]
    pub form: EventForm,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An event's columns as its insert and its updates write them (`None` writes null) and as its
/// row holds them; the store adds the slug, the status and the times.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(
    table_name = events,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub struct EventForm {
    pub name: String,
    pub description: String,
    pub timezone: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub venue: String,
    pub city: String,
    pub languages: String,
    pub default_language: String,
    pub capacity: Option<i32>,
    pub opens_at: NaiveTime,
    pub closes_at: NaiveTime,
    pub contact_email: String,
    pub registration_opens_at: Option<NaiveDateTime>,
    pub registration_closes_at: Option<NaiveDateTime>,
    pub search_text: String,
    pub payment_instructions: String,
}

/// An event's status. Only `draft → published` exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    Draft,
    Published,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Draft => "draft",
            EventStatus::Published => "published",
        }
    }

    /// The transitions of SPEC §3, as data.
    pub fn can_become(self, next: EventStatus) -> bool {
        matches!((self, next), (EventStatus::Draft, EventStatus::Published))
    }
}

/// An event read from the database, with its fields parsed; the API shows it as it is (the
/// schema `EventOut`): blank texts as null, times in UTC, the time zone by its IANA name.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = EventOut, description = "The event as the API shows it.")]
pub struct Event {
    pub id: i64,
    pub slug: String,
    pub name: Translatable,
    /// Null when there is none.
    #[serde(serialize_with = "written")]
    #[schema(value_type = Option<Translatable>)]
    pub description: Translatable,
    /// What the approval email tells an exhibitor about paying its booth (bank details,
    /// deadline); null for none.
    #[serde(serialize_with = "written")]
    #[schema(value_type = Option<Translatable>)]
    pub payment_instructions: Translatable,
    /// IANA timezone, e.g. `Africa/Casablanca`.
    #[serde(serialize_with = "zone_name")]
    #[schema(value_type = String)]
    pub timezone: Tz,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub venue: String,
    pub city: String,
    pub languages: Vec<Language>,
    pub default_language: Language,
    /// Attendee capacity; null is unlimited.
    pub capacity: Option<i32>,
    #[serde(serialize_with = "clock")]
    #[schema(value_type = ClockTime)]
    pub opens_at: NaiveTime,
    #[serde(serialize_with = "clock")]
    #[schema(value_type = ClockTime)]
    pub closes_at: NaiveTime,
    pub contact_email: String,
    pub status: EventStatus,
    #[serde(serialize_with = "utc_or_null")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub registration_opens_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "utc_or_null")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub registration_closes_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "utc")]
    #[schema(value_type = DateTime<Utc>)]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "utc")]
    #[schema(value_type = DateTime<Utc>)]
    pub updated_at: NaiveDateTime,
}

impl Event {
    pub fn from_row(row: EventRow) -> Event {
        let r = row.form;
        Event {
            id: row.id,
            slug: row.slug,
            name: Translatable::from_db(&r.name),
            description: Translatable::from_db(&r.description),
            payment_instructions: Translatable::from_db(&r.payment_instructions),
            timezone: r.timezone.parse().unwrap_or(chrono_tz::UTC),
            starts_on: r.starts_on,
            ends_on: r.ends_on,
            venue: r.venue,
            city: r.city,
            languages: r
                .languages
                .split(',')
                .filter_map(|l| l.parse().ok())
                .collect(),
            default_language: r.default_language.parse().unwrap_or(Language::En),
            capacity: r.capacity,
            opens_at: r.opens_at,
            closes_at: r.closes_at,
            contact_email: r.contact_email,
            status: if row.status == "published" {
                EventStatus::Published
            } else {
                EventStatus::Draft
            },
            registration_opens_at: r.registration_opens_at,
            registration_closes_at: r.registration_closes_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }

    pub fn window(&self) -> EventWindow {
        EventWindow {
            timezone: self.timezone,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
        }
    }

    pub fn is_published(&self) -> bool {
        self.status == EventStatus::Published
    }

    /// The fair's wall-clock date and time of a stored (UTC) instant.
    pub fn wall_clock(&self, utc: NaiveDateTime) -> NaiveDateTime {
        use chrono::TimeZone;
        self.timezone.from_utc_datetime(&utc).naive_local()
    }

    /// A stored instant as the console's `datetime-local` fields show it (`2027-02-22T09:00`,
    /// the fair's local time); empty for none.
    pub fn local_input(&self, utc: Option<NaiveDateTime>) -> String {
        utc.map(|t| self.wall_clock(t).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default()
    }

    /// A UTC time as RFC 3339 with the event's offset, as the API shows times.
    pub fn local(&self, utc: NaiveDateTime) -> DateTime<chrono::FixedOffset> {
        use chrono::TimeZone;
        self.timezone.from_utc_datetime(&utc).fixed_offset()
    }

    /// The language to show a reader who asked for `wanted`.
    pub fn language_for(&self, wanted: Option<Language>) -> Language {
        match wanted {
            Some(l) if self.languages.contains(&l) => l,
            _ => self.default_language,
        }
    }
}

/// A wall-clock time written `HH:MM` (or `HH:MM:SS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, example = "09:00")]
pub struct ClockTime(pub NaiveTime);

impl Serialize for ClockTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.format("%H:%M").to_string())
    }
}

impl ClockTime {
    /// `HH:MM` or `HH:MM:SS`, a real time of day (no leap second).
    pub fn parse(s: &str) -> Result<NaiveTime, String> {
        use chrono::Timelike;
        NaiveTime::parse_from_str(s, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M:%S"))
            .ok()
            .filter(|t| t.nanosecond() < 1_000_000_000)
            .ok_or_else(|| "must be a time like 09:00".to_string())
    }
}

/// A text organizers may leave blank, as the API shows it: its languages that are written, or
/// null when none is (a `Translatable` holds no blank text).
fn written<S: serde::Serializer>(text: &Translatable, s: S) -> Result<S::Ok, S::Error> {
    written_part(text).serialize(s)
}

fn written_part(text: &Translatable) -> Option<Translatable> {
    match text {
        Translatable::Same(t) => (!t.trim().is_empty()).then(|| text.clone()),
        Translatable::PerLanguage(map) => {
            let kept: std::collections::BTreeMap<_, _> = map
                .iter()
                .filter(|(_, t)| !t.trim().is_empty())
                .map(|(l, t)| (*l, t.clone()))
                .collect();
            (!kept.is_empty()).then_some(Translatable::PerLanguage(kept))
        }
    }
}

fn zone_name<S: serde::Serializer>(zone: &Tz, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(zone.name())
}

fn clock<S: serde::Serializer>(time: &NaiveTime, s: S) -> Result<S::Ok, S::Error> {
    ClockTime(*time).serialize(s)
}

fn utc<S: serde::Serializer>(time: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    time.and_utc().serialize(s)
}

fn utc_or_null<S: serde::Serializer>(
    time: &Option<NaiveDateTime>,
    s: S,
) -> Result<S::Ok, S::Error> {
    time.map(|t| t.and_utc()).serialize(s)
}
