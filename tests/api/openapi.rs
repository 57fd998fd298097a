use reqwest::StatusCode;

use crate::helpers::*;

/// The document and the server agree: every documented path is served and answers exactly
/// the documented methods (the `Allow` of its 405 to a method no route takes). Routes are
/// registered with their documentation (`web::routes`), and `architecture.rs` checks that no
/// route is mounted any other way, so nothing is served undocumented either.
#[tokio::test]
async fn the_document_and_the_served_routes_agree() {
    let app = spawn_app().await;
    let (status, doc) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")));
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() > 80, "only {} paths documented", paths.len());
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    let mut ids: Vec<&str> = paths
        .values()
        .filter_map(|p| p.as_object())
        .flat_map(|o| o.values())
        .map(|op| {
            op["operationId"]
                .as_str()
                .expect("every operation has an id")
        })
        .collect();
    ids.sort_unstable();
    let before = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), before, "operation ids are unique");

    for (path, item) in paths {
        let concrete = path
            .replace("{slug}", "nope")
            .replace("{id}", "1")
            .replace("{session_id}", "1")
            .replace("{delivery_id}", "1")
            .replace("{feed_token}", "x")
            .replace("{token}", "slr_x")
            .replace("{kind}", "registration_confirm")
            .replace("{lang}", "fr")
            .replace("{name}", "salon.css");
        assert!(
            !concrete.contains('{'),
            "{path}: fill in its parameter here"
        );
        let order = ["get", "head", "post", "put", "patch", "delete"];
        let documented: Vec<String> = order
            .iter()
            .filter(|m| item.get(**m).is_some() || (**m == "head" && item.get("get").is_some()))
            .map(|m| m.to_uppercase())
            .collect();
        let res = app
            .client
            .request(reqwest::Method::OPTIONS, app.url(&concrete))
            .send()
            .await
            .expect("send");
        assert_eq!(
            res.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{path} is documented but not served"
        );
        let allow = res
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        assert_eq!(
            allow,
            documented.join(", "),
            "{path}: served methods vs documented"
        );
    }
}
