//! Conflict detection (indexed queries in the write transaction) against a brute-force model
//! on random programmes.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use proptest::prelude::*;
use salon::db::Db;
use salon::domain::text::Check;
use salon::domain::{Language, Translatable};
use salon::error::AppError;
use salon::events::store::{self as events, EventFields};
use salon::schedule::model::{RoomForm, SessionKind, SpeakerForm};
use salon::schedule::sessions::{self, Draft};
use salon::schedule::store as schedule;

use crate::helpers::TestDb;

#[derive(Debug, Clone)]
struct Gen {
    room: usize,
    day: i64,
    start_quarter: i64,
    quarters: i64,
    speakers: Vec<usize>,
}

fn gen_session() -> impl Strategy<Value = Gen> {
    (
        0..3usize,
        0..3i64,
        0..44i64,
        -1..10i64,
        proptest::sample::subsequence(vec![0usize, 1, 2, 3], 0..3),
    )
        .prop_map(|(room, day, start_quarter, quarters, speakers)| Gen {
            room,
            day,
            start_quarter,
            quarters,
            speakers,
        })
}

const DAY0: (i32, u32, u32) = (2027, 5, 3);

/// Times in UTC, the event in UTC too, open 09:00–18:00 on days 0 and 1.
fn times(g: &Gen) -> (NaiveDateTime, NaiveDateTime) {
    let day =
        NaiveDate::from_ymd_opt(DAY0.0, DAY0.1, DAY0.2).expect("date") + TimeDelta::days(g.day);
    let start = day.and_time(NaiveTime::from_hms_opt(8, 0, 0).expect("time"))
        + TimeDelta::minutes(15 * g.start_quarter);
    (start, start + TimeDelta::minutes(15 * g.quarters))
}

/// The model: what conflicts `g` has with the accepted sessions, by definition.
fn expected(
    g: &Gen,
    accepted: &[(i64, Gen)],
    speaker_ids: &[i64],
) -> BTreeSet<(String, Option<i64>, Option<i64>)> {
    let mut out = BTreeSet::new();
    let (s, e) = times(g);
    if e <= s {
        out.insert(("ends_before_start".into(), None, None));
        return out;
    }
    let day_start = s
        .date()
        .and_time(NaiveTime::from_hms_opt(9, 0, 0).expect("time"));
    let day_end = s
        .date()
        .and_time(NaiveTime::from_hms_opt(18, 0, 0).expect("time"));
    if g.day > 1 || s < day_start || e > day_end || e.date() != s.date() {
        out.insert(("outside_event".into(), None, None));
    }
    for (id, other) in accepted {
        let (os, oe) = times(other);
        let overlap = s < oe && os < e;
        if overlap && other.room == g.room {
            out.insert(("room_overlap".into(), Some(*id), None));
        }
        for sp in &g.speakers {
            if overlap && other.speakers.contains(sp) {
                out.insert(("speaker_overlap".into(), Some(*id), Some(speaker_ids[*sp])));
            }
        }
    }
    out
}

static CASE: AtomicUsize = AtomicUsize::new(0);

fn run_case(db: &Db, programme: &[Gen]) -> Result<(), TestCaseError> {
    let mut pooled = db.get().expect("conn");
    let mut c = pooled.conn();
    let slug = format!("prop-{}", CASE.fetch_add(1, Ordering::SeqCst));
    let fields = EventFields {
        name: Translatable::Same("Prop".into()),
        description: Translatable::Same(String::new()),
        payment_instructions: Translatable::Same(String::new()),
        timezone: chrono_tz::UTC,
        starts_on: NaiveDate::from_ymd_opt(DAY0.0, DAY0.1, DAY0.2).expect("date"),
        ends_on: NaiveDate::from_ymd_opt(DAY0.0, DAY0.1, DAY0.2 + 1).expect("date"),
        venue: "v".into(),
        city: "c".into(),
        languages: vec![Language::En],
        default_language: Language::En,
        capacity: None,
        opens_at: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
        closes_at: NaiveTime::from_hms_opt(18, 0, 0).expect("time"),
        contact_email: "c@example.com".into(),
        registration_opens_at: None,
        registration_closes_at: None,
    };
    let event = c
        .write_tx(|c| events::insert(c, &slug, &fields))
        .expect("event");
    let room_ids: Vec<i64> = (0..3)
        .map(|i| {
            let mut check = Check::default();
            let form = RoomForm::check(
                Translatable::Same(format!("R{i}")),
                None,
                Some(50),
                &mut check,
            )
            .expect("a room");
            c.write_tx(|c| schedule::insert_room(c, event.id, &form))
                .expect("room")
                .id
        })
        .collect();
    let speaker_ids: Vec<i64> = (0..4)
        .map(|i| {
            let mut check = Check::default();
            let form = SpeakerForm::check(Some(format!("S{i}")), None, None, None, &mut check)
                .expect("a speaker");
            c.write_tx(|c| schedule::insert_speaker(c, event.id, &form))
                .expect("speaker")
                .id
        })
        .collect();
    let mut accepted: Vec<(i64, Gen)> = Vec::new();
    for g in programme {
        let (s, e) = times(g);
        let title = "t".to_string();
        let room = room_ids[g.room];
        let mut draft = Draft::scheduled(title, SessionKind::Seminar, Language::En, room, (s, e));
        draft.speaker_ids = g.speakers.iter().map(|i| speaker_ids[*i]).collect();
        let want = expected(g, &accepted, &speaker_ids);
        let result = c.write_tx(|c| {
            let event = events::lock(c, &slug)?;
            sessions::save(c, &event, None, draft, Duration::from_secs(600))
        });
        match result {
            Ok((session, _)) => {
                prop_assert!(
                    want.is_empty(),
                    "accepted {g:?} but the model expects {want:?}"
                );
                accepted.push((session.id, g.clone()));
            }
            Err(AppError::ScheduleConflict { conflicts, .. }) => {
                let got: BTreeSet<_> = conflicts
                    .iter()
                    .map(|k| {
                        (
                            serde_json::to_value(k.kind)
                                .expect("kind")
                                .as_str()
                                .unwrap_or("")
                                .to_string(),
                            k.with_session_id,
                            k.speaker_id,
                        )
                    })
                    .collect();
                prop_assert_eq!(got, want, "for {:?}", g);
            }
            Err(other) => prop_assert!(false, "unexpected error {other:?}"),
        }
    }
    Ok(())
}

#[test]
fn conflict_detection_matches_the_brute_force_model() {
    let test_db = TestDb::new_sqlite();
    let db = Db::connect(test_db.url(), 1, Duration::from_secs(10)).expect("connect");
    salon::db::migrations::run_pending(&db).expect("migrate");
    let config = ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    };
    proptest!(config, |(programme in proptest::collection::vec(gen_session(), 1..40))| {
        run_case(&db, &programme)?;
    });
}
