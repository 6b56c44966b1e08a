//! What operations take from the authentication layer: the [`Owner`] or
//! the whole [`Caller`] (each documents the bearer security scheme), and
//! [`RateLimited`] responses (documented with the rate-limit fields).

use poem::{IntoResponse, Request, RequestBody, Response};
use poem_openapi::registry::{MetaResponses, MetaSecurityScheme, Registry};
use poem_openapi::{ApiExtractor, ApiExtractorType, ApiResponse, ExtractParamOptions};

use super::store::Principal;
use crate::domain::OwnerId;
use crate::error::ApiError;

/// The security scheme's name in the contract.
const SCHEME: &str = "bearerAuth";

/// The owner a request was authenticated as. As an operation's parameter,
/// it documents the bearer security scheme.
#[derive(Clone, Copy, Debug)]
pub struct Owner(pub OwnerId);

/// The layer did not run before the operation: a bug in `startup`.
#[derive(Debug, thiserror::Error)]
#[error("the request reached an operation without passing authentication")]
struct NotAuthenticated;

impl<'a> ApiExtractor<'a> for Owner {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        registry.create_security_scheme(
            SCHEME,
            MetaSecurityScheme {
                ty: "http",
                description: Some(
                    "An API key (`tsk_…`): the server prints one (with every scope) on its \
                     first start; more with `POST /api/keys`, `POST /api/owners/{id}/keys` or \
                     `tasks-api keys create`. Where the server is given an OpenID Connect \
                     provider (`--oidc-issuer`), that provider's access tokens (JWTs) too, \
                     their scopes from the `scope` claim. A key holds scopes, and each operation lists the \
                     one it needs in its security requirement (a 403 `insufficient_scope` \
                     without it): `tasks:read` (read tasks, labels, the feed), `tasks:write` \
                     (change tasks), `keys:manage` (the caller's own keys), `admin` (owners \
                     and their keys). Keys made before scopes existed hold them all.",
                ),
                name: None,
                key_in: None,
                scheme: Some("bearer"),
                bearer_format: Some("tsk_… or a JWT"),
                flows: None,
                openid_connect_url: None,
            },
        );
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![SCHEME]
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        authenticated::<OwnerId>(request).map(Owner)
    }
}

/// What the authentication layer found for `request` (its owner, its
/// principal); a 500 if the layer did not run.
fn authenticated<T: Copy + Send + Sync + 'static>(request: &Request) -> poem::Result<T> {
    request
        .extensions()
        .get::<T>()
        .copied()
        .ok_or_else(|| ApiError::internal(&NotAuthenticated).into())
}

/// The credential a request was authenticated with: who, what it may do,
/// until when. As an operation's parameter, it documents the bearer
/// security scheme, as [`Owner`] does.
#[derive(Clone, Copy, Debug)]
pub struct Caller(pub Principal);

impl<'a> ApiExtractor<'a> for Caller {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::SecurityScheme];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        Owner::register(registry);
    }

    fn security_schemes() -> Vec<&'static str> {
        vec![SCHEME]
    }

    async fn from_request(
        request: &'a Request,
        _body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        authenticated::<Principal>(request).map(Caller)
    }
}

/// An authenticated operation's success response: `T`, documented with the
/// rate-limit fields the authentication layer adds.
pub struct RateLimited<T>(pub T);

impl<T: ApiResponse> ApiResponse for RateLimited<T> {
    fn meta() -> MetaResponses {
        let mut meta = T::meta();
        crate::api::headers::document(&mut meta, true);
        meta
    }

    fn register(registry: &mut Registry) {
        T::register(registry);
    }
}

impl<T: IntoResponse> IntoResponse for RateLimited<T> {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}
