//! Group commit (SQLite): the writes waiting for the one write connection
//! run in one transaction and share its commit (and, with
//! `synchronous=full`, its fsync). Each is answered only after that commit,
//! so an acknowledged write is as durable as before.
//!
//! A group's writes are ones that cannot fail half-way but for a database
//! error: a logical refusal (a missing task, a stale `If-Match`) is decided
//! before anything but the change number is written, so it needs no
//! rollback. When a write of the group fails, the group is rolled back and
//! each write runs again on its own, so one failure fails no other.

use std::any::{Any, TypeId};

use futures_util::future::BoxFuture;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use tokio::sync::{mpsc, oneshot};

use std::sync::Arc;

use super::DbError;
use crate::observe::metrics::Metrics;

/// Most writes one transaction takes.
const MAX_GROUP: usize = 64;

/// What a write does on the group's transaction; run again if the group
/// fails, so it must not consume what it was given.
pub type Work<T> =
    Box<dyn for<'t> FnMut(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T, DbError>> + Send>;

/// Writes of one kind that the writer stores together when several wait in
/// one group, without knowing what they are: the kind says how to store all
/// its waiting writes that share a key at once (a create of a top-level
/// task: those of one list take one reservation and one INSERT; see
/// `tasks::create::Append`). They are stored after the group's other
/// writes, key by key, each in the order they came.
pub(crate) trait Merge: Send + Sync + 'static {
    type Output: Send + 'static;
    /// Writes with the same key are stored together.
    fn key(&self) -> i64;
    /// Stores `all` (of one key, in the order they came) on `txn`: one
    /// result each, in order.
    fn store_all<'a>(
        txn: &'a DatabaseTransaction,
        all: Vec<&'a Self>,
    ) -> BoxFuture<'a, Result<Vec<Self::Output>, DbError>>
    where
        Self: Sized;
}

/// A write in the queue, with its result.
trait Job: Send + Any {
    fn run<'t>(&'t mut self, txn: &'t DatabaseTransaction) -> BoxFuture<'t, Result<(), DbError>>;
    /// Answers the caller: the result, if the transaction committed.
    fn finish(self: Box<Self>, committed: Result<(), DbError>);
    /// A write stored with the others of its kind and key: the kind, the
    /// key, and how the kind stores them.
    fn merged(&self) -> Option<(TypeId, i64, StoreKind)> {
        None
    }
    fn as_any(&mut self) -> &mut (dyn Any + Send);
}

/// Stores the waiting writes of one kind and key (all of them `Merged<M>`
/// of one `M`).
type StoreKind = for<'a> fn(
    &'a DatabaseTransaction,
    Vec<&'a mut (dyn Any + Send)>,
) -> BoxFuture<'a, Result<(), DbError>>;

/// A write of a kind that is stored with the others of its key.
struct Merged<M: Merge> {
    item: M,
    stored: Option<M::Output>,
    reply: oneshot::Sender<Result<M::Output, DbError>>,
}

impl<M: Merge> Job for Merged<M> {
    fn run<'t>(&'t mut self, txn: &'t DatabaseTransaction) -> BoxFuture<'t, Result<(), DbError>> {
        // Alone (its group failed): a kind of one.
        Box::pin(async move {
            self.stored = M::store_all(txn, vec![&self.item]).await?.pop();
            Ok(())
        })
    }

    fn finish(self: Box<Self>, committed: Result<(), DbError>) {
        let Merged { stored, reply, .. } = *self;
        let _ = reply.send(committed.and_then(|()| stored.ok_or_else(no_result)));
    }

    fn merged(&self) -> Option<(TypeId, i64, StoreKind)> {
        Some((TypeId::of::<M>(), self.item.key(), store_kind::<M>))
    }

    fn as_any(&mut self) -> &mut (dyn Any + Send) {
        self
    }
}

/// `StoreKind` of `M`: the items to `M::store_all`, the results back to
/// each write.
fn store_kind<'a, M: Merge>(
    txn: &'a DatabaseTransaction,
    jobs: Vec<&'a mut (dyn Any + Send)>,
) -> BoxFuture<'a, Result<(), DbError>> {
    Box::pin(async move {
        let mut jobs: Vec<&mut Merged<M>> = jobs
            .into_iter()
            .filter_map(|job| job.downcast_mut::<Merged<M>>())
            .collect();
        let stored = {
            let items: Vec<&M> = jobs.iter().map(|job| &job.item).collect();
            M::store_all(txn, items).await?
        };
        if stored.len() != jobs.len() {
            return Err(no_result());
        }
        for (job, output) in jobs.iter_mut().zip(stored) {
            job.stored = Some(output);
        }
        Ok(())
    })
}

