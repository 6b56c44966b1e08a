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

use futures_util::future::BoxFuture;
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};
use tokio::sync::{mpsc, oneshot};

use std::sync::Arc;

use super::{DbError, tasks};
use crate::domain::{OwnerId, Task, TaskDraft, Timestamp};
use crate::observe::metrics::Metrics;

/// Most writes one transaction takes.
const MAX_GROUP: usize = 64;

/// What a write does on the group's transaction; run again if the group
/// fails, so it must not consume what it was given.
pub type Work<T> =
    Box<dyn for<'t> FnMut(&'t DatabaseTransaction) -> BoxFuture<'t, Result<T, DbError>> + Send>;

/// A write in the queue, with its result.
trait Job: Send {
    fn run<'t>(&'t mut self, txn: &'t DatabaseTransaction) -> BoxFuture<'t, Result<(), DbError>>;
    /// Answers the caller: the result, if the transaction committed.
    fn finish(self: Box<Self>, committed: Result<(), DbError>);
    /// A create of a top-level task, which the group stores together with
    /// the other ones of its owner.
    fn appending(&mut self) -> Option<&mut Appending> {
        None
    }
}

/// A new top-level task in the queue, and then the task stored.
struct Appending {
    owner: OwnerId,
    draft: TaskDraft,
    now: Timestamp,
    stored: Option<Task>,
    reply: oneshot::Sender<Result<Task, DbError>>,
}

impl Job for Appending {
    fn run<'t>(&'t mut self, txn: &'t DatabaseTransaction) -> BoxFuture<'t, Result<(), DbError>> {
        Box::pin(async move {
            let new = [(&self.draft, self.now)];
            self.stored = tasks::append_all(txn, self.owner, &new).await?.pop();
            Ok(())
        })
    }

    fn finish(self: Box<Self>, committed: Result<(), DbError>) {
        let Appending { stored, reply, .. } = *self;
        let _ = reply.send(committed.and_then(|()| stored.ok_or_else(no_result)));
    }

    fn appending(&mut self) -> Option<&mut Appending> {
        Some(self)
    }
}

fn no_result() -> DbError {
    DbError::Other(DbErr::Custom("a write left no result".into()))
}

struct Pending<T> {
    work: Work<T>,
    result: Option<T>,
    reply: oneshot::Sender<Result<T, DbError>>,
}

impl<T: Send> Job for Pending<T> {
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

    /// Stores a new top-level task of `owner` in the next group and
    /// returns it once the group has committed.
    pub async fn append(
        &self,
        owner: OwnerId,
        draft: TaskDraft,
        now: Timestamp,
    ) -> Result<Task, DbError> {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Appending {
            owner,
            draft,
            now,
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

/// Runs `group` in one write transaction and commits it. The top-level
/// creates of each owner are stored together, after the other writes: one
/// reservation and one INSERT for all of them.
async fn run_together(write: &Connection, group: &mut [Box<dyn Job>]) -> Result<(), DbError> {
    let txn = super::begin_immediate(&write.write, write.metrics.as_deref()).await?;
    for job in group.iter_mut() {
        if job.appending().is_none() {
            job.run(&txn).await?;
        }
    }
    let mut appends: Vec<_> = group.iter_mut().filter_map(|job| job.appending()).collect();
    // In the order they came, owner by owner.
    appends.sort_by_key(|append| append.owner.0);
    for owners in appends.chunk_by_mut(|a, b| a.owner == b.owner) {
        let new: Vec<_> = owners.iter().map(|a| (&a.draft, a.now)).collect();
        let stored = tasks::append_all(&txn, owners[0].owner, &new).await?;
        for (append, task) in owners.iter_mut().zip(stored) {
            append.stored = Some(task);
        }
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
