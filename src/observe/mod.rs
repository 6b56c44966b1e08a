//! Operating the service: a request id on every request (in its response,
//! its problem body and every log line), one access-log line per request,
//! and the metrics.

pub mod metrics;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use poem::http::{HeaderValue, Method, StatusCode};
use poem::{Body, Endpoint, IntoResponse, Request, Response};
use poem_openapi::ApiResponse;
use poem_openapi::registry::{MetaResponses, Registry};
use tracing::Instrument;

use self::metrics::{HttpLabels, Metrics};
use crate::api::routes::RouteTable;
use crate::domain::OwnerId;

/// The request id header, in requests and responses.
pub const REQUEST_ID: &str = "x-request-id";

/// The longest client-sent request id kept; longer ones are replaced.
const MAX_REQUEST_ID: usize = 128;

tokio::task_local! {
    static CURRENT: Arc<str>;
}

/// The id of the request being served by this task, if any.
pub fn current_request_id() -> Option<String> {
    CURRENT.try_with(|id| id.to_string()).ok()
}

/// Makes request ids: a random prefix per process and a sequence number,
/// so ids are unique across processes without a random draw per request.
struct Ids {
    prefix: String,
    next: AtomicU64,
}

impl Ids {
    fn new() -> Self {
        let mut bytes = [0u8; 6];
        // Without the OS's randomness, the clock still tells processes apart.
        if getrandom::fill(&mut bytes).is_err() {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            bytes.copy_from_slice(&nanos.to_le_bytes()[..6]);
        }
        Self {
            prefix: URL_SAFE_NO_PAD.encode(bytes),
            next: AtomicU64::new(1),
        }
    }

    /// The client's id when it is sane (1–128 visible ASCII characters),
    /// else a new one.
    fn for_request(&self, req: &Request) -> Arc<str> {
        let sent = req
            .headers()
            .get(REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .filter(|v| {
                (1..=MAX_REQUEST_ID).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_graphic())
            });
        match sent {
            Some(id) => id.into(),
            None => format!(
                "{}-{}",
                self.prefix,
                self.next.fetch_add(1, Ordering::Relaxed)
            )
            .into(),
        }
    }
}

/// The outermost layer: ids, the request's span, the access log, metrics.
pub struct Observe {
    ids: Ids,
    routes: Arc<RouteTable>,
    metrics: Option<Arc<Metrics>>,
}

impl Observe {
    /// `metrics: None` records none (`--metrics false`).
    pub fn new(routes: Arc<RouteTable>, metrics: Option<Arc<Metrics>>) -> Self {
        Self {
            ids: Ids::new(),
            routes,
            metrics,
        }
    }

    pub async fn call<E: Endpoint<Output = Response>>(
        &self,
        inner: &E,
        req: Request,
    ) -> poem::Result<Response> {
        let started = Instant::now();
        let id = self.ids.for_request(&req);
        let method = method_label(req.method());
        let route = self.routes.template_for(req.uri().path());
        let span = tracing::info_span!("request", request_id = %id, method, route = %route);
        let in_flight = self.metrics.as_deref().map(Metrics::request_started);
        let served = CURRENT
            .scope(Arc::clone(&id), inner.call(req).instrument(span))
            .await;
        drop(in_flight);
        let mut resp = served.unwrap_or_else(poem::Error::into_response);
        if let Ok(value) = HeaderValue::from_str(&id) {
            resp.headers_mut().insert(REQUEST_ID, value);
        }
        let took = started.elapsed();
        let status = resp.status();
        if let Some(metrics) = &self.metrics {
            let labels = HttpLabels {
                route: route.clone(),
                method,
                status: status_class(status),
            };
            metrics.request_done(&labels, took);
            if status == StatusCode::SERVICE_UNAVAILABLE {
                metrics.unavailable();
            }
        }
        let owner = resp.extensions().get::<OwnerId>().map(|owner| owner.0);
        tracing::info!(
            target: "access",
            request_id = %id,
            method,
            route = %route,
            status = status.as_u16(),
            // Whole microseconds: `0.008`, not `0.008206000000000001`.
            duration_ms = took.as_micros() as f64 / 1000.0,
            bytes = body_size(&mut resp),
            owner,
            "request"
        );
        Ok(resp)
    }
}

/// The method as a bounded label.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

/// The response body's length when it is known before it is sent (every
/// body this service makes), without reading it.
fn body_size(resp: &mut Response) -> Option<u64> {
    type Boxed = http_body_util::combinators::BoxBody<hyper::body::Bytes, std::io::Error>;
    let boxed: Boxed = resp.take_body().into();
    let size = hyper::body::Body::size_hint(&boxed).exact();
    resp.set_body(Body::from(boxed));
    size
}

/// A response `T`, documented with the `X-Request-Id` every response carries.
pub struct Traced<T>(pub T);

impl<T: ApiResponse> ApiResponse for Traced<T> {
    fn meta() -> MetaResponses {
        let mut meta = T::meta();
        crate::api::headers::document(&mut meta, false);
        meta
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: IntoResponse> IntoResponse for Traced<T> {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}
