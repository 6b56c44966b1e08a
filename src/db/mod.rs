//! The database: connecting, migrating, and the queries (as plain functions
//! taking the connection). Nothing here knows about HTTP.

pub mod changes;
pub mod entity;
pub mod group;
pub mod labels;
pub mod lists;
pub mod migration;
mod numbers;
pub mod read;
mod relist;
mod rows;
mod sorted;
mod subtree;
pub mod tasks;
#[cfg(test)]
mod testing;
pub mod tree;
pub(crate) mod write;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tracing::Instrument;

use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseConnectionType, DbErr,
    RuntimeErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

use crate::domain::{ListId, OwnerId};
use crate::observe::metrics::Metrics;

/// SQLite: how much longer than the busy timeout a request waits for the
/// write connection before it is answered 503.
const ACQUIRE_GRACE: Duration = Duration::from_secs(1);

/// SQLite: how long a request waits for a connection before it is
/// answered 503: past the busy timeout, queueing longer helps no one.
fn acquire_timeout(settings: &Settings) -> Duration {
    settings.busy_timeout + ACQUIRE_GRACE
}

/// How durable a SQLite commit is (`PRAGMA synchronous`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Durability {
    /// Every commit is synced to disk before it is acknowledged: a 201
    /// survives power loss.
    Full,
    /// Commits survive a crash of the process, but the last few may be lost
    /// if the machine loses power.
    Normal,
}

/// What the database layer needs to know to connect.
#[derive(Clone, Debug)]
pub struct Settings {
    pub url: String,
    pub durability: Durability,
    /// How long a statement waits for another connection's lock.
    pub busy_timeout: Duration,
    /// Connections that serve reads (SQLite).
    pub read_connections: u32,
    /// PostgreSQL: the pool's size.
    pub max_connections: u32,
    /// How long to wait for a new connection (PostgreSQL: also for a free
    /// one from the pool).
    pub connect_timeout: Duration,
    /// PostgreSQL: how long a statement may run.
    pub statement_timeout: Duration,
}

/// Why a database call failed, in terms the caller can act on.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database is locked or unreachable for now; retrying later may work.
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] DbErr),
    /// A write kept losing races with concurrent writers.
    #[error("the task kept changing under concurrent writes")]
    Contended,
    /// A stored row that breaks the rules it was written under.
    #[error("stored {row} is corrupt: {reason}")]
    Corrupt { row: String, reason: &'static str },
    /// Anything else: a bug or a broken database.
    #[error("database error: {0}")]
    Other(#[source] DbErr),
    /// The writer lost the role a write needs on a list (`role`: the one
    /// it holds now, if it is still a member) between the request's check
    /// and its transaction.
    #[error("the write needs the role {} on list {}", needed.as_str(), list.0)]
    Denied {
        list: crate::domain::ListId,
        role: Option<crate::domain::Role>,
        needed: crate::domain::Role,
    },
}

impl From<DbErr> for DbError {
    fn from(err: DbErr) -> Self {
        if is_transient(&err) {
            DbError::Unavailable(err)
        } else {
            DbError::Other(err)
        }
    }
}

/// Errors that say "not now" rather than "never": busy or locked SQLite,
/// I/O failures, an exhausted pool, a lost connection, and on PostgreSQL any
/// failure to establish a connection (the server is starting, shutting
/// down, full, or refusing connections to this database for now).
fn is_transient(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error as SqlxError;
    let (sqlx_err, connecting) = match err {
        DbErr::ConnectionAcquire(_) => return true,
        // sea-orm reports a failure to connect (or to get a connection from
        // the pool, which may have to open one) as `Conn`.
        DbErr::Conn(RuntimeErr::SqlxError(e)) => (e, true),
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            (e, false)
        }
        DbErr::Conn(_) => return true,
        _ => return false,
    };
    match sqlx_err.as_ref() {
        SqlxError::Database(db_err) => {
            let code = db_err.code().unwrap_or_default();
            if db_err
                .try_downcast_ref::<sea_orm::sqlx::postgres::PgDatabaseError>()
                .is_some()
            {
                // While connecting, whatever the SQLSTATE (55000 "not
                // accepting connections", 57P03 "starting up", 53300 "too
                // many clients", 28xxx while a restart loses the role, …);
                // otherwise classes 08 (connection), 53 (resources), 57P
                // (shutdown), 57014 (statement timeout), and the retryable
                // 40001 / 40P01.
                return connecting
                    || code.starts_with("08")
                    || code.starts_with("53")
                    || code.starts_with("57P")
                    || code == "57014"
                    || code == "40001"
                    || code == "40P01";
            }
            // SQLite result codes (the primary code is the low byte):
            // BUSY 5, LOCKED 6, READONLY 8, IOERR 10, FULL 13, CANTOPEN 14,
            // PROTOCOL 15. A file that is not a database (26) or is corrupt
            // (11) stays a server error, even while connecting.
            code.parse::<i32>()
                .is_ok_and(|c| matches!(c & 0xff, 5 | 6 | 8 | 10 | 13 | 14 | 15))
        }
        SqlxError::Io(_)
        | SqlxError::PoolTimedOut
        | SqlxError::PoolClosed
        | SqlxError::WorkerCrashed
        | SqlxError::Tls(_) => true,
        _ => false,
    }
}

