//! What browsers may do with the service: the security headers every
//! response carries, CORS for named origins, and the documentation page's
//! Content Security Policy.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use poem::http::{HeaderValue, Method, header};
use poem::middleware::Cors;
use poem::{Endpoint, Request, Response};
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
        ])
        .max_age(600);
    // An empty list in poem's `Cors` means any origin.
    if !origins.iter().any(|o| o == "*") {
        cors = cors.allow_origins(origins.iter().map(String::as_str));
    }
    Some(cors)
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
