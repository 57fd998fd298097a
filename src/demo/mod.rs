//! `salon demo`: loads the demo fair — SICCAM, the international call-centre fair — so that a
//! newcomer sees a real programme at once: two days from `--on` (default today in
//! Africa/Casablanca), two halls, five rooms, four tracks, two dozen speakers and about thirty
//! keynotes, panels, seminars, workshops and breaks in Arabic, French and English, published as
//! release 1.0, and fourteen booths (A01–A08, B01–B06); three exhibitors approved on B02–B04,
//! four attendees, meeting blocks on both days (10:00–12:30 and 14:00–17:00) and a few meetings
//! between them, so the meetings are there to see at once. It goes through the same functions
//! as the API, so the demo obeys every rule of the real thing (a conflicting demo file would
//! fail to load) — except that it emails no one: its exhibitors, attendees and meetings are
//! written without the emails their steps would send to these made-up addresses.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{NaiveDate, NaiveTime};
use serde::Deserialize;

use crate::db::Conn;
use crate::domain::text::Check;
use crate::domain::{EmailAddress, Language, Translatable};
use crate::error::{AppError, AppResult};
use crate::events::model::EventStatus;
use crate::events::store::{self as events, EventFields};
use crate::exhibitors::model::{BoothForm, BoothKind, Money};
use crate::schedule::model::{RoomForm, SessionKind, SpeakerForm, TrackForm};
use crate::schedule::sessions::{self, Draft};
use crate::schedule::{releases, store as schedule};

/// A form the demo data made, or the demo file's mistake as an error.
fn checked<T>(form: Option<T>, check: Check) -> AppResult<T> {
    match (check.done(), form) {
        (Ok(()), Some(form)) => Ok(form),
        (Err(errors), _) => Err(AppError::Validation(errors)),
        (Ok(()), None) => Err(AppError::internal("the demo data left a form unchecked")),
    }
}

/// The slug of the demo fair.
pub const SLUG: &str = "siccam";

const DATA: &str = include_str!("siccam.json");

#[derive(Deserialize)]
struct DemoFile {
    name: Translatable,
    description: Translatable,
    venue: String,
    city: String,
    contact_email: String,
    rooms: Vec<DemoRoom>,
    tracks: Vec<DemoTrack>,
    speakers: Vec<DemoSpeaker>,
    sessions: Vec<DemoSession>,
}

#[derive(Deserialize)]
struct DemoRoom {
    key: String,
    name: Translatable,
    hall: Translatable,
    capacity: i32,
}

#[derive(Deserialize)]
struct DemoTrack {
    key: String,
    name: Translatable,
    color: String,
}

#[derive(Deserialize)]
struct DemoSpeaker {
    key: String,
    name: String,
    email: String,
    organization: String,
    bio: String,
}

#[derive(Deserialize)]
struct DemoSession {
    title: String,
    #[serde(rename = "abstract")]
    abstract_text: String,
    kind: SessionKind,
    language: Language,
    track: Option<String>,
    speakers: Vec<String>,
    room: String,
    day: i64,
    start: String,
    end: String,
}

/// What was loaded.
#[derive(Debug)]
pub struct Summary {
    pub slug: String,
    pub starts_on: NaiveDate,
    pub rooms: usize,
    pub speakers: usize,
    pub sessions: usize,
    pub booths: usize,
    /// Meetings booked between the demo's attendees and exhibitors.
    pub meetings: usize,
}

/// Today's date in Casablanca, the default first day of the demo fair.
pub fn today_in_casablanca() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Africa::Casablanca)
        .date_naive()
}

fn time(s: &str) -> AppResult<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M")
        .map_err(|_| AppError::internal(format!("demo data: bad time {s}")))
}

fn missing(what: &str, key: &str) -> AppError {
    AppError::internal(format!("demo data: unknown {what} `{key}`"))
}

