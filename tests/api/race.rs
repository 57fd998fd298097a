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

/// SPEC §8: capacity 10, 200 concurrent confirmations on two instances → exactly 10 confirmed
/// and 190 waitlisted; then 5 cancellations → exactly 5 promoted, each emailed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_confirmations_for_ten_seats() {
    use std::collections::HashMap;
    let first = spawn_app().await;
    let second = spawn_sibling(&first).await;
    let slug = first.open_event("rush", Some(10)).await;
    let path = format!("/api/v1/events/{slug}/registrations");
    let emails: Vec<String> = (0..200)
        .map(|i| format!("rush{i:03}@example.com"))
        .collect();
    for chunk in emails.chunks(20) {
        let posts = chunk.iter().map(|e| {
            first.post(
                &path,
                None,
                serde_json::json!({"name": "R", "email": e, "consent": true}),
            )
        });
        for (s, b) in join_all(posts).await {
            assert_eq!(s, StatusCode::ACCEPTED, "{b}");
        }
    }
    // Every confirmation link, from the delivered emails.
    first.drain_mail();
    let prefix = format!("{}/confirm/", first.settings.base_url());
    let mut tokens: HashMap<String, String> = HashMap::new();
    for _ in 0..1200 {
        tokens = first
            .mailbox()
            .into_iter()
            .filter(|m| m.text.contains(&prefix))
            .map(|m| (m.to.clone(), m.token(&prefix)))
            .collect();
        if tokens.len() == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(tokens.len(), 200);
    let apps = [&first, &second];
    let confirms = emails.iter().enumerate().map(|(i, e)| {
        let app = apps[i % 2];
        let token = tokens[e].clone();
        async move {
            app.post(
                "/api/v1/registrations/confirm",
                None,
                serde_json::json!({"token": token}),
            )
            .await
        }
    });
    let results = join_all(confirms).await;
    let count = |status: &str| {
        results
            .iter()
            .filter(|(s, b)| *s == StatusCode::OK && b["registration"]["status"] == status)
            .count()
    };
    assert_eq!(
        count("confirmed"),
        10,
        "{:?}",
        results
            .iter()
            .filter(|(s, _)| *s != StatusCode::OK)
            .collect::<Vec<_>>()
    );
    assert_eq!(count("waitlisted"), 190);

    // Five confirmed attendees cancel at once, through both instances.
    let holders: Vec<String> = results
        .iter()
        .filter(|(_, b)| b["registration"]["status"] == "confirmed")
        .take(5)
        .map(|(_, b)| b["manage_token"].as_str().unwrap_or("").to_string())
        .collect();
    let cancels = holders
        .iter()
        .enumerate()
        .map(|(i, t)| apps[i % 2].delete("/api/v1/me", Some(t)));
    for (s, _) in join_all(cancels).await {
        assert_eq!(s, StatusCode::OK);
    }
    let (_, confirmed) = first
        .get(
            &format!("{path}?status=confirmed&per_page=200"),
            Some(&first.admin),
        )
        .await;
    assert_eq!(
        confirmed["total"], 10,
        "five promoted into the five freed seats"
    );
    let (_, waiting) = first
        .get(&format!("{path}?status=waitlisted"), Some(&first.admin))
        .await;
    assert_eq!(waiting["total"], 185);
    let promoted = first.outbox("registration_promoted");
    assert_eq!(promoted.len(), 5, "each promoted attendee is emailed once");
    for (to, _, _) in &promoted {
        first
            .delivered("registration_promoted", to.as_deref().unwrap_or(""), 1)
            .await;
    }
}
