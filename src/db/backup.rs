//! `salon backup FILE`: a consistent copy of a running SQLite database (SQLite's `VACUUM
//! INTO`, which reads one snapshot while the server goes on writing), checked with `PRAGMA
//! integrity_check` before it is called done. On PostgreSQL the database's own `pg_dump` is
//! the tool; the command says so. Restoring is copying the file back while the server is
//! stopped (docs/operations.md).

use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl, SqliteConnection};

use super::{Db, Link};

/// What a finished backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// The file's size in bytes.
    pub bytes: u64,
    /// Rows of the copy, table by table (the `__diesel_schema_migrations` bookkeeping too).
    pub tables: Vec<(String, i64)>,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Copies the SQLite database of `db` to `to` (which must not exist yet) and checks the copy.
pub fn sqlite(db: &Db, to: &Path) -> anyhow::Result<Backup> {
    if to.exists() {
        anyhow::bail!("{} exists already: name a new file", to.display());
    }
    let target = to
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("{} is not a UTF-8 path", to.display()))?
        .to_string();
    {
        let mut pooled = db.get()?;
        let mut conn = pooled.conn();
        let Link::Sqlite(c) = &mut conn.link else {
            anyhow::bail!(
                "this database is PostgreSQL: back it up with pg_dump (docs/operations.md)"
            );
        };
        diesel::sql_query("VACUUM INTO ?")
            .bind::<Text, _>(&target)
            .execute(*c)?;
    }
    let mut copy = SqliteConnection::establish(&target)?;
    let verdict: Vec<Line> =
        diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
            .load(&mut copy)?;
    let lines: Vec<String> = verdict.into_iter().map(|l| l.line).collect();
    if lines != ["ok"] {
        let _ = std::fs::remove_file(to);
        anyhow::bail!("the copy failed its integrity check: {}", lines.join("; "));
    }
    let names: Vec<Line> = diesel::sql_query(
        "SELECT name AS line FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .load(&mut copy)?;
    let mut tables = Vec::new();
    for name in names.into_iter().map(|l| l.line) {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let quoted = name.replace('"', "\"\"");
        let n: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM \"{quoted}\""))
            .get_result(&mut copy)?;
        tables.push((name, n.n));
    }
    copy.batch_execute("PRAGMA optimize")?;
    Ok(Backup {
        bytes: std::fs::metadata(to)?.len(),
        tables,
    })
}
