//! The composition root, and the only module that imports every area: it builds the state,
//! mounts each area's routes ([`routes`]), assembles the OpenAPI document ([`openapi`]), plugs
//! the areas into each other where a lower one must not import a higher one (the organizer
//! [`Authenticator`], the event [`Hooks`], the release hooks and the programme pages' view of
//! a visiting attendee), and starts
//! the background [`jobs`].

pub mod jobs;
pub mod openapi;
pub mod routes;

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpServer};
use anyhow::Context;

use crate::clock::Clock;
use crate::config::{Secret, Settings};
use crate::db::Db;
use crate::events::Hooks;
use crate::web::identity::Authenticator;
use crate::web::json::BodyLimit;
use crate::web::rate_limit::RateLimiter;
use crate::web::telemetry::{self, Metrics};
use crate::web::AppState;
use crate::{auth, email, registrations, schedule};

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    pub db: Db,
    /// The application's clock (tests pin it).
    pub clock: Arc<Clock>,
    jobs: jobs::Jobs,
}

impl Application {
    /// Connects to the database, applies pending migrations, binds the listener, starts the
    /// jobs.
    pub async fn build(mut settings: Settings) -> anyhow::Result<Application> {
        let db = connect(&settings)?;
        let applied = crate::db::migrations::run_pending(&db)?;
        if !applied.is_empty() {
            tracing::info!(count = applied.len(), "database migrations applied");
        }
        ensure_secret_key(&mut settings, &db)?;
        let listener = TcpListener::bind(&settings.server.bind)
            .with_context(|| format!("cannot listen on {}", settings.server.bind))?;
        let port = listener.local_addr()?.port();
        let settings = Arc::new(settings);
        let clock = Arc::new(Clock::default());
        let jobs = jobs::Jobs::start(&db, &settings, &clock)?;
        let server = serve(listener, db.clone(), settings, clock.clone())?;
        Ok(Application {
            port,
            server,
            db,
            clock,
            jobs,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server (tests, signals).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until the server is stopped (SIGINT/SIGTERM or a handle), then stops the jobs
    /// before returning.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let served = self.server.await;
        let jobs = self.jobs;
        let _ = actix_web::rt::task::spawn_blocking(move || jobs.stop()).await;
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

/// Fills an empty `server.secret_key` from the database, where the first instance to start
/// generated it: every instance sharing the database signs forms and links with the same key.
fn ensure_secret_key(settings: &mut Settings, db: &Db) -> anyhow::Result<()> {
    if !settings.server.secret_key.is_empty() {
        return Ok(());
    }
    let mut pooled = db.get()?;
    let key = crate::db::secrets::get_or_create(&mut pooled.conn(), "secret_key", || {
        crate::crypto::new_token("")
    })
    .map_err(|e| anyhow::anyhow!("cannot read or store the secret key: {e}"))?;
    settings.server.secret_key = Secret::new(key);
    Ok(())
}

/// The largest HTML form post, in bytes (413 above).
const FORM_LIMIT: usize = 16 * 1024;

/// What each area does when an event changes (see `events::hooks`).
fn event_hooks(programme: &Arc<schedule::cache::ProgrammeCache>) -> Hooks {
    Hooks(vec![
        Box::new(schedule::conflicts::KeepSessionsInside),
        Box::new(registrations::service::PromoteOnMoreSeats),
        Box::new(schedule::cache::ForgetOnEventChange(programme.clone())),
    ])
}

fn serve(
    listener: TcpListener,
    db: Db,
    settings: Arc<Settings>,
    clock: Arc<Clock>,
) -> anyhow::Result<Server> {
    let workers = settings.server.workers;
    let shutdown_timeout = settings.server.shutdown_timeout;
    let limit = BodyLimit(settings.server.max_body);
    let limiter = RateLimiter::new(
        settings.rate_limit.per_minute,
        settings.server.trusted_proxies.clone(),
    );
    let authenticator: web::Data<dyn Authenticator> =
        web::Data::from(Arc::new(auth::Tokens(db.clone())) as Arc<dyn Authenticator>);
    let state = web::Data::new(AppState {
        db,
        settings,
        limiter,
        clock,
    });
    let programme = Arc::new(schedule::cache::ProgrammeCache::default());
    let hooks = web::Data::new(event_hooks(&programme));
    let programme_cache = web::Data::from(programme);
    let release_hooks = web::Data::new(schedule::releases::ReleaseHooks(vec![Box::new(
        registrations::notices::FollowRelease,
    )]));
    let seats: web::Data<dyn schedule::hooks::Seats> =
        web::Data::from(Arc::new(registrations::attendee::VisitorSeats {
            secret: state.settings.server.secret_key.expose().to_string(),
        }) as Arc<dyn schedule::hooks::Seats>);
    let throttle = web::Data::new(auth::throttle::Throttle::default());
    let overrides = web::Data::new(email::templates::Overrides::default());
    let metrics = web::Data::new(Metrics::default());
    let limit = web::Data::new(limit);
    let body_timeout = state.settings.server.body_timeout;
    let max_connections = state.settings.server.max_connections;
    let deadline = web::Data::new(crate::web::deadline::BodyTimeout(body_timeout));
    let document = web::Data::new(openapi::Document::of(&routes::all()));
    let mut server =
        HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .app_data(authenticator.clone())
                .app_data(hooks.clone())
                .app_data(release_hooks.clone())
                .app_data(programme_cache.clone())
                .app_data(seats.clone())
                .app_data(throttle.clone())
                .app_data(overrides.clone())
                .app_data(metrics.clone())
                .app_data(limit.clone())
                .app_data(deadline.clone())
                .app_data(document.clone())
                .app_data(web::PathConfig::default().error_handler(|_, _| {
                    crate::error::AppError::not_found("no such resource").into()
                }))
                .app_data(
                    web::FormConfig::default()
                        .limit(FORM_LIMIT)
                        // Forms come from the pages: their errors are pages too, in the
                        // visitor's language.
                        .error_handler(|e, req| {
                            let error = match e {
                                actix_web::error::UrlencodedError::Overflow { .. } => {
                                    crate::error::AppError::PayloadTooLarge(FORM_LIMIT)
                                }
                                actix_web::error::UrlencodedError::Payload(p)
                                    if crate::web::deadline::timed_out(&p) =>
                                {
                                    crate::error::AppError::RequestTimeout
                                }
                                other => crate::error::AppError::BadRequest(format!(
                                    "the form could not be read: {other}"
                                )),
                            };
                            let lang = crate::web::pages::page_language(
                                req,
                                &crate::domain::Language::ALL,
                                crate::domain::Language::Fr,
                            );
                            crate::web::pages::PageError::new(error, lang).into()
                        }),
                )
                .wrap(from_fn(crate::web::pages::remember_language))
                .wrap(from_fn(crate::web::head_as_get))
                .wrap(Compress::default())
                .wrap(from_fn(crate::web::deadline::limit_body))
                .wrap(from_fn(telemetry::observe))
                .configure(routes::configure)
                .default_service(web::to(crate::web::not_found))
        })
        // Headers must arrive within the body's deadline too; past it the connection closes.
        .client_request_timeout(body_timeout)
        .listen(listener)?;
    let workers = if workers > 0 {
        workers
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    };
    // The cap is per worker in actix-web: the configured total is shared out.
    server = server
        .workers(workers)
        .max_connections(max_connections.div_ceil(workers).max(1));
    server = server.shutdown_timeout(shutdown_timeout.as_secs().max(1));
    Ok(server.run())
}
