//! The public exports of a release (SPEC §4.2) — iCalendar, frab schedule XML, c3voc schedule
//! JSON — as the mapping of a release and its event to the plain types of [`crate::calendar`],
//! which writes and reads the formats. Pure functions: no database, no HTTP.
//!
//! Why it is shaped this way:
//! - The names are chosen here, in the visitor's language (the event's default where a text
//!   has none), so the formats need no translations: every room of the release in its order,
//!   then any room a session names that the release does not list.
//! - A calendar entry is the session as a calendar app shows it: the location names the room,
//!   its hall, the venue and the city; the description holds the abstract and the speakers
//!   with their organizations. The per-session `.ics`, the agenda feed and the iTIP emails take
//!   their VEVENT from [`vevent`], so every calendar agrees on a session's entry.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde_json::Value;

use super::releases::{PublishedSession, Release, Snapshot};
use crate::calendar::ics::{Calendar, Method, Status, Vevent, When};
use crate::calendar::{self, ids, Programme};
use crate::domain::Language;
use crate::events::Event;

fn session_url(base_url: &str, slug: &str, session_id: i64) -> String {
    format!(
        "{}/events/{slug}/sessions/{session_id}",
        base_url.trim_end_matches('/')
    )
}

fn track_name(
    snapshot: &Snapshot,
    track_id: Option<i64>,
    lang: Language,
    fallback: Language,
) -> Option<String> {
    let id = track_id?;
    snapshot
        .tracks
        .iter()
        .find(|t| t.id == id)
        .map(|t| t.name.get(lang, fallback).to_string())
}

/// Every room of the release in its order, then any room a session names that is not listed.
fn room_list(snapshot: &Snapshot, lang: Language, fallback: Language) -> Vec<calendar::Room> {
    let mut out: Vec<calendar::Room> = snapshot
        .rooms
        .iter()
        .map(|r| calendar::Room {
            id: r.id,
            name: r.name.get(lang, fallback).to_string(),
            capacity: Some(r.capacity),
        })
        .collect();
    for s in &snapshot.sessions {
        if !out.iter().any(|r| r.id == s.room_id) {
            out.push(calendar::Room {
                id: s.room_id,
                name: format!("Room {}", s.room_id),
                capacity: None,
            });
        }
    }
    out
}

/// The release as the frab and c3voc writers read it, named in `lang`.
pub fn programme(
    event: &Event,
    release: &Release,
    host: &str,
    base_url: &str,
    lang: Language,
) -> Programme {
    let base = base_url.trim_end_matches('/');
    let fallback = event.default_language;
    let snapshot = &release.snapshot;
    let sessions = snapshot
        .sessions
        .iter()
        .map(|s| calendar::Session {
            id: s.id,
            title: s.title.clone(),
            abstract_text: s.abstract_text.clone(),
            kind: s.kind.as_str().to_string(),
            language: s.language.code().to_string(),
            track: track_name(snapshot, s.track_id, lang, fallback),
            room_id: s.room_id,
            starts_at: s.starts_at,
            ends_at: s.ends_at,
            url: session_url(base, &event.slug, s.id),
            speakers: s
                .speakers
                .iter()
                .map(|sp| calendar::Speaker {
                    id: sp.id,
                    name: sp.name.clone(),
                    bio: sp.bio.clone(),
                })
                .collect(),
        })
        .collect();
    Programme {
        version: release.version.clone(),
        slug: event.slug.clone(),
        title: event.name.get(lang, fallback).to_string(),
        timezone: event.timezone,
        starts_on: event.starts_on,
        ends_on: event.ends_on,
        opens_at: event.opens_at,
        closes_at: event.closes_at,
        host: host.to_string(),
        base_url: base.to_string(),
        url: format!("{base}/events/{}", event.slug),
        rooms: room_list(snapshot, lang, fallback),
        tracks: snapshot
            .tracks
            .iter()
            .map(|t| calendar::Track {
                name: t.name.get(lang, fallback).to_string(),
                color: t.color.clone(),
            })
            .collect(),
        sessions,
    }
}

