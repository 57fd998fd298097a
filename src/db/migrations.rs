//! Embedded migrations, one set per backend (`migrations/sqlite`, `migrations/postgres`), kept
//! equivalent: `tests/api/schema_drift.rs` runs both and compares the resulting tables, columns
//! and nullability, and checks that every `down.sql` reverts its `up.sql`.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::{Conn, Db, Link};

pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the versions applied. A failure names the migration.
pub fn run_pending(db: &Db) -> anyhow::Result<Vec<String>> {
    let mut pooled = db.get()?;
    let result: Result<Vec<String>, BoxError> = match pooled.conn().link {
        Link::Sqlite(c) => c
            .run_pending_migrations(SQLITE)
            .map(|v| v.iter().map(|m| m.to_string()).collect()),
        Link::Pg(c) => c
            .run_pending_migrations(POSTGRES)
            .map(|v| v.iter().map(|m| m.to_string()).collect()),
    };
    result.map_err(|e| anyhow::anyhow!("could not run database migrations: {e}"))
}

/// True when no migration is pending (for `/readyz`).
pub fn all_applied(c: &mut Conn) -> Result<bool, BoxError> {
    match &mut c.link {
        Link::Sqlite(c) => Ok(!c.has_pending_migration(SQLITE)?),
        Link::Pg(c) => Ok(!c.has_pending_migration(POSTGRES)?),
    }
}

/// Reverts every applied migration, newest first (used by the schema drift test).
pub fn revert_all(c: &mut Conn) -> Result<(), BoxError> {
    match &mut c.link {
        Link::Sqlite(c) => c.revert_all_migrations(SQLITE).map(|_| ()),
        Link::Pg(c) => c.revert_all_migrations(POSTGRES).map(|_| ()),
    }
}
