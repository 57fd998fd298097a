//! c3voc schedule JSON, written as pretalx writes it and read as pretalx, frab and Salon write
//! it. The JSON follows voc/schedule `validator/json/schema.json` and pretalx's exporter.

use serde_json::{json, Map, Value};

use super::ids::{frab_slug, guid, person_guid, room_guid};
use super::imported::{nonempty, Builder, Imported, RawEvent, RawPerson};
use super::programme::{
    days, duration_hhmm, span, ymd, Programme, Session, GENERATOR, GENERATOR_VERSION, TIMESLOT,
};

const C3VOC_SCHEMA: &str = "https://c3voc.de/schedule/schema.json";

/// The programme as c3voc schedule JSON, as pretalx writes it.
pub fn write(programme: &Programme) -> Value {
    let base = programme.base_url.as_str();
    let days = days(programme);
    let (first, last) = span(programme, &days);
    let rooms_json: Vec<Value> = programme
        .rooms
        .iter()
        .map(|r| {
            let mut room = Map::new();
            room.insert("name".into(), json!(r.name));
            room.insert("guid".into(), json!(room_guid(&programme.host, r.id)));
            if let Some(seats) = r.capacity {
                room.insert("capacity".into(), json!(seats));
            }
            Value::Object(room)
        })
        .collect();
    let tracks_json: Vec<Value> = programme
        .tracks
        .iter()
        .map(|t| json!({"name": t.name, "color": t.color}))
        .collect();
    let days_json: Vec<Value> = days
        .iter()
        .map(|day| {
            let mut by_room = Map::new();
            for room in &programme.rooms {
                let room_name = &room.name;
                let events: Vec<Value> = day
                    .sessions
                    .iter()
                    .filter(|s| s.room_id == room.id)
                    .map(|s| json_event(programme, s, room_name))
                    .collect();
                if events.is_empty() {
                    continue;
                }
                // Two rooms may share a name in one language: keep both rooms' events.
                let slot = by_room
                    .entry(room_name.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(list) = slot {
                    list.extend(events);
                }
            }
            json!({
                "index": day.index,
                "date": ymd(day.date),
                "day_start": day.start.to_rfc3339(),
                "day_end": day.end.to_rfc3339(),
                "rooms": by_room,
            })
        })
        .collect();
    json!({
        "$schema": C3VOC_SCHEMA,
        "generator": {"name": GENERATOR, "version": GENERATOR_VERSION, "url": base},
        "schedule": {
            "version": programme.version,
            "base_url": base,
            "conference": {
                "acronym": programme.slug,
                "title": programme.title,
                "start": ymd(first),
                "end": ymd(last),
                "daysCount": days.len(),
                "timeslot_duration": TIMESLOT,
                "time_zone_name": programme.timezone.name(),
                "url": programme.url,
                "rooms": rooms_json,
                "tracks": tracks_json,
                "days": days_json,
            },
        },
    })
}

fn json_event(programme: &Programme, s: &Session, room_name: &str) -> Value {
    let host = programme.host.as_str();
    let local = s.starts_at.with_timezone(&programme.timezone);
    let persons: Vec<Value> = s
        .speakers
        .iter()
        .map(|sp| {
            let mut person = Map::new();
            person.insert("id".into(), json!(sp.id));
            person.insert("guid".into(), json!(person_guid(host, sp.id)));
            person.insert("name".into(), json!(sp.name));
            if let Some(bio) = sp.bio.as_deref().filter(|b| !b.trim().is_empty()) {
                person.insert("biography".into(), json!(bio));
            }
            Value::Object(person)
        })
        .collect();
    json!({
        "guid": guid(host, s.id),
        "id": s.id,
        "date": local.fixed_offset().to_rfc3339(),
        "start": local.format("%H:%M").to_string(),
        "duration": duration_hhmm(s),
        "room": room_name,
        "slug": frab_slug(&programme.slug, s.id, &s.title),
        "url": s.url,
        "title": s.title,
        "subtitle": "",
        // "" rather than null, and `logo`/`answers` present: older revisions of the c3voc
        // schema require them.
        "track": s.track.clone().unwrap_or_default(),
        "logo": "",
        "answers": [],
        "type": s.kind,
        "language": s.language,
        "abstract": s.abstract_text.clone().unwrap_or_default(),
        "description": "",
        "recording_license": "",
        "do_not_record": false,
        "persons": persons,
        "links": [],
        "attachments": [],
    })
}

/// A JSON member as text: strings as they are, numbers written out (ids), else none.
fn json_text(object: &Map<String, Value>, key: &str) -> Option<String> {
    match object.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads a c3voc schedule JSON (as pretalx, frab and Salon write it).
pub fn parse(body: &[u8]) -> Result<Imported, Vec<(String, String)>> {
    let root: Value = serde_json::from_slice(body)
        .map_err(|e| vec![("body".to_string(), format!("is not JSON: {e}"))])?;
    let Some(schedule) = root.get("schedule").and_then(Value::as_object) else {
        return Err(vec![(
            "schedule".to_string(),
            "must be an object: this is not a c3voc schedule JSON".to_string(),
        )]);
    };
    let Some(conference) = schedule.get("conference").and_then(Value::as_object) else {
        return Err(vec![(
            "schedule.conference".to_string(),
            "must be an object".to_string(),
        )]);
    };
    let mut b = Builder::default();
    match conference.get("rooms") {
        None | Some(Value::Null) => {}
        Some(Value::Array(rooms)) => {
            for (i, room) in rooms.iter().enumerate() {
                let room = room.as_object();
                match room.and_then(|r| nonempty(json_text(r, "name"))) {
                    Some(name) => {
                        let capacity = room
                            .and_then(|r| r.get("capacity"))
                            .and_then(Value::as_i64)
                            .and_then(|c| i32::try_from(c).ok());
                        b.room(&name, capacity);
                    }
                    None => b.error(
                        format!("schedule.conference.rooms.{i}.name"),
                        "must be a non-empty text",
                    ),
                }
            }
        }
        Some(_) => b.error("schedule.conference.rooms", "must be a list"),
    }
    match conference.get("tracks") {
        None | Some(Value::Null) => {}
        Some(Value::Array(tracks)) => {
            for (i, track) in tracks.iter().enumerate() {
                let track = track.as_object();
                match track.and_then(|t| nonempty(json_text(t, "name"))) {
                    Some(name) => {
                        let color = track.and_then(|t| nonempty(json_text(t, "color")));
                        b.track(&name, color);
                    }
                    None => b.error(
                        format!("schedule.conference.tracks.{i}.name"),
                        "must be a non-empty text",
                    ),
                }
            }
        }
        Some(_) => b.error("schedule.conference.tracks", "must be a list"),
    }
    let Some(days) = conference.get("days").and_then(Value::as_array) else {
        b.error("schedule.conference.days", "must be a list of days");
        return b.finish();
    };
    for (d, day) in days.iter().enumerate() {
        let day_path = format!("schedule.conference.days.{d}");
        let Some(rooms) = day.get("rooms").and_then(Value::as_object) else {
            b.error(
                format!("{day_path}.rooms"),
                "must be an object of room name → events",
            );
            continue;
        };
        for (room_name, events) in rooms {
            let room_path = format!("{day_path}.rooms.{room_name}");
            b.room(room_name, None);
            let Some(events) = events.as_array() else {
                b.error(room_path, "must be a list of events");
                continue;
            };
            for (k, event) in events.iter().enumerate() {
                let path = format!("{room_path}.{k}");
                let Some(event) = event.as_object() else {
                    b.error(path, "must be an object");
                    continue;
                };
                let persons = match event.get("persons") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Array(list)) => list
                        .iter()
                        .enumerate()
                        .map(|(i, person)| {
                            let person_path = format!("{path}.persons.{i}");
                            match person.as_object() {
                                Some(o) => RawPerson {
                                    path: person_path,
                                    key: json_text(o, "id")
                                        .or_else(|| json_text(o, "code"))
                                        .or_else(|| json_text(o, "guid")),
                                    name: json_text(o, "name")
                                        .or_else(|| json_text(o, "public_name"))
                                        .or_else(|| json_text(o, "full_name")),
                                    bio: json_text(o, "biography"),
                                },
                                None => RawPerson {
                                    path: person_path,
                                    key: None,
                                    name: None,
                                    bio: None,
                                },
                            }
                        })
                        .collect(),
                    Some(_) => {
                        b.error(format!("{path}.persons"), "must be a list");
                        Vec::new()
                    }
                };
                let track = match event.get("track") {
                    Some(Value::Object(t)) => json_text(t, "name"),
                    _ => json_text(event, "track"),
                };
                let room = nonempty(json_text(event, "room")).or_else(|| Some(room_name.clone()));
                let text = |key: &str| json_text(event, key);
                let raw = RawEvent::read(text, track, room, persons, path);
                b.session(raw);
            }
        }
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;
    use crate::calendar::{frab, ImportedTrack};
    use crate::domain::text::MAX_ERRORS;

    #[test]
    fn pretalx_json_is_read() {
        let body = br##"{"schedule": {"version": "v1", "conference": {
            "acronym": "demo", "title": "Demo",
            "rooms": [{"name": "Main", "guid": "x"}],
            "tracks": [{"name": "Tech", "color": "#112233"}],
            "days": [{"index": 1, "date": "2026-05-03", "rooms": {"Main": [{
                "guid": "g", "id": 7, "date": "2026-05-03T10:00:00+02:00", "start": "10:00",
                "duration": "0:45:00", "room": "Main", "title": " Talk title ", "track": "Tech",
                "type": "Talk", "language": "en", "abstract": "", "description": "Long",
                "persons": [{"code": "ABC", "name": "Ada", "public_name": "Ada", "biography": "Bio"}],
                "links": []}]}}]}}}"##;
        let imported = parse(body).expect("import");
        assert_eq!(
            imported.tracks,
            [ImportedTrack {
                name: "Tech".into(),
                color: Some("#112233".into())
            }]
        );
        let s = &imported.sessions[0];
        assert_eq!(s.title, "Talk title");
        assert_eq!(s.kind, "seminar");
        assert_eq!(s.abstract_text.as_deref(), Some("Long"));
        assert_eq!(s.ends_at - s.starts_at, TimeDelta::minutes(45));
        assert_eq!(s.speaker_keys, ["ABC"]);
        assert_eq!(imported.speakers[0].bio.as_deref(), Some("Bio"));
    }

    #[test]
    fn a_flood_of_bad_days_reports_the_first_hundred_and_counts_the_rest() {
        let days = vec!["1"; 5_000].join(",");
        let body = format!(r#"{{"schedule": {{"conference": {{"days": [{days}]}}}}}}"#);
        let errors = parse(body.as_bytes()).expect_err("refused");
        assert_eq!(errors.len(), MAX_ERRORS + 1);
        let (field, message) = errors.last().expect("summary");
        assert_eq!(field, "body");
        assert!(message.contains("4900 more"), "{message}");
    }

    #[test]
    fn imports_report_every_bad_field() {
        let body = br#"{"schedule": {"version": "1", "conference": {"acronym": "x", "title": "x",
            "days": [{"index": 1, "date": "2026-05-03", "rooms": {"A": [
                {"title": "", "date": "nope", "duration": "1h"},
                {"title": "ok", "date": "2026-05-03T09:00:00+01:00", "duration": "00:30",
                 "persons": [{"id": 3}]}]}}]}}}"#;
        let errors = parse(body).expect_err("bad");
        let fields: Vec<&str> = errors.iter().map(|(f, _)| f.as_str()).collect();
        let p = "schedule.conference.days.0.rooms.A";
        assert_eq!(
            fields,
            [
                format!("{p}.0.title"),
                format!("{p}.0.date"),
                format!("{p}.0.duration"),
                format!("{p}.1.persons.0.name"),
            ]
        );
        assert_eq!(parse(b"{").expect_err("not json")[0].0, "body");
        assert_eq!(
            frab::parse(b"<foo/>").expect_err("not frab")[0].0,
            "schedule"
        );
        assert_eq!(
            frab::parse(b"<schedule>").expect_err("not xml")[0].0,
            "body"
        );
        let xml = "<schedule><day><room name=\"R\"><event id=\"1\"><title>T</title>\
            <type>lecture</type><date>2026-05-03T09:00:00+01:00</date><duration>1:00</duration>\
            <persons><person>Ada</person></persons></event></room></day></schedule>";
        let imported = frab::parse(xml.as_bytes()).expect("frab");
        assert_eq!(imported.sessions[0].room, "R");
        assert_eq!(imported.sessions[0].kind, "seminar");
        assert_eq!(imported.sessions[0].speaker_keys, ["Ada"]);
    }
}
