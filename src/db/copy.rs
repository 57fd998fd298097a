//! `salon copy --to postgres://…`: moves a fair that outgrew one machine from its SQLite
//! database into an empty PostgreSQL database, all or nothing. The target is migrated first
//! (the same schema, from PostgreSQL's own migrations), must hold no row, and receives every
//! table in one transaction, ids kept, parents before children; then each table's id sequence
//! is moved past its largest id, and every table's rows are counted on both sides — any
//! difference rolls the whole copy back. Tokens, links, feeds and signed cookies keep working
//! after the move: their hashes are rows like any other, and so is the instance's secret key
//! (`instance_secrets`) when it was generated rather than configured.
//!
//! Rows travel as JSON: SQLite writes each chunk of a table with `json_object`, PostgreSQL
//! reads it back with `json_populate_recordset` into the table's own row type, so each value
//! is read by PostgreSQL's own input for its column's type (SQLite's `0`/`1` as booleans, its
//! timestamp text as `TIMESTAMP`).

use std::collections::{BTreeMap, BTreeSet};

use diesel::connection::SimpleConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};

use super::{Db, Link};

/// Rows per statement.
const CHUNK: i64 = 2000;

/// Diesel's own bookkeeping: written by the target's migrations, never copied.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Edge {
    #[diesel(sql_type = Text)]
    child: String,
    #[diesel(sql_type = Text)]
    parent: String,
}

#[derive(QueryableByName)]
struct Sequence {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    seq: Option<String>,
}

#[derive(QueryableByName)]
struct Chunk {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    rows: Option<String>,
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The tables of the PostgreSQL schema, parents before the tables that refer to them.
fn ordered_tables(pg: &mut PgConnection) -> anyhow::Result<Vec<String>> {
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename",
    )
    .load(pg)?;
    let edges: Vec<Edge> = diesel::sql_query(
        "SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent
         FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
    )
    .load(pg)?;
    let mut parents: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in &tables {
        parents.entry(t.name.clone()).or_default();
    }
    for e in edges {
        let (child, parent) = (
            e.child.trim_matches('"').to_string(),
            e.parent.trim_matches('"').to_string(),
        );
        if child != parent {
            parents.entry(child).or_default().insert(parent);
        }
    }
    let mut done: Vec<String> = Vec::new();
    while done.len() < parents.len() {
        let ready: Vec<String> = parents
            .iter()
            .filter(|(t, ps)| !done.contains(t) && ps.iter().all(|p| done.contains(p)))
            .map(|(t, _)| t.clone())
            .collect();
        if ready.is_empty() {
            anyhow::bail!("the schema's foreign keys form a cycle");
        }
        done.extend(ready);
    }
    Ok(done.into_iter().filter(|t| t != MIGRATIONS_TABLE).collect())
}

/// What a copy moved: rows per table.
pub type Copied = Vec<(String, i64)>;

/// Copies the SQLite database of `from` into the PostgreSQL database at `to`.
pub fn sqlite_to_postgres(from: &Db, to: &str) -> anyhow::Result<Copied> {
    let target = Db::connect(to, 2, std::time::Duration::from_secs(10))?;
    if target.backend() != super::Backend::Postgres {
        anyhow::bail!("--to must be a PostgreSQL database (postgres://…)");
    }
    super::migrations::run_pending(&target)?;
    let mut pg = PgConnection::establish(to)?;
    let tables = ordered_tables(&mut pg)?;
    let mut source = from.get()?;
    let mut conn = source.conn();
    let Link::Sqlite(lite) = &mut conn.link else {
        anyhow::bail!("the database to copy is not SQLite");
    };
    for t in &tables {
        let n: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {}", quoted(t)))
            .get_result(&mut pg)?;
        if n.n > 0 {
            anyhow::bail!("the target database is not empty ({t} holds {} rows): copy into a new, empty database", n.n);
        }
    }
    // One read transaction on SQLite: the copy is one snapshot even if a server still writes.
    lite.batch_execute("BEGIN")?;
    let copied = pg.transaction(|pg| copy_tables(lite, pg, &tables));
    lite.batch_execute("COMMIT")?;
    copied
}

fn copy_tables(
    lite: &mut diesel::SqliteConnection,
    pg: &mut PgConnection,
    tables: &[String],
) -> anyhow::Result<Copied> {
    let mut out = Vec::new();
    for t in tables {
        let columns: Vec<Name> = diesel::sql_query(format!(
            "SELECT name FROM pragma_table_info('{}') ORDER BY cid",
            t.replace('\'', "''")
        ))
        .load(lite)?;
        if columns.is_empty() {
            anyhow::bail!("the SQLite database has no table {t}: migrate it first (salon migrate)");
        }
        let object = columns
            .iter()
            .map(|c| format!("'{}', {}", c.name.replace('\'', "''"), quoted(&c.name)))
            .collect::<Vec<_>>()
            .join(", ");
        let total: Count = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {}", quoted(t)))
            .get_result(lite)?;
        let mut offset = 0;
        while offset < total.n {
            let chunk: Chunk = diesel::sql_query(format!(
                "SELECT json_group_array(json_object({object})) AS rows FROM (SELECT * FROM {} ORDER BY rowid LIMIT {CHUNK} OFFSET {offset})",
                quoted(t)
            ))
            .get_result(lite)?;
            let names = columns
                .iter()
                .map(|c| quoted(&c.name))
                .collect::<Vec<_>>()
                .join(", ");
            diesel::sql_query(format!(
                "INSERT INTO {table} ({names}) SELECT {names} FROM json_populate_recordset(NULL::{table}, $1::json)",
                table = quoted(t)
            ))
            .bind::<Text, _>(chunk.rows.unwrap_or_else(|| "[]".into()))
            .execute(pg)?;
            offset += CHUNK;
        }
        let landed: Count =
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {}", quoted(t))).get_result(pg)?;
        if landed.n != total.n {
            anyhow::bail!(
                "{t}: {} rows in SQLite, {} in PostgreSQL: nothing copied",
                total.n,
                landed.n
            );
        }
        if columns.iter().any(|c| c.name == "id") {
            let seq: Sequence = diesel::sql_query("SELECT pg_get_serial_sequence($1, 'id') AS seq")
                .bind::<Text, _>(t)
                .get_result(pg)?;
            if let Some(seq) = seq.seq {
                // The next id PostgreSQL hands out comes after every copied one.
                diesel::sql_query(format!(
                    "SELECT setval($1, COALESCE((SELECT MAX(id) FROM {}), 0) + 1, false)",
                    quoted(t)
                ))
                .bind::<Text, _>(seq)
                .execute(pg)?;
            }
        }
        out.push((t.clone(), total.n));
    }
    Ok(out)
}
