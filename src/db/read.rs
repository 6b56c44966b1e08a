//! Reads on SQLite without the pool's round trips.
//!
//! sqlx's SQLite driver runs each connection on a thread of its own and
//! hands every command over to it and back. Its pool adds a command per
//! checkout: a connection going back to the pool is pinged first (one more
//! hand-off to its thread and back, in a task spawned for it), and sea-orm
//! checks a connection out for every statement. So a GET by id cost two
//! hand-offs and a spawned task for one `SELECT`.
//!
//! [`Reader`] keeps the read connections checked out for good and lends
//! them itself: a statement costs its own hand-off and nothing else. A
//! read-only statement needs no check on the way back; a transaction that
//! was left open (its request cancelled) is rolled back by the next
//! borrower before anything else.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::sqlx::pool::PoolConnection;
use sea_orm::sqlx::{self, Executor, Sqlite, SqlitePool};
use sea_orm::{
    ConnAcquireErr, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult,
    RuntimeErr, Statement, TransactionTrait,
};
use sea_query_sqlx::SqlxValues;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The connection that serves reads.
#[derive(Clone, Debug)]
pub enum Reader {
    /// PostgreSQL (and in-memory SQLite): sea-orm's pool as it is.
    Pool(DatabaseConnection),
    /// SQLite: connections kept checked out of sqlx's pool.
    Held(Arc<Held>),
}

impl Reader {
    /// Lends the connections of `conn`'s pool (SQLite), at most `size` at
    /// once, waiting up to `acquire_timeout` for one.
    pub fn held(conn: &DatabaseConnection, size: u32, acquire_timeout: Duration) -> Self {
        let size = size.max(1) as usize;
        Reader::Held(Arc::new(Held {
            pool: conn.get_sqlite_connection_pool().clone(),
            idle: Mutex::new(Vec::with_capacity(size)),
            free: Arc::new(Semaphore::new(size)),
            acquire_timeout,
        }))
    }

    /// (connections open, idle).
    pub fn sizes(&self) -> (u32, u32) {
        match self {
            Reader::Pool(conn) => match &conn.inner {
                sea_orm::DatabaseConnectionType::SqlxPostgresPoolConnection(_) => {
                    let pool = conn.get_postgres_connection_pool();
                    (pool.size(), pool.num_idle() as u32)
                }
                sea_orm::DatabaseConnectionType::SqlxSqlitePoolConnection(_) => {
                    let pool = conn.get_sqlite_connection_pool();
                    (pool.size(), pool.num_idle() as u32)
                }
                _ => (0, 0),
            },
            Reader::Held(held) => {
                let idle = held.idle.lock().map_or(0, |idle| idle.len());
                (held.pool.size(), idle as u32)
            }
        }
    }

    /// A read-only transaction whose statements all see one snapshot: on
    /// PostgreSQL `REPEATABLE READ` (each statement of a `READ COMMITTED`
    /// one sees its own), on SQLite any transaction.
    pub async fn snapshot(&self) -> Result<Snapshot, DbErr> {
        match self {
            Reader::Pool(conn) => {
                let config = match conn.get_database_backend() {
                    DbBackend::Postgres => (
                        Some(sea_orm::IsolationLevel::RepeatableRead),
                        Some(sea_orm::AccessMode::ReadOnly),
                    ),
                    _ => (None, None),
                };
                let txn = conn.begin_with_config(config.0, config.1).await?;
                Ok(Snapshot::Pool(txn))
            }
            Reader::Held(held) => {
                let mut lease = held.lease().await?;
                // Marked first: if this request is cancelled while BEGIN is
                // on its way, the next borrower still rolls it back.
                lease.open = true;
                lease.run_unprepared("BEGIN").await?;
                Ok(Snapshot::Held(tokio::sync::Mutex::new(lease)))
            }
        }
    }
}

/// Connections checked out of sqlx's pool for good, lent one statement (or
/// one snapshot) at a time.
#[derive(Debug)]
pub struct Held {
    pool: SqlitePool,
    idle: Mutex<Vec<Idle>>,
    /// One permit per connection that may be lent.
    free: Arc<Semaphore>,
    acquire_timeout: Duration,
}

/// A connection waiting to be lent; `open` when a transaction may have been
/// left open on it.
#[derive(Debug)]
struct Idle {
    conn: PoolConnection<Sqlite>,
    open: bool,
}