fn no_result() -> DbError {
    DbError::Other(DbErr::Custom("a write left no result".into()))
}

struct Pending<T> {
    work: Work<T>,
    result: Option<T>,
    reply: oneshot::Sender<Result<T, DbError>>,
}

impl<T: Send + 'static> Job for Pending<T> {
    fn run<'t>(&'t mut self, txn: &'t DatabaseTransaction) -> BoxFuture<'t, Result<(), DbError>> {
        Box::pin(async move {
            self.result = Some((self.work)(txn).await?);
            Ok(())
        })
    }

    fn finish(self: Box<Self>, committed: Result<(), DbError>) {
        let Pending { result, reply, .. } = *self;
        let answer = committed.and_then(|()| result.ok_or_else(no_result));
        // The caller may have gone (its request timed out): nothing to tell.
        let _ = reply.send(answer);
    }

    fn as_any(&mut self) -> &mut (dyn Any + Send) {
        self
    }
}

/// The queue in front of the write connection.
#[derive(Clone, Debug)]
pub struct Writer {
    queue: mpsc::UnboundedSender<Box<dyn Job>>,
}

impl Writer {
    /// Starts the task that writes through `write`; each group's wait for
    /// the write lock is recorded in `metrics`.
    pub fn start(write: DatabaseConnection, metrics: Option<Arc<Metrics>>) -> Self {
        let (queue, jobs) = mpsc::unbounded_channel();
        tokio::spawn(serve(Connection { write, metrics }, jobs));
        Self { queue }
    }

    /// Runs `work` in the next group and returns its result once the group
    /// has committed.
    pub async fn write<T: Send + 'static>(&self, work: Work<T>) -> Result<T, DbError> {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Pending {
            work,
            result: None,
            reply,
        });
        self.queue.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Stores `item` in the next group, with the other writes of its kind
    /// and key waiting there, and returns its result once the group has
    /// committed.
    pub(crate) async fn merged<M: Merge>(&self, item: M) -> Result<M::Output, DbError> {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Merged {
            item,
            stored: None,
            reply,
        });
        self.queue.send(job).map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

fn stopped() -> DbError {
    DbError::Unavailable(DbErr::Custom("the writer has stopped".into()))
}

/// The write connection, and where its lock waits are recorded.
struct Connection {
    write: DatabaseConnection,
    metrics: Option<Arc<Metrics>>,
}

async fn serve(write: Connection, mut jobs: mpsc::UnboundedReceiver<Box<dyn Job>>) {
    while let Some(first) = jobs.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        match run_together(&write, &mut group).await {
            Ok(()) => group.into_iter().for_each(|job| job.finish(Ok(()))),
            Err(err) if group.len() == 1 => {
                if let Some(job) = group.pop() {
                    job.finish(Err(err));
                }
            }
            // One write's failure (or the commit's): each on its own.
            Err(_) => {
                for mut job in group {
                    let alone = run_together(&write, std::slice::from_mut(&mut job)).await;
                    job.finish(alone);
                }
            }
        }
    }
}

/// Runs `group` in one write transaction and commits it: the plain writes
/// in the order they came, then the merged ones, kind by kind and key by
/// key, each key's together.
async fn run_together(write: &Connection, group: &mut [Box<dyn Job>]) -> Result<(), DbError> {
    let txn = super::begin_immediate(&write.write, write.metrics.as_deref()).await?;
    let mut merged = Vec::new();
    for job in group.iter_mut() {
        match job.merged() {
            None => job.run(&txn).await?,
            Some((kind, key, store)) => merged.push(((kind, key), store, job)),
        }
    }
    // Stable: each key's writes stay in the order they came.
    merged.sort_by_key(|(kind_and_key, ..)| *kind_and_key);
    let mut rest = merged.into_iter().peekable();
    while let Some((kind_and_key, store, job)) = rest.next() {
        let mut same: Vec<&mut (dyn Any + Send)> = vec![job.as_any()];
        while let Some((_, _, job)) = rest.next_if(|(next, ..)| *next == kind_and_key) {
            same.push(job.as_any());
        }
        store(&txn, same).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Boxes a closure as `Work` (closures cannot spell "the future borrows
/// the transaction" themselves).
pub fn work<T, F>(f: F) -> Work<T>
where
    F: for<'t> FnMut(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T, DbError>> + Send + 'static,
{
    Box::new(f)
}
