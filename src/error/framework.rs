//! Errors the framework raises before (or instead of) an operation: unknown
//! routes, wrong methods, undecodable paths, parameter parse failures, panics
//! and timeouts. Each becomes an [`ApiError`], so it is rendered the one way
//! every problem is.

use std::collections::BTreeSet;
use std::time::Duration;

use poem::http::Method;
use poem::{Endpoint, IntoResponse, Request, Response};
use poem_openapi::registry::MetaApi;

use super::{ApiError, FieldError};

/// Calls `inner`, answering its error (if any) with the problem response.
pub async fn call<E: Endpoint>(inner: &E, req: Request, routes: &RouteTable) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    match inner.call(req).await {
        Ok(resp) => resp.into_response(),
        Err(err) => response(err, &method, &path, routes),
    }
}

/// The problem response for a framework error on `method path`.
pub fn response(err: poem::Error, method: &Method, path: &str, routes: &RouteTable) -> Response {
    // Our own ApiError, raised by an extractor: already a problem response.
    if err.is_from_response() {
        return err.into_response();
    }
    classify(err, method, path, routes).into_response()
}

fn classify(err: poem::Error, method: &Method, path: &str, routes: &RouteTable) -> ApiError {
    if let Some(param) = err.downcast_ref::<poem_openapi::error::ParseParamError>() {
        let errors = vec![FieldError::parameter(param.name, param.reason.clone())];
        return ApiError::validation(errors);
    }
    // The router could not percent-decode a path segment (e.g. `%FF`):
    // name the template's parameters, which are the only free segments.
    if err.is::<poem::error::ParsePathError>() {
        let errors: Vec<_> = routes
            .parameters_for(path)
            .into_iter()
            .map(|name| FieldError::parameter(name, "must be valid percent-encoded UTF-8"))
            .collect();
        if !errors.is_empty() {
            return ApiError::validation(errors);
        }
    }
    if let Some(cors) = err.downcast_ref::<poem::error::CorsError>() {
        return ApiError::cross_origin_refused(&cors.to_string());
    }
    let status = err.status();
    if status == poem::http::StatusCode::NOT_FOUND {
        ApiError::route_not_found(path)
    } else if status == poem::http::StatusCode::METHOD_NOT_ALLOWED {
        ApiError::method_not_allowed(path, method.as_str(), routes.methods_for(path))
    } else if status.is_client_error() {
        ApiError::other_client_error(status, err.to_string())
    } else {
        ApiError::internal(&err)
    }
}

/// The response to a request that did not complete within `limit`.
pub fn timeout_response(limit: Duration) -> Response {
    ApiError::request_timeout(limit).into_response()
}

/// The response to a handler that panicked (the panic message was printed
/// by the panic hook).
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError::internal_logged().into_response()
}

/// The contract's paths with their methods, from the typed API metadata:
/// for the `Allow` header of a 405, and to name the parameter of a path the
/// router could not decode.
pub struct RouteTable {
    routes: Vec<Template>,
}

/// One path of the contract.
struct Template {
    /// `/api/tasks/{id}`: the metrics label.
    path: String,
    /// `["", "api", "tasks", "{id}"]`
    segments: Vec<String>,
    /// `DELETE, GET, HEAD, PATCH, PUT`: the `Allow` header.
    methods: String,
}

/// What a path outside the contract (documentation, the spec) supports.
const READ_ONLY_METHODS: &str = "GET, HEAD";

impl RouteTable {
    pub fn from_meta(apis: &[MetaApi]) -> Self {
        let routes = apis
            .iter()
            .flat_map(|api| &api.paths)
            .map(|path| {
                let mut methods: BTreeSet<String> = path
                    .operations
                    .iter()
                    .map(|op| op.method.as_str().to_owned())
                    .collect();
                if methods.contains("GET") {
                    methods.insert("HEAD".to_owned());
                }
                Template {
                    path: path.path.clone(),
                    segments: path.path.split('/').map(str::to_owned).collect(),
                    methods: methods.into_iter().collect::<Vec<_>>().join(", "),
                }
            })
            .collect();
        Self { routes }
    }

    /// The template `path` matches (the most specific one: `/api/tasks/batch`
    /// before `/api/tasks/{id}`).
    fn matching(&self, path: &str) -> Option<&Template> {
        let segments: Vec<&str> = path.split('/').collect();
        let is_parameter = |t: &String| t.starts_with('{');
        self.routes
            .iter()
            .filter(|route| {
                route.segments.len() == segments.len()
                    && route
                        .segments
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| is_parameter(t) || t == s)
            })
            .min_by_key(|route| route.segments.iter().filter(|t| is_parameter(t)).count())
    }

    /// The route `path` belongs to, as a bounded metrics label: a template
    /// of the contract (`/api/tasks/{id}`), a fixed path outside it, or
    /// `unmatched`.
    pub fn template_for(&self, path: &str) -> String {
        if let Some(route) = self.matching(path) {
            return route.path.clone();
        }
        let fixed = match path {
            "/docs" => "/docs",
            _ if path.starts_with("/docs/") => "/docs",
            "/openapi.json" | "/openapi.yaml" | "/favicon.ico" | "/metrics" => path,
            _ => "unmatched",
        };
        fixed.to_owned()
    }

    pub fn methods_for(&self, path: &str) -> String {
        self.matching(path)
            .map_or(READ_ONLY_METHODS, |route| &route.methods)
            .to_owned()
    }

    /// Names of the path parameters of the template `path` matches.
    pub fn parameters_for(&self, path: &str) -> Vec<&str> {
        self.matching(path)
            .map(|route| {
                route
                    .segments
                    .iter()
                    .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_route_table_comes_from_the_typed_api() {
        let table = RouteTable::from_meta(&crate::api::meta());
        assert_eq!(table.methods_for("/api/tasks"), "GET, HEAD, POST");
        assert_eq!(
            table.methods_for("/api/tasks/7"),
            "DELETE, GET, HEAD, PATCH, PUT"
        );
        assert_eq!(table.parameters_for("/api/tasks/x"), ["id"]);
        assert_eq!(table.template_for("/api/tasks/x"), "/api/tasks/{id}");
        assert_eq!(table.template_for("/api/tasks/batch"), "/api/tasks/batch");
        assert_eq!(table.methods_for("/api/tasks/batch"), "POST");
        assert_eq!(table.template_for("/docs/oauth-receiver.html"), "/docs");
        assert_eq!(table.template_for("/wp-admin/x.php"), "unmatched");
        assert_eq!(table.methods_for("/docs"), READ_ONLY_METHODS);
        assert!(table.parameters_for("/api/tasks").is_empty());
    }
}