impl Held {
    /// A connection: an idle one, else a new one from the pool (the first
    /// use of each, or after one broke). Waits up to the acquire timeout
    /// while all are lent, then fails as the pool would (a 503).
    async fn lease(self: &Arc<Self>) -> Result<Lease, DbErr> {
        let permit = match Arc::clone(&self.free).try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                let waited = tokio::time::timeout(
                    self.acquire_timeout,
                    Arc::clone(&self.free).acquire_owned(),
                )
                .await;
                match waited {
                    Ok(Ok(permit)) => permit,
                    Ok(Err(_)) => {
                        return Err(DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed));
                    }
                    Err(_) => return Err(DbErr::ConnectionAcquire(ConnAcquireErr::Timeout)),
                }
            }
        };
        let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let (conn, open) = match idle {
            Some(Idle { conn, open }) => (conn, open),
            None => {
                let conn = self.pool.acquire().await.map_err(|err| match err {
                    sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
                    sqlx::Error::PoolClosed => {
                        DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed)
                    }
                    other => DbErr::Conn(RuntimeErr::SqlxError(Arc::new(other))),
                })?;
                (conn, false)
            }
        };
        let mut lease = Lease {
            conn: Some(conn),
            open,
            held: Arc::clone(self),
            _permit: permit,
        };
        if lease.open {
            // Fails only where there is nothing to roll back (the request
            // was cancelled before its BEGIN ran): either way none is open.
            let rolled_back = (&mut **lease.conn()?).execute("ROLLBACK").await;
            match lease.checked(rolled_back) {
                Ok(_) | Err(sqlx::Error::Database(_)) => lease.open = false,
                Err(err) => return Err(exec_err(err)),
            }
        }
        Ok(lease)
    }
}

/// A lent connection; back to the idle ones when dropped (unless it broke).
#[derive(Debug)]
pub struct Lease {
    conn: Option<PoolConnection<Sqlite>>,
    open: bool,
    held: Arc<Held>,
    _permit: OwnedSemaphorePermit,
}

impl Lease {
    fn conn(&mut self) -> Result<&mut PoolConnection<Sqlite>, DbErr> {
        self.conn
            .as_mut()
            .ok_or(DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed))
    }

    /// Notes an error that leaves the connection unusable: it goes back to
    /// sqlx's pool (which closes it) instead of to the idle ones.
    fn checked<T>(&mut self, result: Result<T, sqlx::Error>) -> Result<T, sqlx::Error> {
        if let Err(sqlx::Error::WorkerCrashed | sqlx::Error::Io(_)) = &result {
            self.conn = None;
        }
        result
    }

    async fn run_unprepared(&mut self, sql: &'static str) -> Result<(), DbErr> {
        let result = (&mut **self.conn()?).execute(sql).await;
        self.checked(result).map(drop).map_err(exec_err)
    }

    async fn execute(&mut self, stmt: Statement) -> Result<ExecResult, DbErr> {
        let result = query(&stmt).execute(&mut **self.conn()?).await;
        self.checked(result).map(ExecResult::from).map_err(exec_err)
    }

    async fn execute_unprepared(&mut self, sql: &str) -> Result<ExecResult, DbErr> {
        let raw = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()));
        let result = raw.execute(&mut **self.conn()?).await;
        self.checked(result).map(ExecResult::from).map_err(exec_err)
    }

    async fn query_one(&mut self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        let result = query(&stmt).fetch_optional(&mut **self.conn()?).await;
        let row = self.checked(result).map_err(query_err)?;
        Ok(row.map(QueryResult::from))
    }

    async fn query_all(&mut self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        let result = query(&stmt).fetch_all(&mut **self.conn()?).await;
        let rows = self.checked(result).map_err(query_err)?;
        Ok(rows.into_iter().map(QueryResult::from).collect())
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        // The permit is given back after the connection (field order).
        if let Some(conn) = self.conn.take()
            && let Ok(mut idle) = self.held.idle.lock()
        {
            idle.push(Idle {
                conn,
                open: self.open,
            });
        }
    }
}

fn query(stmt: &Statement) -> sqlx::query::Query<'_, Sqlite, SqlxValues> {
    let values = stmt.values.clone().unwrap_or(sea_orm::Values(Vec::new()));
    sqlx::query_with(sqlx::AssertSqlSafe(stmt.sql.as_str()), SqlxValues(values))
}

fn exec_err(err: sqlx::Error) -> DbErr {
    DbErr::Exec(RuntimeErr::SqlxError(Arc::new(err)))
}

fn query_err(err: sqlx::Error) -> DbErr {
    DbErr::Query(RuntimeErr::SqlxError(Arc::new(err)))
}

#[async_trait::async_trait]
impl ConnectionTrait for Reader {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Reader::Pool(conn) => conn.get_database_backend(),
            Reader::Held(_) => DbBackend::Sqlite,
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Reader::Pool(conn) => conn.execute_raw(stmt).await,
            Reader::Held(held) => held.lease().await?.execute(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Reader::Pool(conn) => conn.execute_unprepared(sql).await,
            Reader::Held(held) => held.lease().await?.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Reader::Pool(conn) => conn.query_one_raw(stmt).await,
            Reader::Held(held) => held.lease().await?.query_one(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Reader::Pool(conn) => conn.query_all_raw(stmt).await,
            Reader::Held(held) => held.lease().await?.query_all(stmt).await,
        }
    }
}

