//! Token buckets, in memory, per process: one per API key for requests, one
//! per client address for failed authentications. Described to clients with
//! the IETF `RateLimit-Policy` and `RateLimit` fields
//! (draft-ietf-httpapi-ratelimit-headers).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

/// A rate and a burst: `per_sec` tokens are added each second, up to `burst`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Policy {
    pub name: &'static str,
    pub per_sec: f64,
    pub burst: f64,
}

impl Policy {
    /// `RateLimit-Policy`: the quota (`q`) is the burst, over the window
    /// (`w`, seconds) in which an empty bucket fills up again.
    pub(super) fn header(&self) -> String {
        format!(
            "\"{}\";q={};w={}",
            self.name,
            self.burst as u64,
            (self.burst / self.per_sec).ceil().max(1.0) as u64
        )
    }

    fn seconds_until(&self, tokens: f64, wanted: f64) -> u64 {
        ((wanted - tokens).max(0.0) / self.per_sec).ceil() as u64
    }
}

/// What a request may do.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Decision {
    /// Go ahead; `remaining` whole tokens are left, and the bucket is full
    /// again in `reset` seconds.
    Allowed { remaining: u64, reset: u64 },
    /// Over the limit: a token is back in `retry_after` seconds (≥ 1), and
    /// the bucket is full again in `reset` seconds.
    Limited { retry_after: u64, reset: u64 },
}

impl Decision {
    /// The `RateLimit` field for this decision under `policy`: `r` whole
    /// tokens left, `t` seconds until the quota resets, which for a token
    /// bucket is when it is full again — on every response alike, a 429
    /// included (when a request may be retried is `Retry-After`'s).
    pub(super) fn header(&self, policy: &Policy) -> String {
        let (remaining, reset) = match *self {
            Decision::Allowed { remaining, reset } => (remaining, reset),
            Decision::Limited { reset, .. } => (0, reset),
        };
        format!("\"{}\";r={remaining};t={reset}", policy.name)
    }
}

#[derive(Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

/// Buckets kept at most; beyond it, full buckets (which say nothing a new
/// one would not) are dropped, so a flood of addresses cannot grow memory.
const MAX_BUCKETS: usize = 100_000;

/// One bucket per `K`.
pub(super) struct Buckets<K> {
    pub policy: Policy,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: Eq + Hash + Clone> Buckets<K> {
    pub(super) fn new(policy: Policy) -> Self {
        Self {
            policy,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token from `key`'s bucket if it has one.
    pub(super) fn take(&self, key: &K) -> Decision {
        self.with_bucket(key, |bucket, policy| {
            if bucket.tokens >= 1.0 {
                bucket.tokens -= 1.0;
                Decision::Allowed {
                    remaining: bucket.tokens.floor() as u64,
                    reset: policy.seconds_until(bucket.tokens, policy.burst),
                }
            } else {
                Decision::Limited {
                    retry_after: policy.seconds_until(bucket.tokens, 1.0).max(1),
                    reset: policy.seconds_until(bucket.tokens, policy.burst),
                }
            }
        })
    }

    /// Whether `key`'s bucket is empty now (taking nothing).
    pub(super) fn is_empty(&self, key: &K) -> Option<u64> {
        self.with_bucket(key, |bucket, policy| {
            (bucket.tokens < 1.0).then(|| policy.seconds_until(bucket.tokens, 1.0).max(1))
        })
    }

    /// Gives back a token taken for a request that turned out cheap.
    pub(super) fn refund(&self, key: &K) {
        self.with_bucket(key, |bucket, policy| {
            bucket.tokens = (bucket.tokens + 1.0).min(policy.burst);
        });
    }

    fn with_bucket<T>(&self, key: &K, f: impl FnOnce(&mut Bucket, &Policy) -> T) -> T {
        let now = Instant::now();
        let policy = self.policy;
        // A poisoned lock only means another request panicked mid-update;
        // the counts are still usable.
        let mut map = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_BUCKETS && !map.contains_key(key) {
            map.retain(|_, b| refill(b, now, &policy) < policy.burst);
        }
        let bucket = map.entry(key.clone()).or_insert(Bucket {
            tokens: policy.burst,
            updated: now,
        });
        refill(bucket, now, &policy);
        f(bucket, &policy)
    }
}

/// Adds the tokens earned since the bucket was last touched.
fn refill(bucket: &mut Bucket, now: Instant, policy: &Policy) -> f64 {
    let earned = now.duration_since(bucket.updated).as_secs_f64() * policy.per_sec;
    bucket.tokens = (bucket.tokens + earned).min(policy.burst);
    bucket.updated = now;
    bucket.tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(per_sec: f64, burst: f64) -> Policy {
        Policy {
            name: "test",
            per_sec,
            burst,
        }
    }

    #[test]
    fn a_bucket_allows_its_burst_then_limits() {
        let buckets = Buckets::new(policy(0.5, 3.0));
        let decisions: Vec<_> = (0..4).map(|_| buckets.take(&1)).collect();
        assert_eq!(
            decisions[0],
            Decision::Allowed {
                remaining: 2,
                reset: 2
            }
        );
        assert_eq!(
            decisions[2],
            Decision::Allowed {
                remaining: 0,
                reset: 6
            }
        );
        assert_eq!(
            decisions[3],
            Decision::Limited {
                retry_after: 2,
                reset: 6
            }
        );
        // Other keys have buckets of their own.
        assert!(matches!(buckets.take(&2), Decision::Allowed { .. }));
        buckets.refund(&1);
        assert!(matches!(buckets.take(&1), Decision::Allowed { .. }));
    }

    #[test]
    fn headers_follow_the_draft() {
        let p = policy(10.0, 100.0);
        assert_eq!(p.header(), "\"test\";q=100;w=10");
        let d = Decision::Allowed {
            remaining: 7,
            reset: 3,
        };
        assert_eq!(d.header(&p), "\"test\";r=7;t=3");
        let l = Decision::Limited {
            retry_after: 1,
            reset: 10,
        };
        assert_eq!(l.header(&p), "\"test\";r=0;t=10");
    }
}
