//! Exhibitors, booths, staff passes and check-in (SPEC §3, §4).

use futures::future::join_all;
use reqwest::StatusCode;
use salon::domain::Role;
use serde_json::{json, Value};

use crate::helpers::*;

pub(crate) async fn booth(
    app: &TestApp,
    slug: &str,
    code: &str,
    hall: Value,
    area: i64,
    passes: i64,
) -> i64 {
    app.create(
        &format!("/api/v1/events/{slug}/booths"),
        json!({"code": code, "hall": hall, "area_m2": area, "kind": "standard", "staff_passes": passes, "price": {"amount": 1_500_000, "currency": "MAD"}}),
    )
    .await
}

fn application(email: &str, lang: &str) -> Value {
    json!({"company_name": format!("Company {email}"), "contact_name": "Karim", "email": email, "website": "https://atlas.example",
        "country": "MA", "sector": "BPO", "description": "Centres de contact multilingues", "phone": "+212 5 22 00 00 00",
        "booth_kind": "corner", "booth_area_m2": 12, "language": lang, "consent": true})
}

/// Applies, confirms by the emailed token, and returns the exhibitor's id.
pub(crate) async fn submitted(app: &TestApp, slug: &str, email: &str, lang: &str) -> i64 {
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors"),
            None,
            application(email, lang),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let mail = &app.delivered("exhibitor_confirm", email, 1).await[0];
    let token = mail.token(&format!("{}/exhibitors/confirm/", app.settings.base_url()));
    let (status, ex) = app
        .post("/api/v1/exhibitors/confirm", None, json!({"token": token}))
        .await;
    assert_eq!(status, StatusCode::OK, "{ex}");
    assert_eq!(ex["status"], "submitted");
    ex["id"].as_i64().expect("id")
}

