//! Building the application from [`Settings`]: the database pool (migrated on start), the HTTP
//! server bound to `server.bind` (port 0 in tests), and its shared state.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context;

use crate::config::{Secret, Settings};
use crate::db::{Backend, Db};
use crate::web::json::BodyLimit;
use crate::web::telemetry::{self, Metrics};

/// What every handler can reach.
pub struct AppState {
    pub db: Db,
    pub settings: Arc<Settings>,
    pub limiter: crate::web::rate_limit::RateLimiter,
    pub clock: Arc<crate::clock::Clock>,
    mail: crate::email::worker::Kick,
}

impl AppState {
    /// Wakes this instance's mail worker after a commit that queued email.
    pub fn kick_mail(&self) {
        self.mail.now();
    }

    pub fn db_backend_name(&self) -> &'static str {
        match self.db.backend() {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    pub db: Db,
    /// The application's clock (tests pin it).
    pub clock: Arc<crate::clock::Clock>,
    worker: crate::email::worker::Worker,
}

impl Application {
    /// Connects to the database, applies pending migrations, binds the listener.
    pub async fn build(mut settings: Settings) -> anyhow::Result<Application> {
        ensure_secret_key(&mut settings)?;
        let db = connect(&settings)?;
        let applied = crate::db::migrations::run_pending(&db)?;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "database migrations applied");
        }
        let listener = TcpListener::bind(&settings.server.bind)
            .with_context(|| format!("cannot listen on {}", settings.server.bind))?;
        let port = listener.local_addr()?.port();
        let settings = Arc::new(settings);
        let (kick, worker) = crate::email::worker::spawn(db.clone(), settings.clone())?;
        let clock = Arc::new(crate::clock::Clock::default());
        let server = serve(listener, db.clone(), settings, kick, clock.clone())?;
        Ok(Application {
            port,
            server,
            db,
            clock,
            worker,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (tests, signals).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped (SIGINT/SIGTERM or a handle), then stops the mail
    /// worker before returning.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        let worker = self.worker;
        let _ = actix_web::rt::task::spawn_blocking(move || worker.stop()).await;
        served
    }
}

/// Opens the pool named by `database.url`.
pub fn connect(settings: &Settings) -> anyhow::Result<Db> {
    Db::connect(
        settings.database.url.expose(),
        settings.database.pool_size,
        settings.database.connection_timeout,
    )
}

/// Fills `server.secret_key` from `data_dir/secret_key`, creating it on first start.
fn ensure_secret_key(settings: &mut Settings) -> anyhow::Result<()> {
    if !settings.server.secret_key.is_empty() {
        return Ok(());
    }
    let dir = &settings.server.data_dir;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = dir.join("secret_key");
    let key = match std::fs::read_to_string(&path) {
        Ok(k) if !k.trim().is_empty() => k.trim().to_string(),
        _ => {
            let key = crate::auth::new_token("");
            std::fs::write(&path, &key)
                .with_context(|| format!("cannot write {}", path.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
            }
            tracing::info!(path = %path.display(), "generated a new secret key");
            key
        }
    };
    settings.server.secret_key = Secret::new(key);
    Ok(())
}

fn serve(
    listener: TcpListener,
    db: Db,
    settings: Arc<Settings>,
    mail: crate::email::worker::Kick,
    clock: Arc<crate::clock::Clock>,
) -> anyhow::Result<Server> {
    let workers = settings.server.workers;
    let limit = BodyLimit(settings.server.max_body);
    let limiter = crate::web::rate_limit::RateLimiter::new(
        settings.rate_limit.per_minute,
        settings.server.trusted_proxies.clone(),
    );
    let state = web::Data::new(AppState {
        db,
        settings,
        limiter,
        clock,
        mail,
    });
    let metrics = web::Data::new(Metrics::default());
    let limit = web::Data::new(limit);
    let mut server =
        HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(metrics.clone())
                .app_data(limit.clone())
                .app_data(web::PathConfig::default().error_handler(|_, _| {
                    crate::error::AppError::not_found("no such resource").into()
                }))
                .app_data(
                    web::FormConfig::default()
                        .limit(16 * 1024)
                        .error_handler(|e, _| {
                            crate::error::AppError::BadRequest(format!(
                                "the form could not be read: {e}"
                            ))
                            .into()
                        }),
                )
                .wrap(Compress::default())
                .wrap(from_fn(telemetry::observe))
                .configure(crate::web::routes::configure)
                .default_service(web::to(crate::web::not_found))
        })
        .listen(listener)?;
    if workers > 0 {
        server = server.workers(workers);
    }
    Ok(server.run())
}
