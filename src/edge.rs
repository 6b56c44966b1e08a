//! What browsers may do with the service: the security headers every
//! response carries, which origins may call it (its own always; others only
//! by CORS, for named origins), and the documentation page's Content
//! Security Policy.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use poem::http::uri::Authority;
use poem::http::{HeaderValue, Method, Uri, header};
use poem::middleware::Cors;
use poem::{Endpoint, IntoResponse, Request, Response};
use sha2::{Digest, Sha256};

/// Headers on every response.
pub fn secure(mut resp: Response) -> Response {
    let headers = resp.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::X_FRAME_OPTIONS, "DENY"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    resp
}

/// CORS for `origins` (`*` for any origin), or `None` when there are none:
/// then browsers may not call the API from other origins. Credentials
/// (cookies) are never allowed: the API authenticates with a bearer key
/// that the page sends itself.
pub fn cors(origins: &[String]) -> Option<Cors> {
    if origins.is_empty() {
        return None;
    }
    let mut cors = Cors::new()
        .allow_credentials(false)
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            "authorization",
            "content-type",
            "if-match",
            "if-none-match",
            "idempotency-key",
        ])
        .expose_headers([
            "etag",
            "location",
            "link",
            "retry-after",
            "ratelimit",
            "ratelimit-policy",
            "idempotent-replayed",
        ])
        .max_age(600);
    // An empty list in poem's `Cors` means any origin.
    if !origins.iter().any(|o| o == "*") {
        cors = cors.allow_origins(origins.iter().map(String::as_str));
    }
    Some(cors)
}

/// Which origins may call the service, on every route. A request with no
/// `Origin` (not from a browser's script) or from the service's own origin
/// (Swagger UI under `/docs`) goes straight on; one from another origin goes
/// through CORS when origins are named (`cross`), and is otherwise refused
/// with 403 `cross-origin-refused` — preflights included, before
/// authentication (a preflight carries no credentials).
pub struct Origins<E, C> {
    inner: E,
    cross: Option<C>,
}

impl<E, C> Origins<E, C> {
    pub fn new(inner: E, cross: Option<C>) -> Self {
        Self { inner, cross }
    }
}

impl<E, C> Endpoint for Origins<E, C>
where
    E: Endpoint<Output = Response>,
    C: Endpoint<Output = Response>,
{
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let foreign = req
            .headers()
            .get(header::ORIGIN)
            .is_some_and(|origin| !is_own_origin(&req, origin));
        match (&self.cross, foreign) {
            (None, false) => self.inner.call(req).await,
            // What CORS answers depends on `Origin`: caches must know.
            (Some(_), false) => {
                let mut resp = self.inner.call(req).await?;
                resp.headers_mut()
                    .append(header::VARY, HeaderValue::from_static("origin"));
                Ok(resp)
            }
            (Some(cross), true) => cross.call(req).await,
            (None, true) => Ok(crate::error::ApiError::cross_origin_refused(
                "requests from other origins are refused (CORS is off)",
            )
            .into_response()),
        }
    }
}

/// Whether `origin` is the origin the request was sent to: the same host
/// as its `Host` (HTTP/1.1) or authority (HTTP/2), and the same port where
/// that names one (a proxy that passes `Host: $host` leaves the port out).
/// `null` and anything unparsable are another origin.
fn is_own_origin(req: &Request, origin: &HeaderValue) -> bool {
    let Some(origin) = origin.to_str().ok().and_then(|o| o.parse::<Uri>().ok()) else {
        return false;
    };
    let Some(theirs) = origin.authority() else {
        return false;
    };
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.parse::<Authority>().ok())
        .or_else(|| req.uri().authority().cloned());
    let Some(ours) = host else {
        return false;
    };
    let default_port = match origin.scheme_str() {
        Some("https") => 443,
        _ => 80,
    };
    ours.host().eq_ignore_ascii_case(theirs.host())
        && ours
            .port_u16()
            .is_none_or(|port| port == theirs.port_u16().unwrap_or(default_port))
}

/// The Content Security Policy of an HTML page under `/docs`: its own
/// inline scripts (by hash) and nothing from anywhere else. Swagger UI sets
/// style attributes, hence inline styles.
fn docs_policy(html: &str) -> String {
    let hashes: Vec<String> = inline_scripts(html)
        .map(|script| format!("'sha256-{}'", STANDARD.encode(Sha256::digest(script))))
        .collect();
    format!(
        "default-src 'none'; script-src {}; style-src 'unsafe-inline'; img-src 'self' data:; \
         connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
        hashes.join(" ")
    )
}

/// The contents of every `<script …>…</script>` without a `src`, read the
/// way a browser does: a script ends at the first `</script` after it
/// starts, whatever it contains (Swagger UI's bundle mentions `<script`).
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    let mut rest = html;
    std::iter::from_fn(move || {
        loop {
            let start = rest.find("<script")?;
            let after = &rest[start..];
            let open_end = after.find('>')?;
            let attributes = &after[..open_end];
            let body = &after[open_end + 1..];
            let end = body.find("</script")?;
            rest = &body[end..];
            if !attributes.contains("src=") {
                return Some(&body[..end]);
            }
        }
    })
}

/// Serves the documentation with its Content Security Policy, worked out
/// once per page (the pages never change while the process runs).
pub struct Docs<E> {
    inner: E,
    policies: Mutex<HashMap<String, HeaderValue>>,
}

impl<E> Docs<E> {
    pub fn new(inner: E) -> Self {
        Self {
            inner,
            policies: Mutex::new(HashMap::new()),
        }
    }
}

impl<E: Endpoint<Output = Response>> Endpoint for Docs<E> {
    type Output = Response;

    async fn call(&self, req: Request) -> poem::Result<Response> {
        let path = req.uri().path().to_owned();
        let resp = self.inner.call(req).await?;
        let cached = self
            .policies
            .lock()
            .ok()
            .and_then(|map| map.get(&path).cloned());
        let is_page = resp.status().is_success()
            && resp
                .content_type()
                .is_some_and(|t| t.starts_with("text/html"));
        let (parts, body) = resp.into_parts();
        let (policy, body) = match cached {
            Some(policy) => (policy, body),
            // Only the few pages are worked out and kept (not every path).
            None if !is_page => (HeaderValue::from_static("default-src 'none'"), body),
            None => {
                let html = body.into_string().await?;
                let policy = HeaderValue::from_str(&docs_policy(&html))
                    .unwrap_or(HeaderValue::from_static("default-src 'none'"));
                if let Ok(mut map) = self.policies.lock() {
                    map.insert(path, policy.clone());
                }
                (policy, html.into())
            }
        };
        let mut resp = Response::from_parts(parts, body);
        resp.headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, policy);
        Ok(resp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_skipped() {
        let html = r#"<script charset="UTF-8">a("<script>")</script><script src="x.js"></script><script>b()</script>"#;
        let scripts: Vec<_> = inline_scripts(html).collect();
        assert_eq!(scripts, [r#"a("<script>")"#, "b()"]);
        let policy = docs_policy(html);
        let expected = STANDARD.encode(Sha256::digest(r#"a("<script>")"#));
        assert!(policy.contains(&format!("'sha256-{expected}'")), "{policy}");
        assert!(policy.starts_with("default-src 'none'"));
    }
}
