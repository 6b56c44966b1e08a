//! The command line and environment: every option is `--flag` or its
//! environment variable.

use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::api::body::DEFAULT_MAX_BODY_BYTES;
use crate::auth::{self, admin::KeysCommand};
use crate::db::{self, Durability};

/// A JSON REST API for a task list. With no command, it serves.
#[derive(Parser, Debug)]
#[command(name = "tasks-api", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub config: Config,
}

#[derive(Subcommand, Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Serve the API (the default).
    Serve,
    /// Print the OpenAPI document (YAML) to stdout; this is how openapi.yaml
    /// is regenerated.
    Openapi,
    /// Manage API keys: `keys create`, `keys list`, `keys revoke`.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
}

/// How the server runs.
#[derive(Args, Debug, Clone)]
pub struct Config {
    /// Address and port to listen on (port 0 picks a free port).
    #[arg(long, env = "TASKS_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Database URL: `sqlite://PATH` (created and migrated on start) or
    /// `postgres://USER@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://tasks.db",
        global = true
    )]
    pub database_url: String,

    /// `key`: every API request needs `Authorization: Bearer <key>` (on
    /// first start the server makes a key and prints it once). `none`: no
    /// keys, every request acts as the first owner; only on a loopback
    /// address unless --allow-unauthenticated.
    #[arg(long, env = "TASKS_AUTH", value_enum, default_value_t = AuthMode::Key)]
    pub auth: AuthMode,

    /// Allow `--auth none` on an address other than loopback: anyone who
    /// can reach it can read and change every task.
    #[arg(long, env = "TASKS_ALLOW_UNAUTHENTICATED")]
    pub allow_unauthenticated: bool,

    /// Requests per second each API key may make on average (token bucket,
    /// per process); over it, 429.
    #[arg(long, env = "TASKS_RATE_LIMIT_PER_SEC", default_value_t = 50.0,
          value_parser = positive)]
    pub rate_limit_per_sec: f64,

    /// Requests an API key may make at once after a quiet spell.
    #[arg(long, env = "TASKS_RATE_LIMIT_BURST", default_value_t = 200.0,
          value_parser = at_least_one)]
    pub rate_limit_burst: f64,

    /// Seconds a verified key is trusted without a database lookup: a
    /// revoked key is refused by every process within this.
    #[arg(long, env = "TASKS_KEY_CACHE_SECS", default_value_t = 5)]
    pub key_cache_secs: u64,

    /// The longest a key made over HTTP (`POST /api/keys`,
    /// `POST /api/owners/{id}/keys`) may live, in days: one asked for
    /// without `expires_at` gets this, a later one is refused. Default: no
    /// maximum.
    #[arg(long, env = "TASKS_MAX_KEY_LIFETIME_DAYS", value_parser = clap::value_parser!(u64).range(1..=3_650_000))]
    pub max_key_lifetime_days: Option<u64>,

    /// An OpenID Connect provider whose tokens (JWTs) are accepted as well as
    /// API keys, by its issuer URL exactly as its tokens name it
    /// (`https://…`; `http://` only on a loopback host). Needs
    /// --oidc-audience.
    #[arg(long, env = "TASKS_OIDC_ISSUER", value_parser = oidc_issuer, requires = "oidc_audience")]
    pub oidc_issuer: Option<String>,

    /// The audience (`aud`) the provider's tokens must be for: this API's
    /// client id or resource name there.
    #[arg(long, env = "TASKS_OIDC_AUDIENCE", requires = "oidc_issuer")]
    pub oidc_audience: Option<String>,

    /// The token claim that names the owner (the owner is `oidc:` and its
    /// value, made on first sight).
    #[arg(long, env = "TASKS_OIDC_OWNER_CLAIM", default_value = "sub")]
    pub oidc_owner_claim: String,

    /// Failed authentications (missing, malformed, unknown or revoked keys)
    /// a client address may make at once; past it, requests from that
    /// address get 429 without their key being checked.
    #[arg(long, env = "TASKS_AUTH_FAILURE_BURST", default_value_t = 20.0,
          value_parser = at_least_one)]
    pub auth_failure_burst: f64,

    /// Failed authentications per minute a client address earns back.
    #[arg(long, env = "TASKS_AUTH_FAILURES_PER_MIN", default_value_t = 10.0,
          value_parser = positive)]
    pub auth_failures_per_min: f64,

    /// Days a deleted task stays in the trash (undeletable) before it is
    /// removed for good.
    #[arg(long, env = "TASKS_TRASH_RETENTION_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(0..=36500))]
    pub trash_retention_days: u64,

    /// Days the change feed keeps the tombstone of a task removed for good
    /// (counted from its deletion). A feed token older than the oldest
    /// forgotten tombstone gets 410 Gone: the client syncs from scratch.
    #[arg(long, env = "TASKS_FEED_RETENTION_DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(0..=36500))]
    pub feed_retention_days: u64,

    /// Keep metrics and serve them at `GET /metrics` (Prometheus /
    /// OpenMetrics text); `false` keeps none.
    #[arg(long, env = "TASKS_METRICS", default_value_t = true,
          action = clap::ArgAction::Set)]
    pub metrics: bool,

    /// Serve `/metrics` on this address instead of the API's, so it need
    /// not be public (e.g. `127.0.0.1:9090`).
    #[arg(long, env = "TASKS_METRICS_BIND")]
    pub metrics_bind: Option<String>,

    /// Export spans over OTLP/HTTP to this collector, e.g.
    /// `http://127.0.0.1:4318` (needs a binary built with `--features otlp`).
    #[arg(long, env = "OTEL_EXPORTER_OTLP_ENDPOINT")]
    pub otlp_endpoint: Option<String>,

    /// A browser origin allowed to call the API (CORS), e.g.
    /// `https://app.example.com`; repeat the option (or separate with
    /// commas) for several. None by default.
    #[arg(
        long = "cors-origin",
        env = "TASKS_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,

    /// Log format: `text` (or `pretty`) for people, `json` for one JSON
    /// object per line. The level is set with RUST_LOG (default `info`).
    #[arg(long, env = "TASKS_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty)]
    pub log_format: LogFormat,

    /// SQLite durability: `full` syncs every commit to disk before answering,
    /// so a 201 survives power loss; `normal` is faster and survives a crash
    /// of the process, but may lose the last writes on power loss.
    #[arg(long, env = "TASKS_SQLITE_SYNCHRONOUS", value_enum, default_value_t = Synchronous::Full)]
    pub sqlite_synchronous: Synchronous,

    /// Milliseconds a SQLite statement waits for another connection's lock
    /// before the request is answered 503.
    #[arg(long, env = "TASKS_SQLITE_BUSY_TIMEOUT_MS", default_value_t = 5000)]
    pub sqlite_busy_timeout_ms: u64,

    /// PostgreSQL: connections in the pool.
    #[arg(long, env = "TASKS_DB_MAX_CONNECTIONS", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub db_max_connections: u32,

    /// Seconds to wait for a new database connection (PostgreSQL: also for
    /// a free one from the pool) before the request is answered 503.
    #[arg(long, env = "TASKS_DB_CONNECT_TIMEOUT_SECS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub db_connect_timeout_secs: u64,

    /// PostgreSQL: seconds a statement may run before the server cancels it
    /// (the request is answered 503).
    #[arg(long, env = "TASKS_DB_STATEMENT_TIMEOUT_SECS", default_value_t = 5,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub db_statement_timeout_secs: u64,

    /// Database connections that serve reads (SQLite; writes use one).
    #[arg(long, env = "TASKS_READ_CONNECTIONS", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub read_connections: u32,

    /// Largest request body accepted, in bytes; larger bodies get 413.
    #[arg(long, env = "TASKS_MAX_BODY_BYTES", default_value_t = DEFAULT_MAX_BODY_BYTES)]
    pub max_body_bytes: usize,

    /// Seconds requests in flight may take to finish after SIGTERM or
    /// Ctrl-C before the server exits anyway.
    #[arg(long, env = "TASKS_SHUTDOWN_TIMEOUT_SECS", default_value_t = 10)]
    pub shutdown_timeout_secs: u64,

    /// Seconds a client has to send a request's whole header section (and
    /// how long an idle keep-alive connection is kept); slower clients are
    /// disconnected.
    #[arg(long, env = "TASKS_HEADER_READ_TIMEOUT_SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub header_read_timeout_secs: u64,

    /// Seconds a request may take from its headers to its response, body
    /// upload included; past that it is answered 408 and its connection
    /// closed, whichever side was slow.
    #[arg(long, env = "TASKS_REQUEST_TIMEOUT_SECS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,

    /// Connections served at once; more wait in the listen backlog.
    #[arg(long, env = "TASKS_MAX_CONNECTIONS", default_value_t = 1024,
          value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub max_connections: u64,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMode {
    Key,
    None,
}

fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value > 0.0 => Ok(value),
        _ => Err(format!("{text} is not a positive number")),
    }
}

fn at_least_one(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(value) if value.is_finite() && value >= 1.0 => Ok(value),
        _ => Err(format!("{text} is not a number of at least 1")),
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    // Lines for people: `text`, or `pretty` as the older name.
    #[value(name = "text", alias = "pretty")]
    Pretty,
    Json,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    Full,
    Normal,
}

impl Config {
    /// The defaults, as `tasks-api` with no options and no environment.
    pub fn for_database(url: impl Into<String>) -> Self {
        let mut config = Cli::parse_from(["tasks-api"]).config;
        config.database_url = url.into();
        config
    }

    pub fn db_settings(&self) -> db::Settings {
        db::Settings {
            url: self.database_url.clone(),
            durability: match self.sqlite_synchronous {
                Synchronous::Full => Durability::Full,
                Synchronous::Normal => Durability::Normal,
            },
            busy_timeout: Duration::from_millis(self.sqlite_busy_timeout_ms),
            read_connections: self.read_connections,
            max_connections: self.db_max_connections,
            connect_timeout: Duration::from_secs(self.db_connect_timeout_secs),
            statement_timeout: Duration::from_secs(self.db_statement_timeout_secs),
        }
    }