/// `/events/{slug}/schedule.xml`: frab schedule XML as c3voc's tools and pretalx read it.
pub fn frab_xml(
    event: &Event,
    release: &Release,
    host: &str,
    base_url: &str,
    lang: Language,
) -> String {
    calendar::frab::write(&programme(event, release, host, base_url, lang))
}

/// `/events/{slug}/schedule.json`: c3voc schedule JSON, as pretalx writes it.
pub fn c3voc_json(
    event: &Event,
    release: &Release,
    host: &str,
    base_url: &str,
    lang: Language,
) -> Value {
    calendar::c3voc::write(&programme(event, release, host, base_url, lang))
}

fn speakers_label(lang: Language) -> &'static str {
    match lang {
        Language::Ar => "المتحدثون",
        Language::Fr => "Intervenants",
        Language::En => "Speakers",
    }
}

fn location(event: &Event, snapshot: &Snapshot, s: &PublishedSession, lang: Language) -> String {
    let fallback = event.default_language;
    let mut parts: Vec<String> = Vec::new();
    if let Some(room) = snapshot.rooms.iter().find(|r| r.id == s.room_id) {
        parts.push(room.name.get(lang, fallback).to_string());
        if let Some(hall) = &room.hall {
            parts.push(hall.get(lang, fallback).to_string());
        }
    }
    parts.push(event.venue.clone());
    parts.push(event.city.clone());
    parts.retain(|p| !p.trim().is_empty());
    parts.join(", ")
}

fn calendar_description(s: &PublishedSession, lang: Language) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(text) = s
        .abstract_text
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        parts.push(text.to_string());
    }
    if !s.speakers.is_empty() {
        let names: Vec<String> = s
            .speakers
            .iter()
            .map(|sp| {
                match sp
                    .organization
                    .as_deref()
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                {
                    Some(org) => format!("{} ({org})", sp.name),
                    None => sp.name.clone(),
                }
            })
            .collect();
        parts.push(format!("{}: {}", speakers_label(lang), names.join(", ")));
    }
    parts.join("\n\n")
}

/// One session's calendar entry, confirmed; a caller sets what its calendar adds (an iTIP
/// email: the organizer, the attendee, and `STATUS:CANCELLED` for a cancelled session).
/// `snapshot` is the release the session comes from (its rooms and tracks name the location
/// and category).
#[allow(clippy::too_many_arguments)]
pub fn vevent(
    event: &Event,
    snapshot: &Snapshot,
    session: &PublishedSession,
    sequence: u32,
    dtstamp: NaiveDateTime,
    host: &str,
    base_url: &str,
    lang: Language,
) -> Vevent {
    let description = calendar_description(session, lang);
    Vevent {
        sequence: Some(sequence),
        description: (!description.is_empty()).then_some(description),
        url: Some(session_url(base_url, &event.slug, session.id)),
        category: track_name(snapshot, session.track_id, lang, event.default_language),
        status: Some(Status::Confirmed),
        ..Vevent::new(
            ids::uid(host, session.id),
            dtstamp,
            When::Utc(session.starts_at.naive_utc()),
            When::Utc(session.ends_at.naive_utc()),
            session.title.clone(),
            location(event, snapshot, session, lang),
        )
    }
}