/// The database handles: reads go to a pool; writes to a pool that, on
/// SQLite, holds one connection, so writers queue in the process instead of
/// spinning on SQLite's lock.
#[derive(Clone, Debug)]
pub struct Db {
    read: read::Reader,
    write: DatabaseConnection,
    /// Whether `read` and `write` are one pool.
    shared: bool,
    /// SQLite: the queue whose writes commit in groups.
    group: Option<group::Writer>,
    metrics: Option<Arc<Metrics>>,
    /// Each owner's inbox, once looked up: an inbox never changes.
    inboxes: Arc<std::sync::RwLock<std::collections::HashMap<OwnerId, ListId>>>,
    /// The lists each owner was last seen to see: a guess a read checks in
    /// its own statement (`tasks::list_visible`), never trusted unchecked.
    visible: Arc<std::sync::RwLock<std::collections::HashMap<OwnerId, Vec<ListId>>>>,
    /// Which lists this process last saw keep the sort indexes.
    sorted: Arc<sorted::Known>,
}

impl Db {
    /// Connects and runs every pending migration; database calls are
    /// timed into `metrics`, if given.
    pub async fn connect(
        settings: &Settings,
        metrics: Option<Arc<Metrics>>,
    ) -> Result<Self, DbErr> {
        let sqlite = settings.url.starts_with("sqlite:");
        let (read, write, shared) = if sqlite {
            Self::connect_sqlite(settings).await?
        } else {
            let conn = Database::connect(Self::postgres_options(settings)).await?;
            (conn.clone(), conn, true)
        };
        migration::Migrator::up(&write, None).await?;
        // The writer shares an in-memory database's one connection: then
        // reads check it out of the pool like writes.
        let read = if sqlite && !shared {
            read::Reader::held(&read, settings.read_connections, acquire_timeout(settings))
        } else {
            read::Reader::Pool(read)
        };
        // PostgreSQL commits concurrent transactions together by itself.
        let group = sqlite.then(|| group::Writer::start(write.clone(), metrics.clone()));
        Ok(Self {
            read,
            write,
            shared,
            group,
            metrics,
            inboxes: Arc::default(),
            visible: Arc::default(),
            sorted: Arc::default(),
        })
    }

    /// (read, write, whether they are one pool).
    async fn connect_sqlite(
        settings: &Settings,
    ) -> Result<(DatabaseConnection, DatabaseConnection, bool), DbErr> {
        let write = Database::connect(Self::sqlite_options(settings, 1)).await?;
        // Each connection to an in-memory database is a database of its own:
        // there, one connection must serve everything.
        if settings.url.contains(":memory:") || settings.url.contains("mode=memory") {
            return Ok((write.clone(), write, true));
        }
        let read =
            Database::connect(Self::sqlite_options(settings, settings.read_connections)).await?;
        Ok((read, write, false))
    }

