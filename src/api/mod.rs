//! The HTTP API: one `#[OpenApi]` struct per resource, with its request and
//! response objects, and the pure function that assembles the contract.

pub mod access;
pub mod account;
pub mod body;
pub mod conditional;
pub mod cursor;
pub mod headers;
pub mod health;
pub mod lists;
pub mod owners;
pub mod params;
pub mod routes;
pub mod tasks;
pub mod types;

use poem_openapi::registry::MetaApi;
use poem_openapi::{LicenseObject, OpenApi, OpenApiService};

/// Every operation: one `#[OpenApi]` struct per path.
pub type Endpoints = (
    tasks::CollectionApi,
    tasks::ChangesApi,
    tasks::BatchApi,
    tasks::ItemApi,
    tasks::TrashApi,
    tasks::TreeApi,
    lists::ListsApi,
    lists::MembersApi,
    account::AccountApi,
    owners::OwnersApi,
    health::HealthApi,
);

/// The typed metadata of every operation (paths, methods, parameters).
pub fn meta() -> Vec<MetaApi> {
    Endpoints::meta()
}

/// The OpenAPI service: the routes and the contract, with no runtime inputs,
/// so the server, the spec test and `tasks-api openapi` print one document.
pub fn service() -> OpenApiService<Endpoints, ()> {
    OpenApiService::new(Endpoints::default(), "tasks-api", env!("CARGO_PKG_VERSION"))
        .description(
            "A task list as a JSON REST API. Every error is an RFC 9457 \
         `application/problem+json` body; validation errors name every invalid \
         field at once.",
        )
        .license(LicenseObject::new("MIT OR Apache-2.0").url("https://opensource.org/licenses"))
}
