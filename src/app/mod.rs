//! The composition root, and the only module that imports every area: it builds the state,
//! mounts each area's routes ([`routes`]), assembles the OpenAPI document ([`openapi`]), plugs
//! the areas into each other where a lower one must not import a higher one (the organizer
//! [`Authenticator`](crate::web::identity::Authenticator), the event [`Hooks`], the release
//! hooks and the programme pages' view of a visiting attendee: [`Parts`]), and starts the
//! background [`jobs`].

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
use crate::schedule::releases::ReleaseHooks;
use crate::web::rate_limit::RateLimiter;
use crate::web::telemetry::{self, Metrics};
use crate::web::AppState;
use crate::{auth, email, events, registrations, schedule};

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

/// What the areas' handlers take as `web::Data` besides the [`AppState`]: the pieces the app
/// plugs into the areas, which the edge's state cannot name (each is an area's type), and the
/// OpenAPI document. Built once, shared by the workers; [`Parts::register`] names every field,
/// so a piece cannot be built and left unregistered.
#[derive(Clone)]
struct Parts {
    hooks: web::Data<Hooks>,
    release_hooks: web::Data<schedule::releases::ReleaseHooks>,
    programme: web::Data<schedule::cache::ProgrammeCache>,
    seats: web::Data<dyn schedule::hooks::Seats>,
    meetings: web::Data<dyn registrations::hooks::AttendeeMeetings>,
    panels: web::Data<events::console::Panels>,
    throttle: web::Data<auth::throttle::Throttle>,
    overrides: web::Data<email::templates::Overrides>,
    document: web::Data<openapi::Document>,
}

impl Parts {
    fn new(settings: &Settings) -> Parts {
        let programme = Arc::new(schedule::cache::ProgrammeCache::default());
        let seats = registrations::attendee::VisitorSeats {
            secret: settings.server.secret_key.expose().to_string(),
        };
        let follow_release = registrations::notices::FollowRelease;
        Parts {
            hooks: web::Data::new(event_hooks(&programme)),
            release_hooks: web::Data::new(ReleaseHooks(vec![Box::new(follow_release)])),
            programme: web::Data::from(programme),
            seats: web::Data::from(Arc::new(seats) as Arc<dyn schedule::hooks::Seats>),
            meetings: web::Data::from(Arc::new(crate::meetings::for_attendees::ForAttendees)
                as Arc<dyn registrations::hooks::AttendeeMeetings>),
            panels: web::Data::new(events::console::Panels(vec![
                Box::new(schedule::overview::ProgrammePanel {
                    buffer: settings.schedule.speaker_buffer,
                }),
                Box::new(registrations::console::RegistrationsPanel),
                Box::new(crate::exhibitors::console::ExhibitorsPanel),
                Box::new(crate::meetings::console::MeetingsPanel),
                Box::new(email::console::EmailsPanel),
                Box::new(crate::checkin::console::DoorPanel),
            ])),
            throttle: web::Data::new(auth::throttle::Throttle::default()),
            overrides: web::Data::new(email::templates::Overrides::default()),
            document: web::Data::new(openapi::Document::of(&routes::all())),
        }
    }

    /// Registers every piece as app data: the pattern names each field, and a field named but
    /// not registered does not compile.
    #[deny(unused_variables)]
    fn register(&self, cfg: &mut web::ServiceConfig) {
        let Parts {
            hooks,
            release_hooks,
            programme,
            seats,
            meetings,
            panels,
            throttle,
            overrides,
            document,
        } = self;
        cfg.app_data(hooks.clone())
            .app_data(release_hooks.clone())
            .app_data(programme.clone())
            .app_data(seats.clone())
            .app_data(meetings.clone())
            .app_data(panels.clone())
            .app_data(throttle.clone())
            .app_data(overrides.clone())
            .app_data(document.clone());
    }
}

fn serve(
    listener: TcpListener,
    db: Db,
    settings: Arc<Settings>,
    clock: Arc<Clock>,
) -> anyhow::Result<Server> {
    let workers = settings.server.workers;
    let shutdown_timeout = settings.server.shutdown_timeout;
    let limiter = RateLimiter::new(
        settings.rate_limit.per_minute,
        settings.server.trusted_proxies.clone(),
    );
    let parts = Parts::new(&settings);
    let authenticator = Arc::new(auth::Tokens(db.clone()));
    let state = web::Data::new(AppState {
        db,
        settings,
        limiter,
        clock,
        authenticator,
        metrics: Metrics::default(),
    });
    let body_timeout = state.settings.server.body_timeout;
    let max_connections = state.settings.server.max_connections;
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .configure(|cfg| parts.register(cfg))
            .app_data(
                web::PathConfig::default()
                    .error_handler(|_, req| crate::web::no_such(req, "no such resource")),
            )
            .app_data(
                // A page's query that does not read (`?page=abc` in the console): a page in
                // the visitor's language, never actix's plain text. The API reads its queries
                // with web::query::Query, which answers problem+json.
                web::QueryConfig::default().error_handler(|e, req| {
                    let lang = crate::web::pages::page_language(
                        req,
                        &crate::domain::Language::ALL,
                        crate::domain::Language::Fr,
                    );
                    let error = crate::error::AppError::BadRequest(format!(
                        "the address's query could not be read: {e}"
                    ));
                    crate::web::pages::PageError::new(error, lang).into()
                }),
            )
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
                            // A form is `application/x-www-form-urlencoded`: anything else is
                            // 415, as the API answers a body that is not JSON.
                            actix_web::error::UrlencodedError::ContentType => {
                                crate::error::AppError::UnsupportedMediaType
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