    /// `owner`'s inbox, if this process has looked it up before.
    pub(crate) fn known_inbox(&self, owner: OwnerId) -> Option<ListId> {
        self.inboxes.read().ok()?.get(&owner).copied()
    }

    pub(crate) fn remember_inbox(&self, owner: OwnerId, list: ListId) {
        if let Ok(mut known) = self.inboxes.write() {
            known.insert(owner, list);
        }
    }

    /// The lists `owner` was last seen to see by this process, if any.
    pub(crate) fn known_visible(&self, owner: OwnerId) -> Option<Vec<ListId>> {
        self.visible.read().ok()?.get(&owner).cloned()
    }

    pub(crate) fn remember_visible(&self, owner: OwnerId, lists: Vec<ListId>) {
        if let Ok(mut known) = self.visible.write() {
            // Bounded: a guess is only worth keeping for active owners.
            if known.len() >= 10_000 {
                known.clear();
            }
            known.insert(owner, lists);
        }
    }

    pub(crate) fn sorted_lists(&self) -> &sorted::Known {
        &self.sorted
    }

    /// The metrics database calls are timed into, if any.
    pub fn metrics(&self) -> Option<&Arc<Metrics>> {
        self.metrics.as_ref()
    }

    /// Runs the database call `call` as `operation`: timed, in a span.
    pub async fn timed<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T, DbError>>,
    ) -> Result<T, DbError> {
        let started = Instant::now();
        let result = call.instrument(tracing::debug_span!("db", operation)).await;
        if let Some(metrics) = &self.metrics {
            metrics.query(operation, started.elapsed());
        }
        result
    }

    /// (pool, size, idle) of each distinct pool, for the metrics.
    pub fn pool_sizes(&self) -> Vec<(&'static str, u32, u32)> {
        let (size, idle) = self.read.sizes();
        if self.shared {
            // PostgreSQL (and in-memory SQLite) use one pool for both.
            return vec![("shared", size, idle)];
        }
        let mut sizes = vec![("read", size, idle)];
        if let DatabaseConnectionType::SqlxSqlitePoolConnection(_) = &self.write.inner {
            let pool = self.write.get_sqlite_connection_pool();
            sizes.push(("write", pool.size(), pool.num_idle() as u32));
        }
        sizes
    }

    fn sqlite_options(settings: &Settings, max_connections: u32) -> ConnectOptions {
        let mut options = ConnectOptions::new(settings.url.clone());
        let busy_timeout = settings.busy_timeout;
        let synchronous = match settings.durability {
            Durability::Full => SqliteSynchronous::Full,
            Durability::Normal => SqliteSynchronous::Normal,
        };
        options
            .max_connections(max_connections)
            .min_connections(1)
            .connect_timeout(settings.connect_timeout)
            // A request waits at most this long for a free connection, then
            // gets a 503: past the busy timeout, queueing longer helps no one.
            .acquire_timeout(acquire_timeout(settings))
            // A SQLite connection is a file handle on this machine, not a
            // socket that can break: a ping before each use would only add a
            // hand-off to the connection's thread to every statement.
            .test_before_acquire(false)
            .sqlx_logging(false)
            .map_sqlx_sqlite_opts(move |o| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(synchronous)
                    .busy_timeout(busy_timeout)
                    .foreign_keys(true)
                    // A statement that writes many rows keeps the pages it
                    // changes until it ends, for its own rollback: in memory,
                    // not in a temporary file it writes them to (a group of
                    // creates of 100 lists spilled each commit's pages to
                    // one, doubling its writes).
                    .pragma("temp_store", "memory")
            });
        options
    }

    fn postgres_options(settings: &Settings) -> ConnectOptions {
        let mut options = ConnectOptions::new(settings.url.clone());
        let statement_timeout = format!("{}ms", settings.statement_timeout.as_millis());
        options
            .max_connections(settings.max_connections)
            .min_connections(1)
            .connect_timeout(settings.connect_timeout)
            .acquire_timeout(settings.connect_timeout)
            // A broken connection (the server restarted) is noticed before
            // use, so an outage heals without a restart of ours.
            .test_before_acquire(true)
            .sqlx_logging(false)
            .map_sqlx_postgres_opts(move |o| {
                // NOTICEs are for people at a console (every start's
                // `CREATE TABLE IF NOT EXISTS` of the migrator sent
                // "relation … already exists, skipping" three times); the
                // server hears warnings and errors only.
                //
                // Each statement is planned once per connection, generically:
                // with the default, a page's statement at 10 M tasks was
                // planned afresh on every execution (0.3 ms, more than it
                // runs), as its LIMIT made the generic plan look dearer.
                // The generic plans are the ones `scripts/bench/scale.py`
                // checks; the text of a statement names the partial
                // indexes it may use (`sorted`), never a parameter.
                o.options([
                    ("statement_timeout", statement_timeout.as_str()),
                    ("client_min_messages", "warning"),
                    ("plan_cache_mode", "force_generic_plan"),
                ])
            });
        options
    }

    /// The connection for reads.
    pub fn reader(&self) -> &read::Reader {
        &self.read
    }

    /// SQLite: the queue whose writes commit in groups.
    pub fn group(&self) -> Option<&group::Writer> {
        self.group.as_ref()
    }

    /// The connection for writes.
    pub fn writer(&self) -> &DatabaseConnection {
        &self.write
    }

    /// Runs `work` in a write transaction and returns its result once that
    /// has committed: on SQLite in the next group of writes (`group`), on
    /// PostgreSQL in a transaction of its own. `work` must write nothing
    /// before it knows it will succeed but the change numbers it reserves,
    /// and may run again if its group fails.
    pub async fn write<T: Send + 'static>(&self, mut work: group::Work<T>) -> Result<T, DbError> {
        if let Some(group) = &self.group {
            return group.write(work).await;
        }
        let txn = self.begin_write().await?;
        let result = work(&txn).await?;
        txn.commit().await?;
        Ok(result)
    }

    /// Starts a read-only transaction whose statements all see one
    /// snapshot of the database.
    pub async fn begin_snapshot(&self) -> Result<read::Snapshot, DbErr> {
        self.read.snapshot().await
    }

    /// Starts a write transaction that holds the write lock from its first
    /// statement (`BEGIN IMMEDIATE` on SQLite), so a read-then-write inside
    /// it can neither deadlock nor act on a stale read.
    pub async fn begin_write(&self) -> Result<sea_orm::DatabaseTransaction, DbErr> {
        begin_immediate(&self.write, self.metrics.as_deref()).await
    }

    /// Succeeds when the database can take a write now: it takes the write
    /// lock and gives it back (in WAL mode a read says nothing about writes).
    pub async fn check_writable(&self, within: Duration) -> Result<(), DbError> {
        let attempt = async {
            let txn = self.begin_write().await?;
            txn.execute_unprepared("SELECT 1").await?;
            txn.rollback().await
        };
        match tokio::time::timeout(within, attempt).await {
            Ok(result) => result.map_err(DbError::from),
            Err(_) => Err(DbError::Unavailable(DbErr::ConnectionAcquire(
                sea_orm::ConnAcquireErr::Timeout,
            ))),
        }
    }
}

/// A write transaction on `write` that holds the write lock from its first
/// statement (`BEGIN IMMEDIATE` on SQLite); the wait for it is recorded in
/// `metrics`.
async fn begin_immediate(
    write: &DatabaseConnection,
    metrics: Option<&Metrics>,
) -> Result<sea_orm::DatabaseTransaction, DbErr> {
    let started = Instant::now();
    let txn = write
        .begin_with_options(TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..TransactionOptions::default()
        })
        .await;
    if let Some(metrics) = metrics {
        metrics.write_lock_wait(started.elapsed());
    }
    txn
}