    pub fn limits(&self) -> crate::server::Limits {
        crate::server::Limits {
            header_read_timeout: Duration::from_secs(self.header_read_timeout_secs),
            max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
            drain_timeout: Duration::from_secs(self.shutdown_timeout_secs),
        }
    }

    pub fn auth_settings(&self) -> auth::Settings {
        auth::Settings {
            mode: match self.auth {
                AuthMode::Key => auth::Mode::Key,
                AuthMode::None => auth::Mode::None,
            },
            per_sec: self.rate_limit_per_sec,
            burst: self.rate_limit_burst,
            key_cache: Duration::from_secs(self.key_cache_secs),
            failure_burst: self.auth_failure_burst,
            failures_per_min: self.auth_failures_per_min,
            max_key_lifetime: self
                .max_key_lifetime_days
                .map(|days| Duration::from_secs(days * 24 * 60 * 60)),
            oidc: match (&self.oidc_issuer, &self.oidc_audience) {
                (Some(issuer), Some(audience)) => Some(auth::oidc::OidcSettings {
                    issuer: issuer.clone(),
                    audience: audience.clone(),
                    owner_claim: self.oidc_owner_claim.clone(),
                }),
                _ => None,
            },
        }
    }

    pub fn trash_retention(&self) -> Duration {
        Duration::from_secs(self.trash_retention_days * 24 * 60 * 60)
    }

    pub fn feed_retention(&self) -> Duration {
        Duration::from_secs(self.feed_retention_days * 24 * 60 * 60)
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_secs(self.request_timeout_secs)
    }
}

/// An issuer URL: `https://…`, or `http://` on a loopback host (a test or
/// a provider on the same machine).
fn oidc_issuer(text: &str) -> Result<String, String> {
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"];
    let host_end = |rest: &str| rest.is_empty() || rest.starts_with([':', '/']);
    let ok = text.starts_with("https://") && text.len() > "https://".len()
        || loopback
            .iter()
            .any(|prefix| text.strip_prefix(prefix).is_some_and(host_end));
    if ok {
        Ok(text.to_owned())
    } else {
        Err("must be an https:// URL (http:// only on a loopback host)".to_owned())
    }
}
