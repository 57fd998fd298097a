//! The two migration sets are kept equivalent: same tables, columns and nullability, and each
//! `down.sql` reverts its `up.sql`. The comparison needs PostgreSQL (SALON_TEST_POSTGRES_URL);
//! without it only the SQLite half runs.

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use salon::db::{migrations, Conn, Db, Link};

use crate::helpers::*;

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

#[derive(QueryableByName)]
struct SqliteTable {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    notnull: i64,
    #[diesel(sql_type = BigInt)]
    pk: i64,
}

/// (table, column, nullable) of every column but diesel's own bookkeeping.
fn shape(c: &mut Conn) -> BTreeSet<(String, String, bool)> {
    let mut out = BTreeSet::new();
    match &mut c.link {
        Link::Pg(pg) => {
            let cols: Vec<PgColumn> = diesel::sql_query(
                "SELECT table_name::text AS table_name, column_name::text AS column_name, is_nullable::text AS is_nullable
                 FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
            )
            .load(&mut **pg)
            .expect("columns");
            for col in cols {
                out.insert((col.table_name, col.column_name, col.is_nullable == "YES"));
            }
        }
        Link::Sqlite(sq) => {
            let tables: Vec<SqliteTable> = diesel::sql_query(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'",
            )
            .load(&mut **sq)
            .expect("tables");
            for t in tables {
                let cols: Vec<SqliteColumn> = diesel::sql_query(format!(
                    "SELECT name, \"notnull\", pk FROM pragma_table_info('{}')",
                    t.name
                ))
                .load(&mut **sq)
                .expect("columns");
                for col in cols {
                    out.insert((t.name.clone(), col.name, col.notnull == 0 && col.pk == 0));
                }
            }
        }
    }
    out
}

fn migrated(db: &TestDb) -> Db {
    let db = Db::connect(db.url(), 1, std::time::Duration::from_secs(10)).expect("connect");
    migrations::run_pending(&db).expect("migrate");
    db
}

fn up_then_down(db: &Db) -> BTreeSet<(String, String, bool)> {
    let mut pooled = db.get().expect("conn");
    let mut c = pooled.conn();
    let up = shape(&mut c);
    assert!(up.iter().any(|(t, _, _)| t == "sessions"));
    migrations::revert_all(&mut c).expect("revert");
    assert!(shape(&mut c).is_empty(), "down.sql leaves tables behind");
    up
}

#[test]
fn both_backends_end_with_the_same_schema() {
    let sqlite = TestDb::new_sqlite();
    let sqlite_shape = up_then_down(&migrated(&sqlite));
    let Some(base) = postgres_base() else {
        eprintln!("schema drift: {ENV_PG} is not set; compared SQLite up/down only");
        return;
    };
    let pg = TestDb::new_postgres(&base);
    let pg_shape = up_then_down(&migrated(&pg));
    let only_sqlite: Vec<_> = sqlite_shape.difference(&pg_shape).collect();
    let only_pg: Vec<_> = pg_shape.difference(&sqlite_shape).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "only in SQLite: {only_sqlite:?}\nonly in PostgreSQL: {only_pg:?}"
    );
}

#[derive(QueryableByName)]
struct Setting {
    #[diesel(sql_type = Text)]
    plan_cache_mode: String,
}

/// A generic plan made while a new fair's tables have no statistics looked registrations up
/// through `registrations_event_status`, scanning the whole event for each new one
/// (bench/README.md): every PostgreSQL connection of the pool plans with its own parameters.
#[test]
fn postgres_connections_plan_each_statement() {
    let Some(base) = postgres_base() else {
        return;
    };
    let test_db = TestDb::new_postgres(&base);
    let db = migrated(&test_db);
    let mut pooled = db.get().expect("connection");
    let Link::Pg(pg) = pooled.conn().link else {
        panic!("a postgres:// URL gives a PostgreSQL connection");
    };
    let setting: Setting = diesel::sql_query("SHOW plan_cache_mode")
        .get_result(pg)
        .expect("show");
    assert_eq!(setting.plan_cache_mode, "force_custom_plan");
}
