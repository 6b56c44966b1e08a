//! Builds the application: database, routes, error handling, listener.

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::middleware::CatchPanic;
use poem::{Endpoint, EndpointExt, IntoResponse, Response, Route};
use poem_openapi::types::ToJSON;

use crate::api::{self, body::BodyLimit};
use crate::config::Config;
use crate::db::Db;
use crate::domain::Timestamp;
use crate::error::{ApiError, FieldError, PROBLEM_JSON, Problem, internal_problem, problem};
use crate::server;

/// A connected, migrated, listening server that has not started serving.
pub struct Application {
    listener: tokio::net::TcpListener,
    addr: std::net::SocketAddr,
    app: poem::endpoint::BoxEndpoint<'static, Response>,
    db: Db,
    config: Config,
}

/// How long idempotency keys are kept (at least), and how often old ones
/// are purged.
const IDEMPOTENCY_KEY_TTL: Duration = Duration::from_secs(24 * 60 * 60);
const PURGE_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// Why the application could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open or migrate the database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
}

impl Application {
    /// Connects to and migrates the database, and binds the listener.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let db = Db::connect(&config.db_settings()).await?;
        let bind_error = |source| StartError::Bind {
            addr: config.bind.clone(),
            source,
        };
        let listener = tokio::net::TcpListener::bind(&config.bind)
            .await
            .map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let app = routes(
            db.clone(),
            BodyLimit(config.max_body_bytes),
            config.request_timeout(),
        )
        .boxed();
        Ok(Self {
            listener,
            addr,
            app,
            db,
            config,
        })
    }

    /// The port it listens on (useful when bound to port 0).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.addr
    }

    /// Serves until `stop` completes, then stops accepting, lets requests in
    /// flight finish (up to the shutdown timeout), and returns.
    pub async fn run_until_stopped(self, stop: impl Future<Output = ()>) -> std::io::Result<()> {
        let purge = tokio::spawn(purge_idempotency_keys(self.db));
        let limits = self.config.limits();
        server::serve(self.listener, self.app, limits, stop).await;
        purge.abort();
        Ok(())
    }
}

/// Forgets idempotency keys older than their time to live, every so often.
async fn purge_idempotency_keys(db: Db) {
    let mut tick = tokio::time::interval(PURGE_INTERVAL);
    loop {
        tick.tick().await;
        let cutoff = Timestamp::now().as_micros() - IDEMPOTENCY_KEY_TTL.as_micros() as i64;
        let Some(cutoff) = Timestamp::from_micros(cutoff) else {
            continue;
        };
        match crate::db::tasks::purge_idempotency_keys(&db, cutoff).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(purged = n, "forgot expired idempotency keys"),
            Err(err) => tracing::warn!(error = %crate::error::error_chain(&err), "purge failed"),
        }
    }
}

/// The whole route tree: the API, its documentation, and the error handling
/// that turns every failure into a problem+json response.
pub fn routes(
    db: Db,
    body_limit: BodyLimit,
    request_timeout: Duration,
) -> impl Endpoint<Output = Response> {
    let service = api::service();
    let table = Arc::new(RouteTable::from_spec(&service.spec()));
    let route = Route::new()
        .nest("/docs", service.swagger_ui())
        .at("/openapi.json", service.spec_endpoint())
        .at("/openapi.yaml", service.spec_endpoint_yaml())
        // Browsers ask for it on every page; an empty answer beats a 404.
        .at("/favicon.ico", poem::get(no_favicon))
        .nest("/", service);
    route
        .data(db)
        .data(body_limit)
        .with(CatchPanic::new().with_handler(panic_response))
        .around(move |ep, req| {
            let table = Arc::clone(&table);
            async move {
                let method = req.method().clone();
                let path = req.uri().path().to_owned();
                match tokio::time::timeout(request_timeout, ep.call(req)).await {
                    Ok(Ok(resp)) => Ok(resp),
                    Ok(Err(err)) => Ok(error_response(err, &method, &path, &table)),
                    Err(_) => Ok(timeout_response(request_timeout)),
                }
            }
        })
}

#[poem::handler]
fn no_favicon() -> Response {
    Response::builder()
        .status(StatusCode::NO_CONTENT)
        .header(header::CACHE_CONTROL, "public, max-age=86400")
        .finish()
}

