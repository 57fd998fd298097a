//! iCalendar (RFC 5545) and its iTIP methods (RFC 5546): the one writer of every calendar file
//! Salon serves or mails. TEXT values escaped, lines folded at 75 octets, CRLF line ends,
//! times in UTC.

use chrono::{NaiveDate, NaiveDateTime};

const PRODID: &str = "-//Salon//Salon//EN";

/// Escapes a TEXT value (backslash, `;`, `,`, newlines; a lone CR is dropped).
pub fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace("\r\n", "\\n")
        .replace('\n', "\\n")
        .replace('\r', "")
}

/// Folds a content line longer than 75 octets, never inside a character.
pub fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for ch in line.chars() {
        let n = ch.len_utf8();
        if len + n > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(ch);
        len += n;
    }
    out
}

/// A UTC time as a DATE-TIME value (`20270412T080000Z`).
pub fn utc(t: NaiveDateTime) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// The iTIP method of a calendar: a feed or download publishes; an email asks the attendee's
/// calendar to update (`REQUEST`) or remove (`CANCEL`) the entries it already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Publish,
    Request,
    Cancel,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// When a VEVENT starts or ends. Times are written in UTC, so no VTIMEZONE is needed; a day
/// (an all-day entry) has no time zone at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Utc(NaiveDateTime),
    Day(NaiveDate),
}

impl When {
    fn property(self, name: &str) -> String {
        match self {
            When::Utc(t) => format!("{name}:{}", utc(t)),
            When::Day(d) => format!("{name};VALUE=DATE:{}", d.format("%Y%m%d")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Confirmed,
    Cancelled,
}

/// One calendar entry. Texts are given plain and escaped here; the optional properties are
/// written only when present, in the order below.
#[derive(Debug, Clone, PartialEq)]
pub struct Vevent {
    /// The same for every version of the entry, in every calendar that carries it.
    pub uid: String,
    /// Raised with each change, so a calendar app knows which version is newer.
    pub sequence: Option<u32>,
    pub dtstamp: NaiveDateTime,
    pub start: When,
    /// Exclusive: an all-day entry ends on the day after its last.
    pub end: When,
    pub summary: String,
    pub location: String,
    pub description: Option<String>,
    pub url: Option<String>,
    pub category: Option<String>,
    pub status: Option<Status>,
    /// The address an iTIP message comes from (RFC 5546 asks one of a REQUEST or CANCEL).
    pub organizer: Option<String>,
    /// The address an iTIP message goes to; no reply is asked for.
    pub attendee: Option<String>,
}

impl Vevent {
    /// An entry with only the properties every entry has; the others are set by name.
    pub fn new(
        uid: String,
        dtstamp: NaiveDateTime,
        start: When,
        end: When,
        summary: String,
        location: String,
    ) -> Vevent {
        Vevent {
            uid,
            sequence: None,
            dtstamp,
            start,
            end,
            summary,
            location,
            description: None,
            url: None,
            category: None,
            status: None,
            organizer: None,
            attendee: None,
        }
    }

    /// The content lines from `BEGIN:VEVENT` to `END:VEVENT`, escaped, not yet folded.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec!["BEGIN:VEVENT".to_string(), format!("UID:{}", self.uid)];
        if let Some(sequence) = self.sequence {
            lines.push(format!("SEQUENCE:{sequence}"));
        }
        lines.extend([
            format!("DTSTAMP:{}", utc(self.dtstamp)),
            self.start.property("DTSTART"),
            self.end.property("DTEND"),
            format!("SUMMARY:{}", escape(&self.summary)),
            format!("LOCATION:{}", escape(&self.location)),
        ]);
        if let Some(text) = &self.description {
            lines.push(format!("DESCRIPTION:{}", escape(text)));
        }
        if let Some(url) = &self.url {
            lines.push(format!("URL:{url}"));
        }
        if let Some(category) = &self.category {
            lines.push(format!("CATEGORIES:{}", escape(category)));
        }
        if let Some(status) = self.status {
            lines.push(
                match status {
                    Status::Confirmed => "STATUS:CONFIRMED",
                    Status::Cancelled => "STATUS:CANCELLED",
                }
                .to_string(),
            );
        }
        if let Some(organizer) = &self.organizer {
            lines.push(format!("ORGANIZER:mailto:{organizer}"));
        }
        if let Some(attendee) = &self.attendee {
            lines.push(format!("ATTENDEE;RSVP=FALSE:mailto:{attendee}"));
        }
        lines.push("END:VEVENT".to_string());
        lines
    }
}

/// A whole calendar file: its iTIP method, its name as calendar apps show it (`X-WR-CALNAME`,
/// where there is one) and its entries.
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    pub method: Method,
    pub name: Option<String>,
    pub events: Vec<Vevent>,
}

impl Calendar {
    /// The file: each line folded, CRLF after each.
    pub fn write(&self) -> String {
        let mut lines = vec![
            "BEGIN:VCALENDAR".to_string(),
            "VERSION:2.0".to_string(),
            format!("PRODID:{PRODID}"),
            "CALSCALE:GREGORIAN".to_string(),
            format!("METHOD:{}", self.method.as_str()),
        ];
        if let Some(name) = &self.name {
            lines.push(format!("X-WR-CALNAME:{}", escape(name)));
        }
        for event in &self.events {
            lines.extend(event.lines());
        }
        lines.push("END:VCALENDAR".to_string());
        lines.iter().map(|l| fold(l) + "\r\n").collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_escaped_and_folded_at_75_octets() {
        assert_eq!(escape("a,b;c\\d\r\ne\rf"), "a\\,b\\;c\\\\d\\nef");
        let long = format!("SUMMARY:{}", "ندوة ".repeat(30));
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75), "{folded}");
        assert_eq!(folded.replace("\r\n ", ""), long);
    }

    #[test]
    fn only_the_properties_an_entry_has_are_written_in_their_order() {
        let stamp = NaiveDate::from_ymd_opt(2026, 4, 1)
            .and_then(|d| d.and_hms_opt(8, 0, 0))
            .expect("time");
        let day = NaiveDate::from_ymd_opt(2026, 5, 3).expect("date");
        let mut entry = Vevent::new(
            "event-1@salon.example".into(),
            stamp,
            When::Day(day),
            When::Day(day.succ_opt().expect("date")),
            "Salon, 2026".into(),
            "Casablanca".into(),
        );
        let fair = Calendar {
            method: Method::Publish,
            name: None,
            events: vec![entry.clone()],
        }
        .write();
        assert_eq!(
            fair,
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Salon//Salon//EN\r\n\
             CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n\
             UID:event-1@salon.example\r\nDTSTAMP:20260401T080000Z\r\n\
             DTSTART;VALUE=DATE:20260503\r\nDTEND;VALUE=DATE:20260504\r\n\
             SUMMARY:Salon\\, 2026\r\nLOCATION:Casablanca\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        );
        entry.sequence = Some(2);
        entry.start = When::Utc(stamp);
        entry.status = Some(Status::Cancelled);
        entry.organizer = Some("contact@example.org".into());
        entry.attendee = Some("ada@example.org".into());
        let lines = entry.lines();
        assert_eq!(lines[2], "SEQUENCE:2");
        assert_eq!(lines[4], "DTSTART:20260401T080000Z");
        assert_eq!(
            lines[lines.len() - 4..],
            [
                "STATUS:CANCELLED",
                "ORGANIZER:mailto:contact@example.org",
                "ATTENDEE;RSVP=FALSE:mailto:ada@example.org",
                "END:VEVENT"
            ]
        );
    }
}