/// Loads the demo fair starting on `starts_on`, in one transaction. 409 if already loaded.
pub fn load(c: &mut Conn, starts_on: NaiveDate, buffer: Duration) -> AppResult<Summary> {
    let data: DemoFile =
        serde_json::from_str(DATA).map_err(|e| AppError::internal(format!("demo data: {e}")))?;
    c.write_tx(|c| {
        if events::find_by_slug(c, SLUG)?.is_some() {
            return Err(AppError::Conflict(format!(
                "the demo fair is already loaded (event `{SLUG}`)"
            )));
        }
        let contact = EmailAddress::parse(&data.contact_email).map_err(AppError::internal)?;
        let fields = EventFields {
            name: data.name.clone(),
            description: data.description.clone(),
            payment_instructions: Translatable::Same(String::new()),
            timezone: chrono_tz::Africa::Casablanca,
            starts_on,
            ends_on: starts_on + chrono::TimeDelta::days(1),
            venue: data.venue.clone(),
            city: data.city.clone(),
            languages: vec![Language::Fr, Language::Ar, Language::En],
            default_language: Language::Fr,
            capacity: Some(5000),
            opens_at: time("09:00")?,
            closes_at: time("18:00")?,
            contact_email: contact.to_string(),
            registration_opens_at: None,
            registration_closes_at: None,
        };
        let event = events::insert(c, SLUG, &fields)?;
        let mut room_ids = HashMap::new();
        for r in &data.rooms {
            let mut check = Check::default();
            let form = RoomForm::check(
                r.name.clone(),
                Some(r.hall.clone()),
                Some(r.capacity),
                &mut check,
            );
            let form = checked(form, check)?;
            room_ids.insert(r.key.clone(), schedule::insert_room(c, event.id, &form)?.id);
        }
        let mut track_ids = HashMap::new();
        for t in &data.tracks {
            let mut check = Check::default();
            let form = TrackForm::check(t.name.clone(), Some(&t.color), &mut check);
            let form = checked(form, check)?;
            track_ids.insert(
                t.key.clone(),
                schedule::insert_track(c, event.id, &form)?.id,
            );
        }
        let mut speaker_ids = HashMap::new();
        for s in &data.speakers {
            let mut check = Check::default();
            let form = SpeakerForm::check(
                Some(s.name.clone()),
                Some(&s.email),
                Some(&s.organization),
                Some(&s.bio),
                &mut check,
            );
            let form = checked(form, check)?;
            speaker_ids.insert(
                s.key.clone(),
                schedule::insert_speaker(c, event.id, &form)?.id,
            );
        }
        let window = event.window();
        for s in &data.sessions {
            let day = starts_on + chrono::TimeDelta::days(s.day - 1);
            let track_id = match &s.track {
                Some(k) => Some(*track_ids.get(k).ok_or_else(|| missing("track", k))?),
                None => None,
            };
            let room_id = *room_ids
                .get(&s.room)
                .ok_or_else(|| missing("room", &s.room))?;
            let times = (
                window.to_utc(day, time(&s.start)?),
                window.to_utc(day, time(&s.end)?),
            );
            let (title, kind, language) = (s.title.clone(), s.kind, s.language);
            let mut draft = Draft::scheduled(title, kind, language, room_id, times);
            draft.form.abstract_text = Some(s.abstract_text.clone());
            draft.form.track_id = track_id;
            draft.speaker_ids = s
                .speakers
                .iter()
                .map(|k| {
                    speaker_ids
                        .get(k)
                        .copied()
                        .ok_or_else(|| missing("speaker", k))
                })
                .collect::<AppResult<_>>()?;
            sessions::save(c, &event, None, draft, buffer)?;
        }
        let mut booths = 0;
        for (hall_key, count) in [("A", 8), ("B", 6)] {
            let hall = data
                .rooms
                .iter()
                .find(|r| r.hall.get(Language::Fr, Language::Fr).ends_with(hall_key))
                .map(|r| r.hall.clone());
            let hall = hall.unwrap_or_else(|| Translatable::Same(format!("Hall {hall_key}")));
            for n in 1..=count {
                let (kind, area, passes, price) = match n {
                    1 => (BoothKind::Island, 36, 6, 5_400_000),
                    2 | 3 => (BoothKind::Corner, 18, 4, 2_900_000),
                    _ => (BoothKind::Standard, 9, 2, 1_500_000),
                };
                let mut check = Check::default();
                let price = Money {
                    amount: price,
                    currency: "MAD".into(),
                };
                let code = format!("{hall_key}{n:02}");
                let form = BoothForm::check(&code, &hall, area, kind, passes, &price, &mut check);
                let form = checked(Some(form), check)?;
                crate::exhibitors::booths::insert(c, event.id, &form)?;
                booths += 1;
            }
        }
        events::set_status(c, event.id, EventStatus::Published)?;
        let meetings = meetings(c, &event)?;
        // A new fair has no bookings: no release hook has anything to do.
        let first = releases::Publish {
            version: "1.0",
            comment: Some("Programme initial / البرنامج الأولي / Initial programme"),
            by: None,
        };
        releases::publish(
            c,
            &releases::ReleaseHooks::default(),
            &event,
            &first,
            buffer,
        )?;
        crate::audit::record(
            c,
            None,
            Some(event.id),
            "load",
            "demo",
            Some(event.id),
            serde_json::json!({"starts_on": starts_on}),
        )?;
        Ok(Summary {
            slug: SLUG.to_string(),
            starts_on,
            rooms: data.rooms.len(),
            speakers: data.speakers.len(),
            sessions: data.sessions.len(),
            booths,
            meetings,
        })
    })
}

