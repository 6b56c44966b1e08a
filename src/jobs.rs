//! The periodic jobs, in one place: every ten minutes the expired
//! idempotency keys are forgotten, the trash is emptied of tasks past its
//! retention, and the change feed forgets the tombstones past its own. Each
//! runs on every process (the statements are idempotent; two processes
//! racing only repeat a no-op).

use std::time::Duration;

use crate::db::{self, Db};
use crate::domain::Timestamp;
use crate::idempotency;
use crate::telemetry::error_chain;

/// How often the jobs run.
const INTERVAL: Duration = Duration::from_secs(10 * 60);

/// Runs the jobs every [`INTERVAL`], forever: keys older than
/// `idempotency::KEY_TTL`, tasks and lists trashed longer ago than `trash`, and
/// tombstones of tasks deleted longer ago than `feed`.
pub(crate) async fn run_periodically(db: Db, trash: Duration, feed: Duration) {
    let mut tick = tokio::time::interval(INTERVAL);
    loop {
        tick.tick().await;
        if let Some(cutoff) = ago(idempotency::KEY_TTL) {
            report(
                idempotency::purge(&db, cutoff).await,
                "forgot expired idempotency keys",
                "idempotency key purge failed",
            );
        }
        if let Some(cutoff) = ago(trash) {
            report(
                db::tasks::purge_trash_of_every_owner(&db, cutoff).await,
                "emptied the trash of expired tasks",
                "trash purge failed",
            );
            report(
                db::lists::manage::purge_trashed_lists(&db, cutoff).await,
                "removed lists trashed before the retention",
                "list purge failed",
            );
        }
        if let Some(cutoff) = ago(feed) {
            report(
                db::changes::prune_every_owners_history(&db, cutoff).await,
                "forgot expired tombstones",
                "history prune failed",
            );
        }
    }
}

/// Logs what a job did: how many rows it removed, or why it failed.
fn report(done: Result<u64, db::DbError>, what: &str, failed: &str) {
    match done {
        Ok(0) => {}
        Ok(removed) => tracing::info!(removed, "{what}"),
        Err(err) => tracing::warn!(error = %error_chain(&err), "{failed}"),
    }
}

/// The instant `span` before now, if there is one.
fn ago(span: Duration) -> Option<Timestamp> {
    let micros = i64::try_from(span.as_micros()).unwrap_or(i64::MAX);
    Timestamp::from_micros(Timestamp::now().as_micros().saturating_sub(micros))
}
