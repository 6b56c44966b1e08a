//! Logging: `tracing` to stderr, as text or one JSON object per line; with
//! the `otlp` cargo feature and `--otlp-endpoint`, the spans (a request's,
//! with its id, method and route; database calls at `debug`) are also
//! exported over OTLP/HTTP.

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, fmt};

use crate::config::LogFormat;

/// Keeps the exporter running; `shutdown` flushes what is buffered.
#[derive(Default)]
pub struct Telemetry {
    #[cfg(feature = "otlp")]
    provider: Option<opentelemetry_sdk::trace::SdkTracerProvider>,
}

impl Telemetry {
    /// Sends the spans still buffered (at exit).
    pub fn shutdown(self) {
        #[cfg(feature = "otlp")]
        if let Some(Err(err)) = self.provider.map(|provider| provider.shutdown()) {
            tracing::warn!(error = %err, "could not flush the last spans");
        }
    }
}

/// Why telemetry could not start.
#[derive(Debug, thiserror::Error)]
#[error("cannot export spans to {endpoint}: {reason}")]
pub struct TelemetryError {
    endpoint: String,
    reason: String,
}

/// Installs the global subscriber. The level comes from RUST_LOG (default
/// `info`). Logs go to stderr, so stdout stays clean for `tasks-api openapi`.
/// `otlp_endpoint` (`http://collector:4318`) exports spans too.
pub fn init(format: LogFormat, otlp_endpoint: Option<&str>) -> Result<Telemetry, TelemetryError> {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let output = match format {
        // Colours only for a terminal: a log file or pipe gets plain text
        // (and the escape codes cost a few per cent of a small request).
        LogFormat::Pretty => fmt::layer()
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_writer(std::io::stderr)
            .boxed(),
        // Each line carries the request's span (its id, method and route).
        LogFormat::Json => fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(std::io::stderr)
            .boxed(),
    };
    let registry = tracing_subscriber::registry().with(filter).with(output);
    let telemetry = match otlp_endpoint {
        None => {
            // Fails only when a subscriber is already set (tests): keep it.
            let _ = registry.try_init();
            Telemetry::default()
        }
        #[cfg(feature = "otlp")]
        Some(endpoint) => {
            let (layer, provider) = otlp::layer(endpoint)?;
            let _ = registry.with(layer).try_init();
            Telemetry {
                provider: Some(provider),
            }
        }
        #[cfg(not(feature = "otlp"))]
        Some(endpoint) => {
            return Err(TelemetryError {
                endpoint: endpoint.to_owned(),
                reason: "this binary was built without the `otlp` feature".to_owned(),
            });
        }
    };
    Ok(telemetry)
}

/// `error: cause: cause of cause …`, for logs.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        // Error types often repeat their source in their own message.
        if !text.ends_with(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}

#[cfg(feature = "otlp")]
mod otlp {
    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_otlp::{Protocol, SpanExporter, WithExportConfig};
    use opentelemetry_sdk::Resource;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use tracing_subscriber::Layer;
    use tracing_subscriber::registry::LookupSpan;

    use super::TelemetryError;

    /// A layer that exports spans in batches to `endpoint` (OTLP/HTTP with
    /// protobuf; `/v1/traces` is added when missing).
    pub(super) fn layer<S>(
        endpoint: &str,
    ) -> Result<(impl Layer<S>, SdkTracerProvider), TelemetryError>
    where
        S: tracing::Subscriber + for<'span> LookupSpan<'span>,
    {
        let base = endpoint.trim_end_matches('/');
        let url = if base.ends_with("/v1/traces") {
            base.to_owned()
        } else {
            format!("{base}/v1/traces")
        };
        let exporter = SpanExporter::builder()
            .with_http()
            .with_endpoint(url)
            .with_protocol(Protocol::HttpBinary)
            .build()
            .map_err(|err| TelemetryError {
                endpoint: endpoint.to_owned(),
                reason: err.to_string(),
            })?;
        let resource = Resource::builder()
            .with_service_name(env!("CARGO_PKG_NAME"))
            .build();
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(resource)
            .build();
        let tracer = provider.tracer(env!("CARGO_PKG_NAME"));
        Ok((tracing_opentelemetry::layer().with_tracer(tracer), provider))
    }
}