/// The one place where framework errors become problem+json responses.
fn error_response(err: poem::Error, method: &Method, path: &str, table: &RouteTable) -> Response {
    // Our own ApiError, raised by an extractor: already a problem response.
    if err.is_from_response() {
        return err.into_response();
    }
    let status = err.status();
    if let Some(param) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
        let errors = vec![FieldError::parameter(param.name, param.reason.clone())];
        return ApiError::validation(errors).into_response();
    }
    // The router could not percent-decode a path segment (e.g. `%FF`):
    // name the template's parameters, which are the only free segments.
    if err.is::<poem::error::ParsePathError>() {
        let errors = table
            .parameters_for(path)
            .into_iter()
            .map(|name| FieldError::parameter(&name, "must be valid percent-encoded UTF-8"))
            .collect::<Vec<_>>();
        if !errors.is_empty() {
            return ApiError::validation(errors).into_response();
        }
    }
    let body = match status {
        StatusCode::NOT_FOUND => problem(
            status,
            "not-found",
            "Not found",
            format!("there is nothing at {path}"),
        ),
        StatusCode::METHOD_NOT_ALLOWED => {
            let allowed = table.methods_for(path);
            let body = problem(
                status,
                "method-not-allowed",
                "Method not allowed",
                format!("{path} does not support {method}; it supports {allowed}"),
            );
            return problem_response(body, HeaderValue::from_str(&allowed).ok());
        }
        s if s.is_server_error() => {
            tracing::error!(error = %crate::error::error_chain(&err), "request failed");
            internal_problem()
        }
        s => problem(
            s,
            "bad-request",
            s.canonical_reason().unwrap_or("Bad request"),
            err.to_string(),
        ),
    };
    problem_response(body, None)
}

/// A request that did not complete in time: almost always a client too slow
/// to send its body (the database gives up sooner, with a 503).
fn timeout_response(limit: Duration) -> Response {
    let body = problem(
        StatusCode::REQUEST_TIMEOUT,
        "request-timeout",
        "Request timeout",
        format!("the request was not completed within {} s", limit.as_secs()),
    );
    let mut resp = problem_response(body, None);
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    problem_response(internal_problem(), None)
}

fn problem_response(body: Problem, allow: Option<HeaderValue>) -> Response {
    let status = StatusCode::from_u16(body.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let json = body.to_json().unwrap_or_default().to_string();
    let mut resp = Response::builder()
        .status(status)
        .content_type(PROBLEM_JSON)
        .body(json);
    if let Some(allow) = allow {
        resp.headers_mut().insert(header::ALLOW, allow);
    }
    resp
}

/// The paths of the contract with their methods, read from the spec so they
/// never disagree with the routes: for the `Allow` header of a 405, and to
/// name the parameter of a path the router could not decode.
struct RouteTable {
    paths: Vec<(Vec<String>, String)>,
}

impl RouteTable {
    fn from_spec(spec_json: &str) -> Self {
        let spec: serde_json::Value = serde_json::from_str(spec_json).unwrap_or_default();
        let mut paths = Vec::new();
        if let Some(entries) = spec.get("paths").and_then(|p| p.as_object()) {
            for (template, operations) in entries {
                let mut methods: BTreeSet<String> = operations
                    .as_object()
                    .map(|ops| ops.keys().map(|m| m.to_uppercase()).collect())
                    .unwrap_or_default();
                if methods.contains("GET") {
                    methods.insert("HEAD".to_owned());
                }
                let segments = template.split('/').map(str::to_owned).collect();
                paths.push((segments, methods.into_iter().collect::<Vec<_>>().join(", ")));
            }
        }
        Self { paths }
    }

    /// The template `path` matches, with its methods.
    fn matching(&self, path: &str) -> Option<&(Vec<String>, String)> {
        let segments: Vec<&str> = path.split('/').collect();
        self.paths.iter().find(|(template, _)| {
            template.len() == segments.len()
                && template
                    .iter()
                    .zip(&segments)
                    .all(|(t, s)| t.starts_with('{') || t == s)
        })
    }

    fn methods_for(&self, path: &str) -> String {
        self.matching(path)
            .map(|(_, methods)| methods.clone())
            .unwrap_or_else(|| "GET, HEAD".to_owned())
    }

    /// Names of the path parameters of the template `path` matches.
    fn parameters_for(&self, path: &str) -> Vec<String> {
        self.matching(path)
            .map(|(template, _)| {
                template
                    .iter()
                    .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }
}
