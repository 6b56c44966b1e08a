//! Logging: `tracing` to stderr, pretty or one JSON object per line.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the global subscriber. The level comes from RUST_LOG (default
/// `info`). Logs go to stderr, so stdout stays clean for `tasks-api openapi`.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // `try_init` fails only when a subscriber is already set (tests): keep it.
    let _ = match format {
        LogFormat::Pretty => builder.try_init(),
        // Each line carries the request's span (its id, method and route).
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
}
