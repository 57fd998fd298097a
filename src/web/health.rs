//! `/healthz` (the process answers) and `/readyz` (the database answers and every migration is
//! applied), for load balancers and orchestrators.

use actix_web::HttpResponse;
use serde_json::json;

use crate::error::AppError;
use crate::web::{Reply, State};

#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, description = "the process is up")))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "database reachable, migrations applied"), (status = 503)))]
pub async fn readyz(state: State) -> Reply {
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

/// `/metrics` is not public: it answers only a `Bearer` token equal to `server.metrics_token`
/// (compared in constant time), and is off (404) while that is unset.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain"),
        (status = 401, description = "the bearer token is missing or not `server.metrics_token`"),
        (status = 404, description = "off: no `server.metrics_token` set")))]
pub async fn metrics(state: State, req: actix_web::HttpRequest) -> Reply {
    let expected = state.settings.server.metrics_token.expose();
    if expected.is_empty() {
        return Err(AppError::not_found(
            "metrics are off (set server.metrics_token)",
        ));
    }
    let given = crate::web::identity::bearer(&req)?.unwrap_or_default();
    let same = crate::crypto::hashes_equal(
        &crate::crypto::token_hash(&given),
        &crate::crypto::token_hash(expected),
    );
    if !same {
        return Err(AppError::Unauthorized(
            "metrics need the metrics token".into(),
        ));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render()))
}

/// The health checks and metrics (operators' probes).
pub fn routes(r: &mut crate::web::routes::Routes) {
    r.add(__path_healthz, healthz);
    r.add(__path_readyz, readyz);
    r.add(__path_metrics, metrics);
}