/// A read-only transaction from [`Reader::snapshot`].
#[derive(Debug)]
pub enum Snapshot {
    Pool(sea_orm::DatabaseTransaction),
    Held(tokio::sync::Mutex<Lease>),
}

impl Snapshot {
    /// Ends the transaction. (Dropped without it, it is rolled back: by
    /// sea-orm, or by the connection's next borrower.)
    pub async fn commit(self) -> Result<(), DbErr> {
        match self {
            Snapshot::Pool(txn) => txn.commit().await,
            Snapshot::Held(lease) => {
                let mut lease = lease.into_inner();
                lease.run_unprepared("COMMIT").await?;
                lease.open = false;
                Ok(())
            }
        }
    }
}

#[async_trait::async_trait]
impl ConnectionTrait for Snapshot {
    fn get_database_backend(&self) -> DbBackend {
        match self {
            Snapshot::Pool(txn) => txn.get_database_backend(),
            Snapshot::Held(_) => DbBackend::Sqlite,
        }
    }

    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        match self {
            Snapshot::Pool(txn) => txn.execute_raw(stmt).await,
            Snapshot::Held(lease) => lease.lock().await.execute(stmt).await,
        }
    }

    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        match self {
            Snapshot::Pool(txn) => txn.execute_unprepared(sql).await,
            Snapshot::Held(lease) => lease.lock().await.execute_unprepared(sql).await,
        }
    }

    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        match self {
            Snapshot::Pool(txn) => txn.query_one_raw(stmt).await,
            Snapshot::Held(lease) => lease.lock().await.query_one(stmt).await,
        }
    }

    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        match self {
            Snapshot::Pool(txn) => txn.query_all_raw(stmt).await,
            Snapshot::Held(lease) => lease.lock().await.query_all(stmt).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::Db;

    async fn db(dir: &tempfile::TempDir) -> Db {
        let db = Db::connect_test_file(dir).await;
        db.writer()
            .execute_unprepared("CREATE TABLE scratch (x INTEGER)")
            .await
            .expect("create");
        db
    }

    async fn rows(reader: &impl ConnectionTrait) -> i64 {
        let count = Statement::from_string(DbBackend::Sqlite, "SELECT COUNT(*) AS n FROM scratch");
        let row = reader.query_one_raw(count).await.expect("count");
        row.expect("a row").try_get("", "n").expect("n")
    }

    #[tokio::test]
    async fn a_snapshot_dropped_open_is_rolled_back_by_the_next_borrower() {
        let dir = tempfile::tempdir().expect("dir");
        let db = db(&dir).await;
        let Reader::Held(_) = db.reader() else {
            panic!("a SQLite file's reads are held");
        };
        let snapshot = db.begin_snapshot().await.expect("begin");
        assert_eq!(rows(&snapshot).await, 0);
        drop(snapshot);
        db.writer()
            .execute_unprepared("INSERT INTO scratch VALUES (1)")
            .await
            .expect("insert");
        // The one read connection: still in the old snapshot, it would see 0.
        assert_eq!(rows(db.reader()).await, 1);
        let snapshot = db.begin_snapshot().await.expect("begin again");
        assert_eq!(rows(&snapshot).await, 1);
        snapshot.commit().await.expect("commit");
    }

    #[tokio::test]
    async fn a_snapshot_cancelled_before_its_begin_leaves_the_connection_usable() {
        let dir = tempfile::tempdir().expect("dir");
        let db = db(&dir).await;
        let Reader::Held(held) = db.reader() else {
            panic!("a SQLite file's reads are held");
        };
        // Marked open, but its BEGIN never ran.
        let mut lease = held.lease().await.expect("lease");
        lease.open = true;
        drop(lease);
        assert_eq!(rows(db.reader()).await, 0);
        assert_eq!(rows(db.reader()).await, 0);
    }

    /// `.cargo/config.toml` builds SQLite with the query planner stability
    /// guarantee; without it every statement with a bound LIMIT is parsed
    /// and planned again on each use (about a third of a GET by id).
    #[tokio::test]
    async fn sqlite_is_built_to_plan_without_bound_values_and_without_global_locks() {
        let dir = tempfile::tempdir().expect("dir");
        let db = db(&dir).await;
        let options = Statement::from_string(
            DbBackend::Sqlite,
            "SELECT compile_options AS option FROM pragma_compile_options",
        );
        let rows = db.reader().query_all_raw(options).await.expect("options");
        let options: Vec<String> = rows
            .iter()
            .map(|row| row.try_get("", "option").expect("option"))
            .collect();
        let has = |option: &str| options.iter().any(|o| o == option);
        assert!(has("ENABLE_QPSG"), "built without SQLITE_ENABLE_QPSG");
        // Without these every allocation and page fetch of every
        // connection takes one of SQLite's process-wide mutexes.
        assert!(has("DEFAULT_MEMSTATUS=0"), "built with memory statistics");
        assert!(
            !has("ENABLE_MEMORY_MANAGEMENT"),
            "built with one page cache group for all connections"
        );
    }
}
