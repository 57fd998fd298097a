//! Calendar files (RFC 5545) attached to emails: the fair itself, as all-day events.

use chrono::{NaiveDateTime, TimeDelta};

use crate::domain::Language;
use crate::events::Event;

use crate::domain::ics::{escape, fold};

fn stamp(t: NaiveDateTime) -> String {
    crate::domain::ics::utc(t)
}

/// The fair as a one-event calendar, in `lang`.
pub fn fair(event: &Event, lang: Language, host: &str) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".into(),
        "PRODID:-//Salon//Salon//EN".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        "BEGIN:VEVENT".into(),
        format!("UID:event-{}@{host}", event.id),
        format!("DTSTAMP:{}", stamp(crate::db::now())),
        format!("DTSTART;VALUE=DATE:{}", event.starts_on.format("%Y%m%d")),
        format!(
            "DTEND;VALUE=DATE:{}",
            (event.ends_on + TimeDelta::days(1)).format("%Y%m%d")
        ),
        format!(
            "SUMMARY:{}",
            escape(event.name.get(lang, event.default_language))
        ),
        format!(
            "LOCATION:{}",
            escape(&format!("{}, {}", event.venue, event.city))
        ),
        "END:VEVENT".into(),
        "END:VCALENDAR".into(),
    ];
    lines
        .iter()
        .map(|l| fold(l))
        .collect::<Vec<_>>()
        .join("\r\n")
        + "\r\n"
}
