//! `Idempotency-Key` (the IETF draft, with Stripe's semantics): the key, the
//! stored response, the store, and the purge of expired keys. A `POST` with
//! a key is performed once; a retry with the same key and body gets the
//! first response again, the same key with another body is refused.

mod key;
mod persistence;

use std::time::Duration;

pub use self::key::IdempotencyKey;
pub(crate) use self::persistence::run_once;
pub use self::persistence::{Keyed, StoredResponse, Work, perform_once, work};
use crate::db::Db;
use crate::domain::Timestamp;
use crate::telemetry::error_chain;

/// How long a key is kept (at least): a retry within it is recognised.
pub const KEY_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// How often expired keys are purged.
const PURGE_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// Forgets keys older than [`KEY_TTL`], every [`PURGE_INTERVAL`], forever.
pub async fn purge_periodically(db: Db) {
    let mut tick = tokio::time::interval(PURGE_INTERVAL);
    loop {
        tick.tick().await;
        let cutoff = Timestamp::now().as_micros() - KEY_TTL.as_micros() as i64;
        let Some(cutoff) = Timestamp::from_micros(cutoff) else {
            tracing::warn!(cutoff, "purge skipped: the cutoff is not a valid instant");
            continue;
        };
        match persistence::purge(&db, cutoff).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "forgot expired idempotency keys"),
            Err(err) => tracing::warn!(error = %error_chain(&err), "purge failed"),
        }
    }
}
