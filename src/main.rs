//! The `salon` command: `serve` (default), `migrate`, `admin create|list|reset-password|unlock`,
//! `demo`.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use salon::domain::Role;
use salon::{Application, Settings};

#[derive(Parser)]
#[command(
    name = "salon",
    version,
    about = "Registration and scheduling backend of a trade fair"
)]
struct Cli {
    /// Configuration file layered over config/default.toml (also SALON_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Let `admin` or `demo` create a new SQLite database when there is none at database.url
    /// (`serve` and `migrate` always may).
    #[arg(long, global = true)]
    new_database: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage organizer accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Load the demo fair (SICCAM): two days from --on (default: today in Africa/Casablanca).
    Demo {
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
    /// Copy the SQLite database, while the server runs, to a new FILE, checked before it says
    /// done (on PostgreSQL: use pg_dump).
    Backup { file: std::path::PathBuf },
    /// Copy this SQLite database into an empty PostgreSQL database (--to postgres://…), all or
    /// nothing, ids kept; then point database.url at it.
    Copy {
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an organizer account. The password is read from SALON_ADMIN_PASSWORD, else one
    /// line of stdin (at a terminal: prompted, not shown).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "admin")]
        role: String,
    },
    /// List the organizer accounts: id, email, role, created.
    List,
    /// Set a new password for an organizer (read as for `create`); ends their console sessions
    /// and revokes their API tokens.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Let an organizer sign in again at once after too many failed attempts (a running server
    /// sees it at the next attempt).
    Unlock {
        #[arg(long)]
        email: String,
    },
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("SALON_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn"));
    use std::io::IsTerminal;
    // Colours only for a person at a terminal: a file or a journal gets plain lines.
    // Logs go to standard error, as the documentation says: standard output stays for what a
    // command prints (`salon migrate`, `salon demo`).
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

/// Open files up to the hard limit: each connection holds one, and `server.max_connections`
/// should be reachable without `Too many open files`.
fn raise_open_file_limit() {
    #[cfg(unix)]
    // SAFETY: getrlimit/setrlimit read and write this process's own limit through a local.
    unsafe {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// The new organizer's password, one line from standard input. At a terminal: a prompt on
/// standard error, and what is typed is not shown (echo off until Enter).
fn read_password() -> std::io::Result<String> {
    use std::io::{BufRead, IsTerminal, Write};
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    // Echo off before the prompt: nothing typed after the prompt shows, not even the first key.
    let echo = terminal.then(EchoOff::new).flatten();
    if terminal {
        eprint!("Password (not shown): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    drop(echo);
    if terminal {
        eprintln!();
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// The terminal's echo turned off while it lives (unix; elsewhere nothing).
struct EchoOff {
    #[cfg(unix)]
    saved: libc::termios,
}

impl EchoOff {
    #[cfg(unix)]
    fn new() -> Option<EchoOff> {
        // SAFETY: tcgetattr/tcsetattr read and write the terminal settings of standard input
        // through a local struct; nothing else is touched.
        unsafe {
            let mut saved: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(libc::STDIN_FILENO, &mut saved) != 0 {
                return None;
            }
            let mut quiet = saved;
            quiet.c_lflag &= !libc::ECHO;
            quiet.c_lflag |= libc::ECHONL;
            (libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &quiet) == 0)
                .then_some(EchoOff { saved })
        }
    }

    #[cfg(not(unix))]
    fn new() -> Option<EchoOff> {
        None
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        #[cfg(unix)]
        // SAFETY: puts back the settings read in `new`.
        unsafe {
            libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &self.saved);
        }
    }
}

/// The database of a command other than `serve` and `migrate`, migrated. A SQLite file that
/// does not exist is not created unless `--new-database` asks: run from another folder,
/// `var/salon.db` would otherwise be a second, empty database beside the server's.
fn open_database(settings: &Settings, create: bool) -> anyhow::Result<salon::db::Db> {
    let url = settings.database.url.expose();
    if let Ok(salon::db::Backend::Sqlite) = salon::db::Backend::from_url(url) {
        let path = salon::db::sqlite_path(url);
        let file = std::path::absolute(path).unwrap_or_else(|_| path.into());
        if path != ":memory:" && !file.exists() && !create {
            anyhow::bail!(
                "there is no database at {}. Run this from the folder the server runs in (its log gives the database's path), or set database.url; to start a new database here, add --new-database",
                file.display()
            );
        }
    }
    let db = salon::app::connect(settings)?;
    salon::db::migrations::run_pending(&db)?;
    Ok(db)
}

/// How the person who started this process runs Salon again: `cargo run --release --` under
/// cargo, else the program as it was called (`target/release/salon`, or `salon` on the PATH).
fn this_command() -> String {
    if std::env::var_os("CARGO").is_some_and(|c| !c.is_empty()) {
        return "cargo run --release --".to_string();
    }
    std::env::args()
        .next()
        .unwrap_or_else(|| "salon".to_string())
}

fn main() -> anyhow::Result<()> {
    // Every file Salon creates — the SQLite database, the secret key, emails written as
    // files — is readable by its own user only (0600; folders 0700).
    #[cfg(unix)]
    // SAFETY: umask only sets this process's file-creation mask; it cannot fail.
    unsafe {
        libc::umask(0o077);
    }
    // Two malloc arenas, not glibc's eight per core: requests run on the HTTP workers and on
    // a pool of blocking threads, and with an arena each the freed memory of a burst stays
    // spread over them (resident memory with and without, at the same speed: bench/README.md,
    // "Mail at the speed of the relay, and memory"). Set before any thread starts.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only tunes the allocator; called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
    raise_open_file_limit();
    init_tracing();
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref())?;
    let create = cli.new_database;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Copy { to } => {
            let db = open_database(&settings, false)?;
            if db.backend() != salon::db::Backend::Sqlite {
                anyhow::bail!("this database is already PostgreSQL: nothing to copy");
            }
            let started = std::time::Instant::now();
            let copied = salon::db::copy::sqlite_to_postgres(&db, &to)?;
            for (table, rows) in copied.iter().filter(|(_, n)| *n > 0) {
                println!("{table:>24} {rows:>9} rows");
            }
            let rows: i64 = copied.iter().map(|(_, n)| n).sum();
            println!(
                "copied {rows} rows of {} tables in {:.1} s, counts equal on both sides; now set database.url to the PostgreSQL URL and restart",
                copied.len(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Backup { file } => {
            if let Ok(salon::db::Backend::Postgres) =
                salon::db::Backend::from_url(settings.database.url.expose())
            {
                anyhow::bail!(
                    "this database is PostgreSQL: back it up with its own tool, e.g. pg_dump --format=custom --file=salon.dump \"$DATABASE_URL\" (docs/operations.md)"
                );
            }
            let db = open_database(&settings, false)?;
            let done = salon::db::backup::sqlite(&db, &file)?;
            let rows: i64 = done.tables.iter().map(|(_, n)| n).sum();
            println!(
                "backup written to {}: {} bytes, {} tables, {rows} rows, integrity check ok",
                file.display(),
                done.bytes,
                done.tables.len()
            );
            Ok(())
        }
        Command::Migrate => {
            let db = salon::app::connect(&settings)?;
            let applied = salon::db::migrations::run_pending(&db)?;
            println!("{} migrations applied", applied.len());
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Create { email, role },
        } => {
            let role: Role = role.parse().map_err(anyhow::Error::msg)?;
            // The database first: no password typed for nothing.
            let db = open_database(&settings, create)?;
            let password = match std::env::var("SALON_ADMIN_PASSWORD") {
                Ok(p) => p,
                Err(_) => read_password().context("cannot read the password from stdin")?,
            };
            let mut pooled = db.get()?;
            let id =
                salon::auth::handlers::create_from_cli(&mut pooled.conn(), &email, &password, role)
                    .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
            println!("organizer {id} created: {email} ({role})");
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::List,
        } => {
            let db = open_database(&settings, create)?;
            let mut pooled = db.get()?;
            let all = salon::auth::store::organizers(&mut pooled.conn())?;
            println!("{:>4}  {:<40} {:<8} created (UTC)", "id", "email", "role");
            for o in &all {
                let created = o.created_at.format("%Y-%m-%d %H:%M");
                println!("{:>4}  {:<40} {:<8} {created}", o.id, o.email, o.role);
            }
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::ResetPassword { email },
        } => {
            // The database first: no password typed for nothing.
            let db = open_database(&settings, create)?;
            let password = match std::env::var("SALON_ADMIN_PASSWORD") {
                Ok(p) => p,
                Err(_) => read_password().context("cannot read the password from stdin")?,
            };
            let mut pooled = db.get()?;
            let id = salon::auth::handlers::reset_password_from_cli(
                &mut pooled.conn(),
                &email,
                &password,
            )
            .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
            println!("organizer {id} ({email}): new password set; their sessions and API tokens are ended");
            Ok(())
        }
        Command::Admin {
            command: AdminCommand::Unlock { email },
        } => {
            let db = open_database(&settings, create)?;
            let mut pooled = db.get()?;
            let id = salon::auth::handlers::unlock_from_cli(&mut pooled.conn(), &email)
                .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
            println!("organizer {id} ({email}) may sign in again now");
            Ok(())
        }
        Command::Demo { on } => {
            let db = open_database(&settings, create)?;
            let mut pooled = db.get()?;
            let starts_on = on.unwrap_or_else(salon::demo::today_in_casablanca);
            let summary = salon::demo::load(
                &mut pooled.conn(),
                starts_on,
                settings.schedule.speaker_buffer,
            )
            .map_err(|e| anyhow::anyhow!("{}", e.problem().detail))?;
            println!(
                "demo fair loaded: {} sessions in {} rooms with {} speakers, {} booths, {} meetings, from {} — see {}/events/{}",
                summary.sessions,
                summary.rooms,
                summary.speakers,
                summary.booths,
                summary.meetings,
                summary.starts_on,
                settings.base_url(),
                summary.slug
            );
            Ok(())
        }
    }
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    let runtime = actix_web::rt::System::new();
    runtime.block_on(async move {
        let database = match salon::db::Backend::from_url(settings.database.url.expose()) {
            Ok(salon::db::Backend::Sqlite) => {
                let path = salon::db::sqlite_path(settings.database.url.expose());
                let path = std::path::absolute(path).unwrap_or_else(|_| path.into());
                format!("SQLite file {}", path.display())
            }
            _ => "PostgreSQL".to_string(),
        };
        if let Some(warning) = settings.public_url_mismatch() {
            tracing::warn!("{warning}");
        }
        let mail = settings.mail.url.expose().strip_prefix("file://").map(|d| format!("written as .eml files under {d}/"));
        let app = Application::build(settings.clone()).await?;
        tracing::info!(
            address = %settings.server.bind,
            database = %database,
            mail = %mail.unwrap_or_else(|| "sent over SMTP".into()),
            "Salon is listening on http://{}; create the first organizer with: {cmd} admin create --email you@example.com (in this folder; password asked, or SALON_ADMIN_PASSWORD); load the demo fair with: {cmd} demo",
            settings.server.bind,
            cmd = this_command(),
        );
        app.run_until_stopped().await.context("server failed")
    })
}