/// `/events/{slug}/schedule.ics`: every session of the release, stamped with its publication
/// time; `sequences` as [`super::releases::sequences`] gives them (absent: 0).
pub fn calendar(
    event: &Event,
    release: &Release,
    sequences: &BTreeMap<i64, u32>,
    host: &str,
    base_url: &str,
    lang: Language,
) -> String {
    let mut sessions: Vec<&PublishedSession> = release.snapshot.sessions.iter().collect();
    sessions.sort_by_key(|s| (s.starts_at, s.id));
    let events = sessions
        .into_iter()
        .map(|s| {
            vevent(
                event,
                &release.snapshot,
                s,
                sequences.get(&s.id).copied().unwrap_or(0),
                release.published_at,
                host,
                base_url,
                lang,
            )
        })
        .collect();
    Calendar {
        method: Method::Publish,
        name: Some(event.name.get(lang, event.default_language).to_string()),
        events,
    }
    .write()
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};

    use super::*;
    use crate::calendar::{c3voc, frab};
    use crate::calendar::{
        Imported, ImportedRoom, ImportedSession, ImportedSpeaker, ImportedTrack,
    };
    use crate::domain::Translatable;
    use crate::events::model::EventStatus;
    use crate::schedule::model::SessionKind;
    use crate::schedule::releases::{Diff, PublishedSpeaker};
    use crate::schedule::rooms::RoomOut;
    use crate::schedule::tracks::TrackOut;

    const HOST: &str = "salon.example";
    const BASE: &str = "https://salon.example";

    fn created() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_767_225_600, 0).expect("timestamp")
    }

    fn event() -> Event {
        let noon = NaiveDate::from_ymd_opt(2026, 1, 1)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .expect("time");
        Event {
            id: 1,
            slug: "siccam-2026".into(),
            name: Translatable::PerLanguage(BTreeMap::from([
                (Language::Fr, "Salon SICCAM".to_string()),
                (Language::Ar, "معرض سيكام".to_string()),
            ])),
            description: Translatable::Same(String::new()),
            payment_instructions: Translatable::Same(String::new()),
            timezone: chrono_tz::Africa::Casablanca,
            starts_on: NaiveDate::from_ymd_opt(2026, 5, 3).expect("date"),
            ends_on: NaiveDate::from_ymd_opt(2026, 5, 4).expect("date"),
            venue: "Parc des expositions".into(),
            city: "Casablanca".into(),
            languages: vec![Language::Fr, Language::Ar, Language::En],
            default_language: Language::Fr,
            capacity: None,
            opens_at: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
            closes_at: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
            contact_email: "contact@example.org".into(),
            status: EventStatus::Published,
            registration_opens_at: None,
            registration_closes_at: None,
            created_at: noon,
            updated_at: noon,
        }
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).expect("time")
    }

    fn speaker(id: i64, name: &str, bio: Option<&str>) -> PublishedSpeaker {
        PublishedSpeaker {
            id,
            name: name.into(),
            organization: Some("OCP".into()),
            bio: bio.map(str::to_string),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn session(
        id: i64,
        title: &str,
        kind: SessionKind,
        language: Language,
        track_id: Option<i64>,
        room_id: i64,
        (start, end): (&str, &str),
        speakers: Vec<PublishedSpeaker>,
    ) -> PublishedSession {
        PublishedSession {
            id,
            title: title.into(),
            abstract_text: None,
            kind,
            language,
            track_id,
            room_id,
            starts_at: at(start),
            ends_at: at(end),
            capacity: 50,
            speakers,
        }
    }

    fn release() -> Release {
        let amina = speaker(5, "Amina El Idrissi", Some("Ingénieure <b>énergie</b>"));
        let jean = speaker(6, "Jean Dupont", None);
        let mut keynote = session(
            11,
            "Keynote <&> \"ouverture\"",
            SessionKind::Keynote,
            Language::Fr,
            Some(1),
            1,
            ("2026-05-03T09:00:00+01:00", "2026-05-03T10:00:00+01:00"),
            vec![amina.clone()],
        );
        keynote.abstract_text = Some("Première ligne\nSeconde ligne & suite".into());
        let rooms = vec![
            RoomOut {
                id: 1,
                name: Translatable::PerLanguage(BTreeMap::from([
                    (Language::Fr, "Salle A".to_string()),
                    (Language::Ar, "القاعة أ".to_string()),
                ])),
                hall: Some(Translatable::Same("Hall 1".into())),
                capacity: 200,
                created_at: created(),
            },
            RoomOut {
                id: 2,
                name: Translatable::Same("Salle B <&>".into()),
                hall: None,
                capacity: 80,
                created_at: created(),
            },
            RoomOut {
                id: 3,
                name: Translatable::Same("Atelier".into()),
                hall: None,
                capacity: 20,
                created_at: created(),
            },
        ];
        let tracks = vec![
            TrackOut {
                id: 1,
                name: Translatable::Same("Industrie & Innovation".into()),
                color: "#aa3300".into(),
                created_at: created(),
            },
            TrackOut {
                id: 2,
                name: Translatable::Same("Export".into()),
                color: "#0033aa".into(),
                created_at: created(),
            },
        ];
        let sessions = vec![
            keynote,
            session(
                12,
                "ندوة حول الطاقة المتجددة في المغرب ومستقبل الصناعة الخضراء",
                SessionKind::Seminar,
                Language::Ar,
                None,
                2,
                ("2026-05-03T14:00:00+01:00", "2026-05-03T15:30:00+01:00"),
                vec![amina, jean],
            ),
            session(
                13,
                "Workshop",
                SessionKind::Workshop,
                Language::En,
                Some(1),
                1,
                ("2026-05-04T11:00:00+01:00", "2026-05-04T12:15:00+01:00"),
                vec![],
            ),
            session(
                14,
                "Pause café",
                SessionKind::Break,
                Language::Fr,
                None,
                2,
                ("2026-05-04T10:30:00+01:00", "2026-05-04T10:45:00+01:00"),
                vec![],
            ),
        ];
        Release {
            id: 1,
            version: "1.0".into(),
            comment: None,
            published_at: NaiveDate::from_ymd_opt(2026, 4, 1)
                .and_then(|d| d.and_hms_opt(8, 0, 0))
                .expect("time"),
            snapshot: Snapshot {
                rooms,
                tracks,
                sessions,
            },
            diff: Diff::default(),
        }
    }

    fn normalized(mut i: Imported) -> Imported {
        i.tracks.sort_by(|a, b| a.name.cmp(&b.name));
        i.speakers.sort_by(|a, b| a.key.cmp(&b.key));
        i.sessions.sort_by(|a, b| {
            a.starts_at
                .cmp(&b.starts_at)
                .then_with(|| a.title.cmp(&b.title))
        });
        i
    }

    /// What an import of the export should give: JSON carries track colors and biographies,
    /// XML only names tracks that sessions use.
    fn expected(release: &Release, json: bool) -> Imported {
        let (lang, fallback) = (Language::Fr, Language::Fr);
        let snap = &release.snapshot;
        let tracks = snap
            .tracks
            .iter()
            .filter(|t| json || snap.sessions.iter().any(|s| s.track_id == Some(t.id)))
            .map(|t| ImportedTrack {
                name: t.name.get(lang, fallback).to_string(),
                color: json.then(|| t.color.clone()),
            })
            .collect();
        let mut speakers: Vec<ImportedSpeaker> = Vec::new();
        for sp in snap.sessions.iter().flat_map(|s| &s.speakers) {
            if !speakers.iter().any(|k| k.key == sp.id.to_string()) {
                speakers.push(ImportedSpeaker {
                    key: sp.id.to_string(),
                    name: sp.name.clone(),
                    organization: None,
                    bio: if json { sp.bio.clone() } else { None },
                });
            }
        }
        let sessions = snap
            .sessions
            .iter()
            .map(|s| ImportedSession {
                title: s.title.clone(),
                abstract_text: s.abstract_text.clone(),
                kind: s.kind.as_str().to_string(),
                language: Some(s.language.code().to_string()),
                track: track_name(snap, s.track_id, lang, fallback),
                room: snap
                    .rooms
                    .iter()
                    .find(|r| r.id == s.room_id)
                    .map(|r| r.name.get(lang, fallback).to_string())
                    .expect("room"),
                starts_at: s.starts_at,
                ends_at: s.ends_at,
                speaker_keys: s.speakers.iter().map(|sp| sp.id.to_string()).collect(),
                capacity: None,
            })
            .collect();
        normalized(Imported {
            rooms: snap
                .rooms
                .iter()
                .map(|r| ImportedRoom {
                    name: r.name.get(lang, fallback).to_string(),
                    capacity: json.then_some(r.capacity),
                })
                .collect(),
            tracks,
            speakers,
            sessions,
        })
    }

    #[test]
    fn c3voc_json_round_trips() {
        let (event, release) = (event(), release());
        let value = c3voc_json(&event, &release, HOST, BASE, Language::Fr);
        let conference = &value["schedule"]["conference"];
        assert_eq!(conference["acronym"], "siccam-2026");
        assert_eq!(conference["daysCount"], 2);
        assert_eq!(conference["time_zone_name"], "Africa/Casablanca");
        let first = &conference["days"][0]["rooms"]["Salle A"][0];
        assert_eq!(first["start"], "09:00");
        assert_eq!(first["duration"], "01:00");
        assert_eq!(first["date"], "2026-05-03T09:00:00+01:00");
        assert_eq!(first["type"], "keynote");
        assert_eq!(first["guid"], ids::guid(HOST, 11).as_str());
        let body = serde_json::to_vec(&value).expect("json");
        let imported = c3voc::parse(&body).expect("import");
        assert_eq!(normalized(imported), expected(&release, true));
    }

    #[test]
    fn frab_xml_round_trips_and_escapes() {
        let (event, release) = (event(), release());
        let xml = frab_xml(&event, &release, HOST, BASE, Language::Fr);
        assert!(xml.contains("<title>Keynote &lt;&amp;&gt; &quot;ouverture&quot;</title>"));
        assert!(xml.contains("name=\"Salle B &lt;&amp;&gt;\""));
        assert!(!xml.contains("<&>"));
        assert!(xml.contains("ندوة حول الطاقة المتجددة"));
        assert!(xml.contains("<days>2</days>"));
        assert!(xml.contains("<start>14:00</start>"));
        assert!(xml.contains("<duration>01:30</duration>"));
        assert!(xml.contains(&format!(
            "<event guid=\"{}\" id=\"11\">",
            ids::guid(HOST, 11)
        )));
        let imported = frab::parse(xml.as_bytes()).expect("import");
        assert_eq!(imported.rooms, expected(&release, false).rooms);
        assert_eq!(normalized(imported), expected(&release, false));
    }

    #[test]
    fn calendar_is_crlf_folded_and_in_utc() {
        let (event, release) = (event(), release());
        let sequences = BTreeMap::from([(11, 2)]);
        let cal = calendar(&event, &release, &sequences, HOST, BASE, Language::Ar);
        assert!(cal.starts_with("BEGIN:VCALENDAR\r\n"));
        assert!(cal.ends_with("END:VCALENDAR\r\n"));
        assert!(!cal.replace("\r\n", "").contains('\n'));
        assert!(cal.split("\r\n").all(|l| l.len() <= 75), "{cal}");
        let unfolded = cal.replace("\r\n ", "");
        for line in [
            "METHOD:PUBLISH",
            "X-WR-CALNAME:معرض سيكام",
            "UID:session-11@salon.example",
            "SEQUENCE:2",
            "SEQUENCE:0",
            "DTSTAMP:20260401T080000Z",
            "DTSTART:20260503T080000Z",
            "DTEND:20260503T090000Z",
            "SUMMARY:ندوة حول الطاقة المتجددة في المغرب ومستقبل الصناعة الخضراء",
            "LOCATION:القاعة أ\\, Hall 1\\, Parc des expositions\\, Casablanca",
            "URL:https://salon.example/events/siccam-2026/sessions/11",
            "CATEGORIES:Industrie & Innovation",
        ] {
            assert!(
                unfolded.contains(&format!("{line}\r\n")),
                "{line} in {unfolded}"
            );
        }
        assert_eq!(unfolded.matches("BEGIN:VEVENT").count(), 4);

        let s = &release.snapshot.sessions[0];
        let mut cancel = vevent(
            &event,
            &release.snapshot,
            s,
            3,
            release.published_at,
            HOST,
            BASE,
            Language::Fr,
        );
        cancel.status = Some(Status::Cancelled);
        let lines = cancel.lines();
        assert!(lines.iter().any(|l| l == "STATUS:CANCELLED"));
        assert!(!lines.iter().any(|l| l == "STATUS:CONFIRMED"));
        let itip = Calendar {
            method: Method::Cancel,
            name: Some("Salon".into()),
            events: vec![cancel],
        }
        .write();
        assert!(itip.contains("METHOD:CANCEL\r\n"));
        assert!(itip.contains("UID:session-11@salon.example\r\n"));
    }
}
