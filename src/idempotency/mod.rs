//! `Idempotency-Key` (the IETF draft, with Stripe's semantics): the key, the
//! stored response, the store, and the purge of expired keys (run by
//! `jobs.rs`). A `POST` with
//! a key is performed once; a retry with the same key and body gets the
//! first response again, the same key with another body is refused.

mod key;
mod persistence;

use std::time::Duration;

pub use self::key::IdempotencyKey;
pub use self::persistence::{Keyed, StoredResponse, Work, perform_once, work};
pub(crate) use self::persistence::{purge, run_once};

/// How long a key is kept (at least): a retry within it is recognised.
pub const KEY_TTL: Duration = Duration::from_secs(24 * 60 * 60);
