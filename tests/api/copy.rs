//! `salon copy --to postgres://…` (issue 26): a SQLite database with a fair, an attendee and
//! an organizer moves into an empty PostgreSQL database; a server started on it honours the
//! manage token, the agenda feed and the organizer token issued before the move, and gives
//! new rows ids after the copied ones. A copy into a database that holds rows refuses and
//! writes nothing. Runs with SALON_TEST_POSTGRES_URL (the PostgreSQL suite).

use reqwest::StatusCode;
use serde_json::json;

use crate::bookings::attendee;
use crate::helpers::*;

#[tokio::test]
async fn a_sqlite_fair_moves_to_postgresql_with_its_tokens() {
    let Some(base) = postgres_base() else {
        return;
    };
    let app = spawn_sqlite_app().await;
    let slug = app.open_event("moving", None).await;
    let token = attendee(&app, &slug, "mover@example.com", "fr").await;
    let (_, me) = app.get("/api/v1/me", Some(&token)).await;
    let feed = me["agenda_url"].as_str().expect("feed").to_string();
    let before = me["registration"]["id"].as_i64().expect("id");

    let target = TestDb::new_postgres(&base);
    let copied = salon::db::copy::sqlite_to_postgres(&app.db, target.url()).expect("copy");
    let rows = |t: &str| copied.iter().find(|(n, _)| n == t).map(|(_, n)| *n);
    assert_eq!(rows("registrations"), Some(1));
    assert_eq!(rows("events"), Some(1));
    assert!(rows("organizers").is_some_and(|n| n >= 1));

    let url = target.url().to_string();
    let moved = spawn_app_with(|s| s.database.url = salon::config::Secret::new(url)).await;
    let (status, me) = moved.get("/api/v1/me", Some(&token)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the manage token works after the move: {me}"
    );
    assert_eq!(me["registration"]["id"], before);
    let moved_feed = feed.replace(app.settings.base_url(), moved.settings.base_url());
    let res = moved.client.get(&moved_feed).send().await.expect("feed");
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the feed works after the move"
    );
    let (status, list) = moved
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the organizer token works after the move"
    );
    assert_eq!(list["total"], 1);
    let (status, new) = moved
        .post(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
            json!({"name": "Nouvelle", "email": "new@example.com"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{new}");
    assert!(
        new["id"].as_i64().expect("id") > before,
        "ids continue after the copied ones"
    );

    // Into a database that holds rows: refused, nothing written.
    let refused = salon::db::copy::sqlite_to_postgres(&app.db, target.url());
    assert!(refused
        .expect_err("refused")
        .to_string()
        .contains("not empty"));
    let (_, list) = moved
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["total"], 2);
}
