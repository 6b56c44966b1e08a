//! What the unit tests that need the server's own SQLite start from.

use std::time::Duration;

use sea_orm::ConnectionTrait;

use super::{Db, Durability, Settings};

impl Db {
    /// A fresh, migrated SQLite file in `dir` with one read connection, for
    /// the unit tests that need the server's own SQLite.
    pub(crate) async fn connect_test_file(dir: &tempfile::TempDir) -> Self {
        let settings = Settings {
            url: format!("sqlite://{}", dir.path().join("t.db").display()),
            durability: Durability::Normal,
            busy_timeout: Duration::from_secs(1),
            read_connections: 1,
            max_connections: 1,
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
        };
        Self::connect(&settings, None).await.expect("connect")
    }

    /// SQLite's plan of `statement` (the `detail` of each line of `EXPLAIN
    /// QUERY PLAN`), as the server's own SQLite makes it: the bundled
    /// build, planning without the values.
    pub(crate) async fn sqlite_plan(&self, statement: sea_orm::Statement) -> Vec<String> {
        let explain = sea_orm::Statement::from_sql_and_values(
            sea_orm::DbBackend::Sqlite,
            format!("EXPLAIN QUERY PLAN {}", statement.sql),
            statement.values.map(|v| v.0).unwrap_or_default(),
        );
        let rows = self.writer().query_all_raw(explain).await.expect("plan");
        rows.iter()
            .map(|row| row.try_get::<String>("", "detail").expect("detail"))
            .collect()
    }
}
