//! Errors the framework raises before (or instead of) an operation: unknown
//! routes, wrong methods, undecodable paths, parameter parse failures, panics
//! and timeouts. Each becomes an [`ApiError`], so it is rendered the one way
//! every problem is.

use std::time::Duration;

use poem::http::Method;
use poem::{Endpoint, IntoResponse, Request, Response};

use super::{ApiError, FieldError};
use crate::api::routes::RouteTable;

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
