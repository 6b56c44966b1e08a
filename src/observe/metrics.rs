//! The service's metrics, in one registry per process (one per app in the
//! tests), exposed in the OpenMetrics text format by `prometheus-client`.
//! Every label value is bounded: route templates, methods, status classes,
//! operation names — never a raw path, an id or a key.

use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::Registry;

/// The media type of the exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// The route template (`/api/tasks/{id}`), or `unmatched`.
    pub route: String,
    pub method: &'static str,
    /// `2xx` … `5xx`.
    pub status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    pool: &'static str,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EventLabels {
    event: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct BuildLabels {
    version: &'static str,
}

/// Durations from 0.1 ms to about 13 s.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.0001, 2.0, 18))
}

/// Every metric the service keeps.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<HttpLabels, Counter>,
    durations: Family<HttpLabels, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
    queries: Family<OperationLabels, Histogram, fn() -> Histogram>,
    write_lock_waits: Histogram,
    unavailable: Counter,
    replays: Counter,
    rate_limited: Family<ReasonLabels, Counter>,
    audit: Family<EventLabels, Counter>,
    pool: Family<PoolLabels, Gauge>,
    resident: Gauge,
    open_fds: Gauge,
    uptime: Gauge<f64, AtomicU64>,
    started: Instant,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// The audited events (`crate::auth::audit`).
pub const AUDIT_EVENTS: [&str; 5] = [
    "key_created",
    "key_revoked",
    "owner_created",
    "owner_disabled",
    "owner_enabled",
];

/// Why a request was refused with 429: its key's bucket is empty, or its
/// address failed to authenticate too often.
pub const RATE_LIMIT_REASONS: [&str; 2] = ["key", "auth_failures"];

impl Metrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tasks_api");
        let metrics = Self {
            requests: Family::default(),
            durations: Family::new_with_constructor(latency),
            in_flight: Gauge::default(),
            queries: Family::new_with_constructor(latency),
            write_lock_waits: latency(),
            unavailable: Counter::default(),
            replays: Counter::default(),
            rate_limited: Family::default(),
            audit: Family::default(),
            pool: Family::default(),
            resident: Gauge::default(),
            open_fds: Gauge::default(),
            uptime: Gauge::default(),
            started: Instant::now(),
            registry: Registry::default(),
        };
        metrics.register(&mut registry);
        // Counters are there from the start, at 0, so a rate of them has
        // a series to start from before the first 429.
        for reason in RATE_LIMIT_REASONS {
            drop(metrics.rate_limited.get_or_create(&ReasonLabels { reason }));
        }
        for event in AUDIT_EVENTS {
            drop(metrics.audit.get_or_create(&EventLabels { event }));
        }
        Self {
            registry,
            ..metrics
        }
    }

    fn register(&self, r: &mut Registry) {
        let info = Info::new(BuildLabels {
            version: env!("CARGO_PKG_VERSION"),
        });
        r.register("build", "The running build", info);
        r.register(
            "http_requests",
            "HTTP requests answered",
            self.requests.clone(),
        );
        r.register(
            "http_request_duration_seconds",
            "Time from a request's headers to its response",
            self.durations.clone(),
        );
        r.register(
            "http_requests_in_flight",
            "Requests being served",
            self.in_flight.clone(),
        );
        self.register_db(r);
        r.register(
            "idempotent_replays",
            "Creates answered with the stored response of their Idempotency-Key",
            self.replays.clone(),
        );
        r.register(
            "rate_limited",
            "Requests refused with 429, by reason",
            self.rate_limited.clone(),
        );
        r.register(
            "audit_events",
            "Changes to who may do what (keys made and revoked, owners made, disabled, enabled), by event",
            self.audit.clone(),
        );
        self.register_process(r);
    }

    fn register_db(&self, r: &mut Registry) {
        r.register(
            "db_query_duration_seconds",
            "Database calls by operation",
            self.queries.clone(),
        );
        r.register(
            "db_write_lock_wait_seconds",
            "Time a write waited for the write connection and lock",
            self.write_lock_waits.clone(),
        );
        r.register(
            "db_unavailable",
            "Requests answered 503: the database busy or unreachable",
            self.unavailable.clone(),
        );
        r.register(
            "db_pool_connections",
            "Database connections by pool and state",
            self.pool.clone(),
        );
    }

    fn register_process(&self, r: &mut Registry) {
        r.register(
            "process_resident_memory_bytes",
            "Resident set size",
            self.resident.clone(),
        );
        r.register(
            "process_open_fds",
            "Open file descriptors",
            self.open_fds.clone(),
        );
        r.register(
            "process_uptime_seconds",
            "Seconds since start",
            self.uptime.clone(),
        );
    }

    /// A request is being served until the guard is dropped.
    pub fn request_started(&self) -> InFlight<'_> {
        self.in_flight.inc();
        InFlight(&self.in_flight)
    }

    pub fn request_done(&self, labels: &HttpLabels, took: Duration) {
        self.requests.get_or_create(labels).inc();
        self.durations
            .get_or_create(labels)
            .observe(took.as_secs_f64());
    }

    pub fn query(&self, operation: &'static str, took: Duration) {
        self.queries
            .get_or_create(&OperationLabels { operation })
            .observe(took.as_secs_f64());
    }

    pub fn write_lock_wait(&self, took: Duration) {
        self.write_lock_waits.observe(took.as_secs_f64());
    }

    pub fn unavailable(&self) {
        self.unavailable.inc();
    }

    pub fn replay(&self) {
        self.replays.inc();
    }

    /// An audited event: one of `AUDIT_EVENTS`.
    pub fn audited(&self, event: &'static str) {
        self.audit.get_or_create(&EventLabels { event }).inc();
    }

    /// A 429: `reason` is one of `RATE_LIMIT_REASONS`.
    pub fn rate_limited(&self, reason: &'static str) {
        self.rate_limited
            .get_or_create(&ReasonLabels { reason })
            .inc();
    }

    /// The exposition, with the gauges read now; `pools` is each
    /// connection pool's (name, size, idle connections).
    pub fn render(&self, pools: &[(&'static str, u32, u32)]) -> String {
        for &(pool, size, idle) in pools {
            let set = |state, n: u32| {
                self.pool
                    .get_or_create(&PoolLabels { pool, state })
                    .set(i64::from(n));
            };
            set("idle", idle);
            set("in_use", size.saturating_sub(idle));
        }
        let (resident, fds) = process_now();
        self.resident.set(resident);
        self.open_fds.set(fds);
        self.uptime.set(self.started.elapsed().as_secs_f64());
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut text, &self.registry);
        text
    }
}

/// Decrements the in-flight gauge when dropped (also when a request is
/// cancelled).
pub struct InFlight<'a>(&'a Gauge);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// Resident bytes and open file descriptors, from `/proc/self` (0 where
/// there is no `/proc`).
fn process_now() -> (i64, i64) {
    // The page size of every Linux this runs on (x86-64, and arm64 as
    // distributions build it); reading it needs libc, i.e. unsafe code.
    let page = 4096;
    let resident = std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<i64>().ok())
        .map_or(0, |pages| pages * page);
    let fds = std::fs::read_dir("/proc/self/fd").map_or(0, |dir| dir.count() as i64);
    (resident, fds)
}
