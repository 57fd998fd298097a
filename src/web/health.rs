//! `/healthz` (the process answers) and `/readyz` (the database answers and every migration is
//! applied), for load balancers and orchestrators.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::error::{AppError, AppResult};
use crate::web::AppState;

#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "the process is up")))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "database reachable, migrations applied"), (status = 503)))]
pub async fn readyz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let ready = state
        .db
        .run(|c| {
            crate::db::migrations::all_applied(c)
                .map_err(|e| AppError::Unavailable(format!("cannot read migrations: {e}")))
        })
        .await?;
    if !ready {
        return Err(AppError::Unavailable(
            "database migrations are pending".into(),
        ));
    }
    Ok(HttpResponse::Ok().json(json!({"status": "ready", "database": state.db_backend_name()})))
}

#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(metrics: web::Data<crate::web::telemetry::Metrics>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(metrics.render())
}
