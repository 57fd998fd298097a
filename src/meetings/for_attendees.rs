//! The attendee's meetings as their page lists them and their agenda feed carries them
//! (`registrations::hooks::AttendeeMeetings`, plugged in by the app).

use chrono::NaiveDateTime;

use super::model::MeetingStatus;
use super::service;
use super::store::{self, Of};
use crate::calendar::ics::{Status, Vevent, When};
use crate::config::Settings;
use crate::db::Conn;
use crate::error::AppResult;
use crate::events::Event;
use crate::registrations::hooks::{AttendeeMeetings, MeetingLine, Whose};

pub struct ForAttendees;

/// The booth code of an exhibitor, if it has one.
fn booth_code(c: &mut Conn, event: &Event, booth: Option<i64>) -> AppResult<Option<String>> {
    Ok(match booth {
        Some(id) => Some(
            crate::exhibitors::store::find_booth(c, event.id, id)?
                .form
                .code,
        ),
        None => None,
    })
}

impl AttendeeMeetings for ForAttendees {
    fn lines(&self, c: &mut Conn, of: Whose, now: NaiveDateTime) -> AppResult<Vec<MeetingLine>> {
        let (event, lang) = (of.event, of.lang);
        let words = crate::web::words::words(lang, &[crate::web::words::Section::Meetings]);
        let mut lines = Vec::new();
        for m in store::list(c, Of::Attendee(of.registration_id))? {
            let ex = crate::exhibitors::store::find_by_id(c, m.exhibitor_id)?;
            let status = m.status_at(now);
            lines.push(MeetingLine {
                id: m.id,
                when: service::when(event, &m, lang),
                with: ex.profile.company_name.clone(),
                booth: booth_code(c, event, ex.booth_id)?,
                status: status.as_str().to_string(),
                status_label: words[format!("status_{status}")]
                    .as_str()
                    .unwrap_or(status.as_str())
                    .to_string(),
                open: matches!(status, MeetingStatus::Pending | MeetingStatus::Accepted)
                    && m.ends_at > now,
            });
        }
        Ok(lines)
    }

    fn calendar(&self, c: &mut Conn, settings: &Settings, of: Whose) -> AppResult<Vec<Vevent>> {
        let (event, lang) = (of.event, of.lang);
        let fair = event.name.get(lang, event.default_language).to_string();
        let mut out = Vec::new();
        for m in store::list(c, Of::Attendee(of.registration_id))? {
            if MeetingStatus::parse(&m.status) != MeetingStatus::Accepted {
                continue;
            }
            let ex = crate::exhibitors::store::find_by_id(c, m.exhibitor_id)?;
            let booth = booth_code(c, event, ex.booth_id)?;
            let location = match &booth {
                Some(b) => format!("{b}, {}", event.venue),
                None => event.venue.clone(),
            };
            let mut v = Vevent::new(
                service::uid(settings, m.id),
                m.updated_at,
                When::Utc(m.starts_at),
                When::Utc(m.ends_at),
                format!("{} · {fair}", ex.profile.company_name),
                location,
            );
            v.sequence = Some(0);
            v.status = Some(Status::Confirmed);
            out.push(v);
        }
        Ok(out)
    }
}
