//! `salon backup` (issue 26): a copy of a SQLite database taken while registrations are being
//! written is consistent, passes its integrity check, and a server started on it serves what
//! it holds. PostgreSQL has pg_dump; these tests run on SQLite only.

use futures::future::join_all;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_registrations_are_written_restores() {
    let app = spawn_app().await;
    if app.db.backend() != salon::db::Backend::Sqlite {
        return;
    }
    let slug = app.open_event("backup", None).await;
    let target = std::env::temp_dir().join(format!("{}-backup.db", unique_name()));
    let path = format!("/api/v1/events/{slug}/registrations");
    let posts = (0..60).map(|i| {
        app.post(
            &path,
            Some(&app.admin),
            json!({"name": format!("Visiteur {i}"), "email": format!("v{i}@backup.example")}),
        )
    });
    let (db, to) = (app.db.clone(), target.clone());
    let copy = tokio::task::spawn_blocking(move || {
        std::thread::sleep(std::time::Duration::from_millis(30));
        salon::db::backup::sqlite(&db, &to)
    });
    let (written, copied) = tokio::join!(join_all(posts), copy);
    assert!(
        written.iter().all(|(s, _)| *s == StatusCode::CREATED),
        "{written:?}"
    );
    let copied = copied.expect("join").expect("backup");
    let held = copied
        .tables
        .iter()
        .find(|(t, _)| t == "registrations")
        .map(|(_, n)| *n)
        .expect("the registrations table");
    assert!((0..=60).contains(&held), "{held}");
    println!("the backup holds {held} of the 60 registrations");
    assert!(copied.bytes > 0);
    let again = salon::db::backup::sqlite(&app.db, &target);
    assert!(again.is_err(), "an existing file is never overwritten");

    // Restored: a server on the copy serves the fair and exactly the registrations it holds,
    // and the organizer token issued before the copy still works there.
    let url = format!("sqlite://{}", target.display());
    let restored = spawn_app_with(|s| s.database.url = salon::config::Secret::new(url)).await;
    let (status, list) = restored
        .get(
            &format!("/api/v1/events/{slug}/registrations?per_page=1"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], held);
    let _ = std::fs::remove_file(&target);
}