/// Approves with `booth` and returns the exhibitor's manage token from the approval email.
pub(crate) async fn approved(
    app: &TestApp,
    slug: &str,
    email: &str,
    lang: &str,
    booth: Option<&str>,
) -> (i64, String) {
    let id = submitted(app, slug, email, lang).await;
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/approve"),
            Some(&app.admin),
            json!({"booth_code": booth}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mail = &app.delivered("exhibitor_approved", email, 1).await[0];
    (
        id,
        mail.token(&format!("{}/exhibitor/", app.settings.base_url())),
    )
}

#[tokio::test]
async fn the_whole_exhibitor_lifecycle() {
    let app = spawn_app_with(|s| s.registration.resend_interval = std::time::Duration::ZERO).await;
    let slug = app.open_event("expo", None).await;
    booth(
        &app,
        &slug,
        "b12",
        json!({"fr": "Hall A", "ar": "الجناح أ"}),
        12,
        2,
    )
    .await;
    booth(&app, &slug, "C1", json!("Hall B"), 24, 4).await;

    let id = submitted(&app, &slug, "contact@atlas.example", "fr").await;
    let notice = &app
        .delivered("exhibitor_submitted", "contact@siccam.example", 1)
        .await[0];
    assert!(
        notice.subject.contains("Company contact@atlas.example"),
        "the contact is told: {}",
        notice.subject
    );

    // A repeat application: the same 202, and an email saying it is on file.
    let (status, again) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors"),
            None,
            application("contact@atlas.example", "fr"),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (_, fresh) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors"),
            None,
            application("new@atlas.example", "fr"),
        )
        .await;
    assert_eq!(again, fresh, "no enumeration");
    let on_file = &app
        .delivered("exhibitor_already_applied", "contact@atlas.example", 1)
        .await[0];
    assert!(
        on_file.text.contains("en cours d'examen"),
        "{}",
        on_file.text
    );

    let (status, ex) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/approve"),
            Some(&app.admin),
            json!({"booth_code": "B12"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{ex}");
    assert_eq!(ex["booth"]["code"], "B12");
    let mail = &app
        .delivered("exhibitor_approved", "contact@atlas.example", 1)
        .await[0];
    assert!(mail.text.contains("B12"));
    let token = mail.token(&format!("{}/exhibitor/", app.settings.base_url()));
    assert!(token.starts_with("sle_"));

    let (status, me) = app.get("/api/v1/exhibitor", Some(&token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["company_name"], "Company contact@atlas.example");
    let (status, me) = app.patch("/api/v1/exhibitor", Some(&token), json!({"description": "Relation client en darija, français et anglais", "website": null})).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["website"], Value::Null);
    let (status, problem) = app
        .patch(
            "/api/v1/exhibitor",
            Some(&token),
            json!({"website": "javascript:alert(1)"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["website"]);
    let page = app
        .client
        .get(app.url(&format!("/exhibitor/{token}")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(page.contains("B12") && page.contains("acceptée"));

    // Payment.
    let (status, ex) = app
        .patch(
            &format!("/api/v1/events/{slug}/exhibitors/{id}"),
            Some(&app.admin),
            json!({"payment_status": "paid"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ex["payment_status"], "paid");

    // Staff passes: two with this booth.
    let (status, me) = app
        .post(
            "/api/v1/exhibitor/staff",
            Some(&token),
            json!({"name": "يوسف العلمي", "email": "youssef@atlas.example", "language": "ar"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{me}");
    let (status, me) = app
        .post(
            "/api/v1/exhibitor/staff",
            Some(&token),
            json!({"name": "Sophie Martin", "email": "sophie@atlas.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, problem) = app
        .post(
            "/api/v1/exhibitor/staff",
            Some(&token),
            json!({"name": "Third", "email": "third@atlas.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");
    assert!(problem["detail"]
        .as_str()
        .unwrap_or("")
        .contains("2 staff passes"));
    let pass = &app
        .delivered("staff_pass", "youssef@atlas.example", 1)
        .await[0];
    assert!(
        pass.html.contains(r#"dir="rtl""#),
        "the staff member's language"
    );
    let fr_pass = &app.delivered("staff_pass", "sophie@atlas.example", 1).await[0];
    assert!(
        fr_pass.subject.contains("votre badge exposant"),
        "the exhibitor's language by default"
    );
    let (_, regs) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations?category=exhibitor_staff"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(regs["total"], 2);
    assert_eq!(regs["items"][0]["status"], "confirmed");
    assert_eq!(
        regs["items"][0]["organization"],
        "Company contact@atlas.example"
    );

    // A staff pass frees its place when removed.
    let sophie = me["staff"][1]["id"].as_i64().expect("staff id");
    let (status, _) = app
        .delete(&format!("/api/v1/exhibitor/staff/{sophie}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, me) = app
        .post(
            "/api/v1/exhibitor/staff",
            Some(&token),
            json!({"name": "Third", "email": "third@atlas.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);

    // A removed staff member can be given their pass back.
    let third = me["staff"]
        .as_array()
        .and_then(|staff| staff.iter().find(|s| s["email"] == "third@atlas.example"))
        .and_then(|s| s["id"].as_i64())
        .expect("staff id");
    let (status, _) = app
        .delete(&format!("/api/v1/exhibitor/staff/{third}"), Some(&token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, me) = app
        .post(
            "/api/v1/exhibitor/staff",
            Some(&token),
            json!({"name": "Sophie Martin", "email": "sophie@atlas.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{me}");
    let (_, regs) = app
        .get(
            &format!(
                "/api/v1/events/{slug}/registrations?category=exhibitor_staff&status=confirmed"
            ),
            Some(&app.admin),
        )
        .await;
    assert_eq!(regs["total"], 2, "{regs}");

    // Booths: B12 is taken; the summary counts it.
    let (_, available) = app
        .get(
            &format!("/api/v1/events/{slug}/booths?available=true"),
            None,
        )
        .await;
    assert_eq!(
        available["items"]
            .as_array()
            .map(|a| a.iter().map(|b| b["code"].clone()).collect::<Vec<_>>()),
        Some(vec![json!("C1")])
    );
    let (_, summary) = app
        .get(
            &format!("/api/v1/events/{slug}/booths/summary"),
            Some(&app.admin),
        )
        .await;
    let hall_a = summary
        .as_array()
        .and_then(|h| h.iter().find(|h| h["hall"]["fr"] == "Hall A"))
        .expect("hall A");
    assert_eq!(
        (
            hall_a["booths"].as_i64(),
            hall_a["area_m2_total"].as_i64(),
            hall_a["area_m2_assigned"].as_i64()
        ),
        (Some(1), Some(12), Some(12))
    );

    // Withdrawal frees the booth and cancels the passes.
    let (status, ex) = app
        .post("/api/v1/exhibitor/withdraw", Some(&token), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ex["status"], "withdrawn");
    assert_eq!(ex["booth"], Value::Null);
    let (_, regs) = app
        .get(
            &format!(
                "/api/v1/events/{slug}/registrations?category=exhibitor_staff&status=confirmed"
            ),
            Some(&app.admin),
        )
        .await;
    assert_eq!(regs["total"], 0);
    let (_, available) = app
        .get(
            &format!("/api/v1/events/{slug}/booths?available=true"),
            None,
        )
        .await;
    assert_eq!(available["total"], 2);
    let (status, problem) = app
        .post("/api/v1/exhibitor/withdraw", Some(&token), json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(problem["detail"]
        .as_str()
        .unwrap_or("")
        .contains("withdrawn to withdrawn"));
}

#[tokio::test]
async fn forbidden_transitions_name_both_states() {
    let app = spawn_app().await;
    let slug = app.open_event("transitions", None).await;
    let (_, _) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors"),
            None,
            application("p@x.example", "en"),
        )
        .await;
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/exhibitors"),
            Some(&app.admin),
        )
        .await;
    let pending = list["items"][0]["id"].as_i64().expect("id");
    let (status, problem) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors/{pending}/approve"),
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(problem["detail"]
        .as_str()
        .unwrap_or("")
        .contains("pending to approved"));
    let id = submitted(&app, &slug, "s@x.example", "en").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/reject"),
            Some(&app.admin),
            json!({"reason": "Le salon est complet dans votre secteur."}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let rejected = &app.delivered("exhibitor_rejected", "s@x.example", 1).await[0];
    assert!(rejected
        .text
        .contains("Le salon est complet dans votre secteur."));
    let (status, problem) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/approve"),
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(problem["detail"]
        .as_str()
        .unwrap_or("")
        .contains("rejected to approved"));
    let (status, problem) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/reject"),
            Some(&app.admin),
            json!({"reason": " "}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&problem), vec!["reason"]);
    let (status, _) = app
        .put_json(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/booth"),
            json!({"booth_code": "X"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "a rejected exhibitor gets no booth"
    );
    let viewer = app.organizer_token(Role::Viewer).await;
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/approve"),
            Some(&viewer),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn exhibitors_see_only_themselves_and_tokens_do_not_cross() {
    let app = spawn_app().await;
    let slug = app.open_event("boundaries", None).await;
    booth(&app, &slug, "A1", json!("Hall A"), 9, 3).await;
    booth(&app, &slug, "A2", json!("Hall A"), 9, 3).await;
    let (_, a) = approved(&app, &slug, "a@a.example", "en", Some("A1")).await;
    let (_, b) = approved(&app, &slug, "b@b.example", "en", Some("A2")).await;
    let (_, me_b) = app
        .post(
            "/api/v1/exhibitor/staff",
            Some(&b),
            json!({"name": "B staff", "email": "staff@b.example"}),
        )
        .await;
    let b_staff = me_b["staff"][0]["id"].as_i64().expect("id");
    let (_, me_a) = app.get("/api/v1/exhibitor", Some(&a)).await;
    assert_eq!(me_a["email"], "a@a.example");
    let (status, _) = app
        .delete(&format!("/api/v1/exhibitor/staff/{b_staff}"), Some(&a))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "A cannot cancel B's pass");
    let (_, me_b) = app.get("/api/v1/exhibitor", Some(&b)).await;
    assert_eq!(me_b["staff"][0]["status"], "confirmed");

    let attendee = {
        let t = app
            .register_and_get_token(&slug, "visitor@example.com", "en")
            .await;
        let (_, body) = app
            .post("/api/v1/registrations/confirm", None, json!({"token": t}))
            .await;
        body["manage_token"].as_str().expect("manage").to_string()
    };
    for token in [attendee.as_str(), app.admin.as_str()] {
        let (status, _) = app.get("/api/v1/exhibitor", Some(token)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, _) = app.get("/api/v1/me", Some(&a)).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an exhibitor token is refused on attendee routes"
    );
    let (status, problem) = app
        .post(
            "/api/v1/exhibitor/staff",
            Some(&a),
            json!({"name": "Visitor", "email": "visitor@example.com"}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "that email already holds a registration"
    );
    let detail = problem["detail"].as_str().unwrap_or("");
    assert!(detail.contains("cannot receive a staff pass"), "{problem}");
    assert!(
        !detail.contains("visitor@example.com"),
        "the refusal does not confirm who is registered"
    );
}

#[tokio::test]
async fn the_directory_shows_approved_exhibitors_public_fields_only() {
    let app = spawn_app().await;
    let slug = app.open_event("directory", None).await;
    booth(
        &app,
        &slug,
        "D4",
        json!({"fr": "Hall D", "en": "Hall D"}),
        9,
        1,
    )
    .await;
    approved(&app, &slug, "shown@x.example", "fr", Some("D4")).await;
    submitted(&app, &slug, "waiting@x.example", "fr").await;
    let (status, dir) = app
        .get(&format!("/api/v1/events/{slug}/exhibitors"), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(dir["total"], 1);
    let entry = dir["items"][0].as_object().expect("object");
    let mut keys: Vec<&str> = entry.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        vec![
            "booth_code",
            "company_name",
            "country",
            "description",
            "hall",
            "id",
            "sector",
            "website"
        ]
    );
    assert_eq!(entry["booth_code"], "D4");
    let (_, probe) = app
        .get(&format!("/api/v1/events/{slug}/exhibitors?q=karim"), None)
        .await;
    assert_eq!(
        probe["total"], 0,
        "contact names and emails cannot be probed through the directory"
    );
    let (_, found) = app
        .get(&format!("/api/v1/events/{slug}/exhibitors?q=company"), None)
        .await;
    assert_eq!(found["total"], 1);
    let (_, all) = app
        .get(
            &format!("/api/v1/events/{slug}/exhibitors?status=submitted"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(all["total"], 1);
    assert_eq!(all["items"][0]["email"], "waiting@x.example");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_approvals_for_one_booth() {
    let first = spawn_app().await;
    let second = spawn_sibling(&first).await;
    let slug = first.open_event("booth-race", None).await;
    booth(&first, &slug, "R1", json!("Hall R"), 9, 2).await;
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(submitted(&first, &slug, &format!("e{i}@race.example"), "en").await);
    }
    let apps = [&first, &second];
    let approvals = ids.iter().enumerate().map(|(i, id)| {
        let app = apps[i % 2];
        let path = format!("/api/v1/events/{slug}/exhibitors/{id}/approve");
        async move {
            app.post(&path, Some(&app.admin), json!({"booth_code": "R1"}))
                .await
        }
    });
    let results = join_all(approvals).await;
    assert_eq!(
        results.iter().filter(|(s, _)| *s == StatusCode::OK).count(),
        1,
        "{results:?}"
    );
    assert_eq!(
        results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CONFLICT)
            .count(),
        19
    );
    let (_, list) = first
        .get(
            &format!("/api/v1/events/{slug}/exhibitors?status=approved"),
            Some(&first.admin),
        )
        .await;
    assert_eq!(list["total"], 1, "a refused approval wrote nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_staff_requests_for_five_passes() {
    let first = spawn_app().await;
    let second = spawn_sibling(&first).await;
    let slug = first.open_event("staff-race", None).await;
    booth(&first, &slug, "S1", json!("Hall S"), 9, 5).await;
    let (_, token) = approved(&first, &slug, "boss@staff.example", "fr", Some("S1")).await;
    let apps = [&first, &second];
    let requests = (0..50).map(|i| {
        let app = apps[i % 2];
        let token = token.clone();
        async move {
            app.post(
                "/api/v1/exhibitor/staff",
                Some(&token),
                json!({"name": format!("Staff {i}"), "email": format!("s{i}@staff.example")}),
            )
            .await
        }
    });
    let results = join_all(requests).await;
    assert_eq!(
        results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CREATED)
            .count(),
        5
    );
    assert_eq!(
        results
            .iter()
            .filter(|(s, _)| *s == StatusCode::CONFLICT)
            .count(),
        45
    );
    let (_, me) = first.get("/api/v1/exhibitor", Some(&token)).await;
    assert_eq!(me["staff"].as_array().map(|s| s.len()), Some(5));
}

#[tokio::test]
async fn check_in_on_fair_days_only() {
    let app = spawn_app().await;
    let slug = app.open_event("door", None).await; // 3–4 May 2027, Africa/Casablanca (UTC+1)
    let (_, vip) = app.post(&format!("/api/v1/events/{slug}/registrations"), Some(&app.admin), json!({"name": "Nadia", "email": "n@example.ma", "organization": "Atlas", "category": "press"})).await;
    let code = vip["badge_code"].as_str().expect("badge").to_string();
    let checkin = app.organizer_token(Role::Checkin).await;
    let path = format!("/api/v1/events/{slug}/checkins");
    let at = |s: &str| {
        Some(
            chrono::DateTime::parse_from_rfc3339(s)
                .expect("time")
                .with_timezone(&chrono::Utc),
        )
    };

    app.clock.set(at("2027-05-02T22:59:00Z")); // 23:59 on 2 May in Casablanca
    let (status, problem) = app
        .post(&path, Some(&checkin), json!({"badge_code": code}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(problem["detail"]
        .as_str()
        .unwrap_or("")
        .contains("not a day of the fair"));

    app.clock.set(at("2027-05-02T23:30:00Z")); // 00:30 on 3 May in Casablanca
    let (status, first) = app
        .post(
            &path,
            Some(&checkin),
            json!({"badge_code": code.to_lowercase().replace('-', "")}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(
        (
            first["name"].as_str(),
            first["organization"].as_str(),
            first["category"].as_str()
        ),
        (Some("Nadia"), Some("Atlas"), Some("press"))
    );
    assert_eq!(first["first_today"], true);
    assert_eq!(first["day"], "2027-05-03");
    let (status, again) = app
        .post(&path, Some(&checkin), json!({"badge_code": code}))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["first_today"], false);

    app.clock.set(at("2027-05-04T09:00:00Z"));
    let (status, day2) = app
        .post(&path, Some(&checkin), json!({"badge_code": code}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(day2["day"], "2027-05-04");
    app.clock.set(at("2027-05-04T23:30:00Z")); // 00:30 on 5 May
    let (status, _) = app
        .post(&path, Some(&checkin), json!({"badge_code": code}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    app.clock.set(at("2027-05-04T10:00:00Z"));
    let (status, _) = app
        .post(
            &path,
            Some(&checkin),
            json!({"badge_code": "NOPE-NOPE-NOPE-NOPE"}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.post(
        &format!("/api/v1/events/{slug}/registrations"),
        None,
        json!({"name": "P", "email": "pending@example.ma", "consent": true}),
    )
    .await;
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations?status=pending"),
            Some(&app.admin),
        )
        .await;
    let pending_id = list["items"][0]["id"].as_i64().expect("id");
    let pending_code: String = {
        use diesel::prelude::*;
        use salon::db::schema::registrations;
        let mut pooled = app.db.get().expect("conn");
        salon::run!(&mut pooled.conn(), |c| registrations::table
            .find(pending_id)
            .select(registrations::badge_code)
            .first(c))
        .expect("code")
    };
    let (status, problem) = app
        .post(&path, Some(&checkin), json!({"badge_code": pending_code}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(problem["detail"].as_str().unwrap_or("").contains("pending"));

    let (status, summary) = app.get(&format!("{path}/summary"), Some(&checkin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(summary[0]["day"], "2027-05-03");
    assert_eq!(summary[0]["total"], 1);
    assert_eq!(summary[0]["by_category"]["press"], 1);
    assert_eq!(summary[1]["total"], 1);
    // Check-in staff may do nothing else.
    let (status, _) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations"),
            Some(&checkin),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let viewer = app.organizer_token(Role::Viewer).await;
    let (status, _) = app
        .post(&path, Some(&viewer), json!({"badge_code": code}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_badge_qr_decodes_to_the_badge_code() {
    let app = spawn_app().await;
    let slug = app.open_event("qr", None).await;
    booth(&app, &slug, "Q1", json!("Hall Q"), 9, 1).await;
    let (_, token) = approved(&app, &slug, "qr@x.example", "en", Some("Q1")).await;
    app.post(
        "/api/v1/exhibitor/staff",
        Some(&token),
        json!({"name": "Omar", "email": "omar@x.example"}),
    )
    .await;
    let mail = &app.delivered("staff_pass", "omar@x.example", 1).await[0];
    let png = mail
        .attachments
        .iter()
        .find(|(ct, _, _)| ct == "image/png")
        .map(|(_, _, b)| b.clone())
        .expect("QR image");
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().expect("png");
    let mut buf = vec![0; reader.output_buffer_size().expect("size")];
    let info = reader.next_frame(&mut buf).expect("frame");
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    let (_, content) = grids[0].decode().expect("decode");
    let (_, regs) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations?category=exhibitor_staff"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(
        content,
        regs["items"][0]["badge_code"].as_str().expect("code")
    );
    assert!(mail.text.contains(&content));
    let badge = mail.token(&format!("{}/r/", app.settings.base_url()));
    let page = app
        .client
        .get(app.url(&format!("/r/{badge}/badge")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(page.contains("Omar") && page.contains("<svg") && page.contains("Exhibitor"));
}

#[tokio::test]
async fn every_exhibitor_email_speaks_the_recipients_language() {
    let app = spawn_app_with(|s| s.registration.resend_interval = std::time::Duration::ZERO).await;
    let slug = app.open_event("words", None).await;
    let phrases: &[(&str, [&str; 3])] = &[
        (
            "exhibitor_confirm",
            [
                "يُرجى تأكيد طلب المشاركة",
                "confirmez votre demande d'exposant",
                "Please confirm your exhibitor application",
            ],
        ),
        (
            "exhibitor_already_applied",
            ["مسجّل مسبقًا", "déjà enregistrée", "already on file"],
        ),
        (
            "exhibitor_approved",
            ["قبول طلب مشاركتكم", "est acceptée", "is approved"],
        ),
        (
            "exhibitor_rejected",
            [
                "بخصوص طلب مشاركتكم",
                "réponse à votre demande",
                "Your exhibitor application",
            ],
        ),
        (
            "staff_pass",
            [
                "شارة العارض",
                "votre badge exposant",
                "Your exhibitor badge",
            ],
        ),
    ];
    for (i, lang) in ["ar", "fr", "en"].iter().enumerate() {
        let code = format!("W{i}");
        booth(&app, &slug, &code, json!("Hall W"), 9, 1).await;
        let yes = format!("yes-{lang}@words.example");
        let no = format!("no-{lang}@words.example");
        let staff = format!("staff-{lang}@words.example");
        let (_, token) = approved(&app, &slug, &yes, lang, Some(&code)).await;
        app.post(
            &format!("/api/v1/events/{slug}/exhibitors"),
            None,
            application(&yes, lang),
        )
        .await;
        app.post(
            "/api/v1/exhibitor/staff",
            Some(&token),
            json!({"name": "S", "email": staff}),
        )
        .await;
        let id = submitted(&app, &slug, &no, lang).await;
        app.post(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/reject"),
            Some(&app.admin),
            json!({"reason": "—"}),
        )
        .await;
        for (kind, by_lang) in phrases {
            let to = match *kind {
                "exhibitor_rejected" => &no,
                "staff_pass" => &staff,
                _ => &yes,
            };
            let mail = &app.delivered(kind, to, 1).await[0];
            assert!(
                mail.subject.contains(by_lang[i]),
                "{kind}/{lang}: {} lacks {}",
                mail.subject,
                by_lang[i]
            );
            let dir = if *lang == "ar" {
                r#"dir="rtl""#
            } else {
                r#"dir="ltr""#
            };
            assert!(mail.html.contains(dir), "{kind}/{lang}");
            assert!(!mail.text.trim().is_empty());
        }
    }
    // The organizers' notice goes to the contact in the event's language (French here).
    let notices = app
        .delivered("exhibitor_submitted", "contact@siccam.example", 6)
        .await;
    assert!(notices
        .iter()
        .all(|m| m.subject.starts_with("Nouvelle demande d'exposant")));
    for (i, (lang, phrase)) in [
        ("ar", "طلب جديد للمشاركة كعارض"),
        ("en", "New exhibitor application"),
    ]
    .iter()
    .enumerate()
    {
        app.patch(
            &format!("/api/v1/events/{slug}"),
            Some(&app.admin),
            json!({"default_language": lang}),
        )
        .await;
        submitted(&app, &slug, &format!("notice-{lang}@words.example"), "fr").await;
        let notice = app
            .delivered("exhibitor_submitted", "contact@siccam.example", 7 + i)
            .await
            .remove(6 + i);
        assert!(notice.subject.contains(phrase), "{}", notice.subject);
        assert!(notice
            .text
            .contains(&format!("notice-{lang}@words.example")));
    }
}

#[tokio::test]
async fn booths_are_validated_and_unique() {
    let app = spawn_app().await;
    let slug = app.open_event("booths", None).await;
    let id = booth(&app, &slug, "B1", json!("Hall A"), 9, 2).await;
    let path = format!("/api/v1/events/{slug}/booths");
    let (status, _) = app.post(&path, Some(&app.admin), json!({"code": "b1", "hall": "H", "area_m2": 9, "kind": "standard", "staff_passes": 1, "price": {"amount": 1, "currency": "MAD"}})).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "codes are unique per event, whatever their case"
    );
    let (status, problem) = app.post(&path, Some(&app.admin), json!({"code": "B 2", "hall": "H", "area_m2": 0, "kind": "standard", "staff_passes": -1, "price": {"amount": -5, "currency": "dirham"}})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error_fields(&problem),
        vec![
            "code",
            "area_m2",
            "staff_passes",
            "price.amount",
            "price.currency"
        ]
    );
    let (status, _) = app.post(&path, Some(&app.admin), json!({"code": "B3", "hall": "H", "area_m2": 9, "kind": "pavilion", "staff_passes": 1, "price": {"amount": 1, "currency": "MAD"}})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, b) = app
        .patch(
            &format!("{path}/{id}"),
            Some(&app.admin),
            json!({"staff_passes": 6, "price": {"amount": 2_000_000, "currency": "EUR"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{b}");
    assert_eq!(b["price"]["currency"], "EUR");
    let other = booth(&app, &slug, "B2", json!("Hall A"), 9, 2).await;
    let (status, _) = app
        .patch(
            &format!("{path}/{other}"),
            Some(&app.admin),
            json!({"code": "b1", "staff_passes": 4}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "another booth's code, whatever its case"
    );
    let (_, b2) = app.get(&format!("{path}/{other}"), Some(&app.admin)).await;
    assert_eq!(
        (b2["code"].as_str(), b2["staff_passes"].as_i64()),
        (Some("B2"), Some(2))
    );
    let (status, b) = app.get(&format!("{path}/{id}"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(b.get("exhibitor_id").is_none());
    let (status, _) = app.delete(&format!("{path}/{id}"), Some(&app.admin)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.delete(&format!("{path}/{id}"), Some(&app.admin)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_exhibit_form_applies_like_the_api() {
    let app = spawn_app().await;
    let slug = app.open_event("form", None).await;
    let (page, csrf) = app
        .page_and_csrf(&format!("/events/{slug}/exhibit?lang=ar"))
        .await;
    assert!(page.contains(r#"dir="rtl""#) && page.contains("طلب رواق عرض"));
    let form = [
        ("csrf", csrf.as_str()),
        ("company_name", "Sahara Voice"),
        ("contact_name", "Leila"),
        ("email", "leila@sahara.example"),
        ("phone", ""),
        ("website", "https://sahara.example"),
        ("country", "Maroc"),
        ("sector", "BPO"),
        ("description", ""),
        ("booth_kind", "island"),
        ("booth_area_m2", "36"),
        ("consent", "true"),
    ];
    let res = app
        .client
        .post(app.url(&format!("/events/{slug}/exhibit")))
        .form(&form)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.url().query().unwrap_or("").contains("done=1"),
        "post, redirect, get: {}",
        res.url()
    );
    assert!(res.text().await.expect("html").contains("role=\"status\""));
    let mail = &app
        .delivered("exhibitor_confirm", "leila@sahara.example", 1)
        .await[0];
    let link = mail.link(&format!("{}/exhibitors/confirm/", app.settings.base_url()));
    let confirm_page = app
        .client
        .get(&link)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    let csrf = confirm_page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("csrf")
        .to_string();
    let res = app
        .client
        .post(&link)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    // Confirmed: post, redirect, get, onto the exhibitor's own page (status, profile, withdraw).
    assert!(
        res.url().path().starts_with("/exhibitor/sle_"),
        "the exhibitor's page: {}",
        res.url()
    );
    let own = res.text().await.expect("html");
    assert!(
        own.contains("l’examinent") && own.contains(r#"id="profile""#),
        "under review, with its profile to edit: {own}"
    );
    assert!(
        own.replace("&#x2f;", "/").contains("/withdraw?lang="),
        "a withdraw button"
    );
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/exhibitors?status=submitted"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["items"][0]["booth_kind"], "island");
    assert_eq!(
        list["items"][0]["country"], "MA",
        "a typed country is stored as its code"
    );
    // A form without consent is shown again with the error, and writes nothing.
    let mut no_consent = form.to_vec();
    no_consent.retain(|(k, _)| *k != "consent");
    no_consent.iter_mut().for_each(|(k, v)| {
        if *k == "email" {
            *v = "other@sahara.example"
        }
    });
    let res = app
        .client
        .post(app.url(&format!("/events/{slug}/exhibit")))
        .form(&no_consent)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/exhibitors"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list["total"], 1);
}

/// Descriptions may hold several lines; a NUL posted through the form is refused beside its
/// field like any other bad value (it never reaches the database); a pending applicant who
/// applies again gets a new confirmation link.
#[tokio::test]
async fn descriptions_keep_their_lines_and_refuse_control_characters() {
    let app = spawn_app_with(|s| s.registration.resend_interval = std::time::Duration::ZERO).await;
    let slug = app.open_event("lines", None).await;
    let body = json!({
        "company_name": "Atlas Voice", "contact_name": "Omar", "email": "omar@atlas.example",
        "description": "Centre de contact.\nTrois sites au Maroc.", "booth_kind": "standard",
        "booth_area_m2": 9, "consent": true});
    let (status, problem) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors"),
            None,
            body.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{problem}");
    app.post(&format!("/api/v1/events/{slug}/exhibitors"), None, body)
        .await;
    let links = app
        .delivered("exhibitor_confirm", "omar@atlas.example", 2)
        .await;
    assert_eq!(links.len(), 2, "a pending applicant gets a new link");

    let (_, csrf) = app
        .page_and_csrf(&format!("/events/{slug}/exhibit?lang=fr"))
        .await;
    let res = app
        .client
        .post(app.url(&format!("/events/{slug}/exhibit?lang=fr")))
        .form(&[
            ("csrf", csrf.as_str()),
            ("company_name", "Nul Corp"),
            ("contact_name", "N"),
            ("email", "nul@corp.example"),
            ("description", "bad\u{0}text"),
            ("booth_kind", "standard"),
            ("booth_area_m2", "9"),
            ("consent", "true"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("html");
    assert!(
        html.contains(r#"aria-describedby="e-description""#),
        "beside its field"
    );
}

#[tokio::test]
async fn an_exhibitor_contact_is_erased_by_organizers_by_itself_and_by_the_purge() {
    let app = spawn_app().await;
    let slug = app.open_event("erase-ex", None).await;
    booth(&app, &slug, "E1", json!("Hall E"), 9, 2).await;
    let (id, token) = approved(&app, &slug, "karim@erase.example", "fr", Some("E1")).await;
    let (status, _) = app
        .post(
            "/api/v1/exhibitor/staff",
            Some(&token),
            json!({"name": "Staff One", "email": "staff1@erase.example"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    // An email to the contact still waiting in the outbox is forgotten with the contact.
    let (status, _) = app
        .put_json(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/booth"),
            json!({"booth_code": "E1"}),
        )
        .await;
    assert!(status.is_success() || status == StatusCode::CONFLICT);

    let (status, _) = app
        .delete(&format!("/api/v1/events/{slug}/exhibitors/{id}"), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let viewer = app.organizer_token(Role::Viewer).await;
    let (status, _) = app
        .delete(
            &format!("/api/v1/events/{slug}/exhibitors/{id}"),
            Some(&viewer),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .delete(
            &format!("/api/v1/events/{slug}/exhibitors/{id}"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/exhibitors"),
            Some(&app.admin),
        )
        .await;
    let ex = &list["items"][0];
    assert_eq!(ex["erased"], true);
    assert_eq!(ex["contact_name"], "");
    assert_eq!(ex["email"], "");
    assert_eq!(ex["phone"], Value::Null);
    assert_eq!(ex["status"], "withdrawn");
    assert_eq!(ex["booth"], Value::Null, "the booth is freed");
    assert_eq!(ex["company_name"], "Company karim@erase.example");
    let raw = list.to_string();
    assert!(
        !raw.contains("\"karim@erase.example\"") && !raw.contains("Karim"),
        "{raw}"
    );
    // The staff pass is cancelled; the token is gone; no email keeps the address.
    let (_, regs) = app
        .get(
            &format!("/api/v1/events/{slug}/registrations?q=staff1"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(regs["items"][0]["status"], "cancelled");
    let (status, _) = app.get("/api/v1/exhibitor", Some(&token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.drain_mail();
    assert!(
        app.outbox("exhibitor_approved")
            .iter()
            .chain(app.outbox("exhibitor_confirm").iter())
            .all(|(to, _, _)| to.is_none()),
        "{:?}",
        app.outbox("exhibitor_approved")
    );
    // Erasing again changes nothing.
    let (status, _) = app
        .delete(
            &format!("/api/v1/events/{slug}/exhibitors/{id}"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // The exhibitor erases itself; the same email may apply again afterwards.
    let (other, token) = approved(&app, &slug, "leila@erase.example", "ar", None).await;
    let (status, _) = app
        .post("/api/v1/exhibitor/erase", Some(&token), json!({}))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/exhibitors"),
            Some(&app.admin),
        )
        .await;
    let erased = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["id"] == other)
        .expect("erased exhibitor")
        .clone();
    assert_eq!(
        (erased["erased"].clone(), erased["email"].clone()),
        (json!(true), json!(""))
    );
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors"),
            None,
            application("leila@erase.example", "ar"),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mails = app
        .delivered("exhibitor_confirm", "leila@erase.example", 2)
        .await;
    let again =
        mails[mails.len() - 1].token(&format!("{}/exhibitors/confirm/", app.settings.base_url()));
    let (status, body) = app
        .post("/api/v1/exhibitors/confirm", None, json!({"token": again}))
        .await;
    assert_eq!(status, StatusCode::OK, "a new application: {body}");

    // The purge erases what is left, retention_days after the fair.
    let fair_end = chrono::NaiveDate::from_ymd_opt(2027, 5, 4).expect("date");
    let later = fair_end + chrono::TimeDelta::days(app.settings.privacy.retention_days as i64 + 1);
    let n = salon::exhibitors::purge::run(&app.db, &app.settings, later).expect("purge");
    assert_eq!(n, 1, "the new application of leila");
    let (_, list) = app
        .get(
            &format!("/api/v1/events/{slug}/exhibitors"),
            Some(&app.admin),
        )
        .await;
    assert!(list["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|e| e["erased"] == true && e["email"] == ""));
}

/// From its confirmation on, an exhibitor has its own page and token: it reads its status, edits
/// its profile and may withdraw while the organizers review; a repeated application sends the
/// page's address again (how a lost link is found). Countries are ISO codes in the API.
#[tokio::test]
async fn an_exhibitor_has_its_page_from_its_confirmation() {
    let app = spawn_app_with(|s| s.registration.resend_interval = std::time::Duration::ZERO).await;
    let slug = app.open_event("own-page", None).await;
    let mut named = application("pending@atlas.example", "fr");
    named["country"] = json!("Maroc");
    let (status, body) = app
        .post(&format!("/api/v1/events/{slug}/exhibitors"), None, named)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "country", "{body}");
    assert_eq!(body["errors"][0]["code"], "country", "{body}");

    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors"),
            None,
            application("pending@atlas.example", "fr"),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let mail = &app
        .delivered("exhibitor_confirm", "pending@atlas.example", 1)
        .await[0];
    let token = mail.token(&format!("{}/exhibitors/confirm/", app.settings.base_url()));
    let (status, confirmed) = app
        .post("/api/v1/exhibitors/confirm", None, json!({"token": token}))
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    assert_eq!(confirmed["status"], "submitted");
    let own = confirmed["manage_token"]
        .as_str()
        .expect("a manage token")
        .to_string();
    assert!(own.starts_with("sle_"));

    let (status, me) = app.get("/api/v1/exhibitor", Some(&own)).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["status"], "submitted");
    let (status, body) = app
        .patch(
            "/api/v1/exhibitor",
            Some(&own),
            json!({"country": "Égypte"}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["field"], "country");
    let (status, me) = app
        .patch(
            "/api/v1/exhibitor",
            Some(&own),
            json!({"country": "EG", "sector": "Formation"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(
        (me["country"].as_str(), me["sector"].as_str()),
        (Some("EG"), Some("Formation"))
    );
    let page = app
        .client
        .get(app.url(&format!("/exhibitor/{own}?lang=fr")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("en cours d’examen") || page.contains("l’examinent"),
        "under review"
    );
    assert!(
        page.contains(r#"<option value="EG" selected>Égypte</option>"#),
        "its country chosen"
    );

    // Applying again: the address of its page comes by email.
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors"),
            None,
            application("pending@atlas.example", "fr"),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let again = &app
        .delivered("exhibitor_already_applied", "pending@atlas.example", 1)
        .await[0];
    let emailed = again.token(&format!("{}/exhibitor/", app.settings.base_url()));
    let (status, me) = app.get("/api/v1/exhibitor", Some(&emailed)).await;
    assert_eq!(
        (status, me["status"].as_str()),
        (StatusCode::OK, Some("submitted"))
    );

    let (status, me) = app
        .post("/api/v1/exhibitor/withdraw", Some(&own), json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["status"], "withdrawn");
}

/// The approval email states the booth, its price and the fair's payment instructions in the
/// exhibitor's language; an organizer approving onto a booth smaller than asked, or of another
/// kind, is told so in the answer (the approval stands).
#[tokio::test]
async fn an_approval_states_the_price_and_warns_of_a_smaller_booth() {
    let app = spawn_app().await;
    let slug = app.open_event("pay", None).await;
    let (status, body) = app
        .patch(
            &format!("/api/v1/events/{slug}"),
            Some(&app.admin),
            json!({"payment_instructions": {
                "fr": "Virement sous 15 jours au RIB 011 780 0000 1234 5678 9012 34, référence : votre société.",
                "en": "Bank transfer within 15 days to IBAN MA64 0117 8000 0012 3456 7890 1234."}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["payment_instructions"]["fr"]
        .as_str()
        .is_some_and(|t| t.contains("RIB")));
    booth(&app, &slug, "S9", json!("Hall A"), 9, 2).await;
    booth(&app, &slug, "S12", json!("Hall A"), 12, 2).await;

    // Asked: a 12 m² corner booth (application()). Given: 9 m², standard.
    let id = submitted(&app, &slug, "small@atlas.example", "fr").await;
    let (status, out) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/approve"),
            Some(&app.admin),
            json!({"booth_code": "S9"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["status"], "approved");
    let codes: Vec<&str> = out["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        ["booth_smaller_than_requested", "booth_kind_differs"],
        "{out}"
    );
    assert!(out["warnings"][0]["detail"]
        .as_str()
        .is_some_and(|d| d.contains("9 m²") && d.contains("12 m²")));
    let mail = &app
        .delivered("exhibitor_approved", "small@atlas.example", 1)
        .await[0];
    assert!(
        mail.text.contains("Prix\u{a0}: 15\u{202F}000,00\u{a0}MAD"),
        "{}",
        mail.text
    );
    assert!(mail.text.contains("RIB 011 780"), "{}", mail.text);
    assert!(mail.html.contains("15\u{202F}000,00\u{a0}MAD") && mail.html.contains("RIB 011 780"));

    // Moved to a booth of the area asked: only the kind still differs.
    let (status, out) = app
        .put_json(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/booth"),
            json!({"booth_code": "S12"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["warnings"].as_array().map(Vec::len), Some(1), "{out}");
    assert_eq!(out["warnings"][0]["code"], "booth_kind_differs");

    // In English, the English instructions and the English way of writing the price.
    let id = submitted(&app, &slug, "en@atlas.example", "en").await;
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/approve"),
            Some(&app.admin),
            json!({"booth_code": "S9"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mail = &app
        .delivered("exhibitor_approved", "en@atlas.example", 1)
        .await[0];
    assert!(mail.text.contains("Price: MAD 15,000.00"), "{}", mail.text);
    assert!(mail.text.contains("IBAN MA64"), "{}", mail.text);
}

/// The directory's line under an exhibitor without a booth starts with what it has, not a
/// separator, and names its country in the page's language.
#[tokio::test]
async fn the_directory_line_of_an_exhibitor_without_a_booth() {
    let app = spawn_app().await;
    let slug = app.open_event("nobooth", None).await;
    let id = submitted(&app, &slug, "nobooth@atlas.example", "fr").await;
    let (status, body) = app
        .post(
            &format!("/api/v1/events/{slug}/exhibitors/{id}/approve"),
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page = app
        .client
        .get(app.url(&format!("/events/{slug}/exhibitors?lang=fr")))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("html");
    let meta = page
        .split(r#"<p class="meta">"#)
        .nth(1)
        .and_then(|m| m.split("</p>").next())
        .expect("the line under the exhibitor");
    assert_eq!(meta, "<bdi>BPO</bdi> · Maroc", "{page}");
}