/// The demo's exhibitors (company, contact, sector, booth), attendees (name, organization,
/// job title, language) and meetings (attendee, exhibitor, day, local start, accepted).
const EXHIBITORS: [(&str, &str, &str, &str); 3] = [
    (
        "Atlas Contact Solutions",
        "Karim Bennani",
        "Centres de contact",
        "B02",
    ),
    ("Sahara Voice", "Leïla Amrani", "Relation client", "B03"),
    (
        "Tanger Digital CX",
        "Youssef El Fassi",
        "Logiciels CX",
        "B04",
    ),
];
const ATTENDEES: [(&str, &str, &str, Language); 4] = [
    (
        "Nadia Berrada",
        "Banque Atlas",
        "Directrice relation client",
        Language::Fr,
    ),
    (
        "Omar Tazi",
        "Royal Air Maroc",
        "Head of customer care",
        Language::En,
    ),
    (
        "سلمى العلوي",
        "اتصالات المغرب",
        "مديرة الشراكات",
        Language::Ar,
    ),
    (
        "Hicham Chraibi",
        "Assurances Wafa",
        "Responsable achats",
        Language::Fr,
    ),
];
const MEETINGS: [(usize, usize, i64, &str, bool); 5] = [
    (0, 0, 0, "10:00", true),
    (1, 0, 0, "10:20", true),
    (2, 1, 0, "11:00", true),
    (3, 2, 1, "14:00", false),
    (0, 1, 1, "15:20", false),
];

/// Exhibitors, attendees, the meeting settings and a few meetings (see the module's doc).
fn meetings(c: &mut Conn, event: &crate::events::Event) -> AppResult<usize> {
    use crate::meetings::model::{Block, MeetingSettings};
    let now = crate::db::now();
    let days = [event.starts_on, event.ends_on];
    let settings = MeetingSettings {
        blocks: days
            .iter()
            .flat_map(|d| {
                [("10:00", "12:30"), ("14:00", "17:00")].map(|(s, e)| Block {
                    day: *d,
                    starts: time(s).unwrap_or_default(),
                    ends: time(e).unwrap_or_default(),
                })
            })
            .collect(),
        ..MeetingSettings::default()
    };
    crate::meetings::service::check_settings(event, &settings).map_err(AppError::Validation)?;
    crate::meetings::store::save_settings(c, event.id, &settings, now)?;
    let mut exhibitors = Vec::new();
    for (company, contact, sector, booth) in EXHIBITORS {
        let slug: String = company
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join("-");
        let application = crate::exhibitors::model::Application {
            profile: crate::exhibitors::model::Profile {
                company_name: company.into(),
                contact_name: contact.into(),
                phone: None,
                website: Some(format!("https://{slug}.example")),
                country: Some("MA".into()),
                sector: Some(sector.into()),
                description: None,
            },
            email: EmailAddress::parse(&format!("contact@{slug}.example"))
                .map_err(AppError::internal)?,
            booth_kind: BoothKind::Corner,
            booth_area_m2: 18,
            language: Language::Fr,
        };
        let email = application.email.as_str();
        let search = crate::domain::search_text([company, contact, email, sector]);
        let id = crate::exhibitors::store::insert(c, event.id, &application, &search, now)?;
        let booth = crate::exhibitors::store::find_booth_by_code(c, event.id, booth)?
            .ok_or_else(|| AppError::internal("the demo's booth is missing"))?;
        crate::exhibitors::store::set_booth(c, id, Some(booth.id))?;
        crate::exhibitors::store::set_status(c, id, crate::exhibitors::model::Status::Approved)?;
        exhibitors.push(id);
    }
    let mut attendees = Vec::new();
    for (i, (name, organization, job_title, language)) in ATTENDEES.into_iter().enumerate() {
        let person = crate::registrations::model::Person {
            name: name.into(),
            email: EmailAddress::parse(&format!("attendee{}@demo.example", i + 1))
                .map_err(AppError::internal)?,
            profile: crate::registrations::model::Profile {
                organization: Some(organization.into()),
                job_title: Some(job_title.into()),
                country: Some("MA".into()),
                phone: None,
            },
            language,
            category: crate::registrations::Category::Professional,
        };
        let status = crate::registrations::Status::Confirmed;
        attendees.push(crate::registrations::store::insert(c, event.id, &person, status, true)?.id);
    }
    let length = chrono::TimeDelta::minutes(i64::from(settings.slot_minutes));
    for (attendee, exhibitor, day, start, accepted) in MEETINGS {
        let local = (event.starts_on + chrono::TimeDelta::days(day)).and_time(time(start)?);
        let starts_at = crate::domain::schedule::to_utc(event.timezone, local);
        let new = crate::meetings::store::NewMeeting {
            event_id: event.id,
            exhibitor_id: exhibitors[exhibitor],
            registration_id: attendees[attendee],
            starts_at,
            ends_at: starts_at + length,
            message: "",
            expires_at: (now + settings.request_ttl).min(starts_at),
        };
        let id = crate::meetings::store::insert(c, &new, now)?;
        if accepted {
            crate::meetings::store::accept(c, id, None, now)?;
        }
    }
    Ok(MEETINGS.len())
}
