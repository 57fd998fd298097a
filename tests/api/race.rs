//! SPEC §8: check-then-write serialises on the event row, across instances with their own pools.

use futures::future::join_all;
use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_writes_into_one_room_and_hour_make_one_session() {
    let first = spawn_app().await;
    let second = spawn_sibling(&first).await;
    let f = first.programme_fixture("race").await;
    let apps = [&first, &second];
    let requests = (0..20).map(|i| {
        let app = apps[i % 2];
        let body = session_body(&format!("Racer {i}"), f.room_a, "10:00", "11:00", &[]);
        let path = f.sessions();
        async move { app.post(&path, Some(&app.admin), body).await }
    });
    let results = join_all(requests).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    let conflicts = results
        .iter()
        .filter(|(s, b)| *s == StatusCode::CONFLICT && conflict_kinds(b) == vec!["room_overlap"])
        .count();
    assert_eq!(created, 1, "{results:?}");
    assert_eq!(conflicts, 19, "{results:?}");
    let (_, list) = first.get(&f.sessions(), Some(&first.admin)).await;
    assert_eq!(list["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_speaker_bookings_across_rooms_make_one_session() {
    let first = spawn_app().await;
    let second = spawn_sibling(&first).await;
    let f = first.programme_fixture("race-speaker").await;
    let apps = [&first, &second];
    let rooms = [f.room_a, f.room_b];
    let requests = (0..10).map(|i| {
        let app = apps[i % 2];
        let body = session_body(
            &format!("Talk {i}"),
            rooms[(i / 2) % 2],
            "14:00",
            "15:00",
            &[f.amina],
        );
        let path = f.sessions();
        async move { app.post(&path, Some(&app.admin), body).await }
    });
    let results = join_all(requests).await;
    assert_eq!(
        results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count(),
        1,
        "{results:?}"
    );
}
