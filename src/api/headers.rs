//! The response headers the layers around the operations add (the request
//! id on every response, the rate-limit fields on authenticated ones),
//! documented in one place for every response type that carries them:
//! `Errors<S>`, `RateLimited<T>` and `Traced<T>`.

use poem_openapi::registry::{MetaHeader, MetaResponses};
use poem_openapi::types::Type;

/// Adds to every response of `meta` the headers the layers put on it:
/// `X-Request-Id` always, and with `rate_limited` the `RateLimit-Policy` and
/// `RateLimit` fields (on every response but a 401, which has no quota).
pub fn document(meta: &mut MetaResponses, rate_limited: bool) {
    if rate_limited {
        document_rate_limit(meta);
    }
    document_request_id(meta);
}

/// Documents the rate-limit fields on every response of an authenticated
/// operation (all but the 401, which comes before the key is known).
fn document_rate_limit(meta: &mut MetaResponses) {
    let fields = [
        (
            "RateLimit-Policy",
            "The key's quota (draft-ietf-httpapi-ratelimit-headers): `q` requests \
             at once, refilled over `w` seconds.",
        ),
        (
            "RateLimit",
            "What is left of the key's quota: `r` requests now, full again in `t` \
             seconds. A 304 costs nothing.",
        ),
    ];
    for response in meta.responses.iter_mut().filter(|r| r.status != Some(401)) {
        for (name, description) in fields {
            response.headers.push(MetaHeader {
                name: name.to_owned(),
                description: Some(description.to_owned()),
                required: false,
                deprecated: false,
                schema: String::schema_ref(),
            });
        }
    }
}

/// Documents `X-Request-Id` on every response in `meta`.
fn document_request_id(meta: &mut MetaResponses) {
    for response in &mut meta.responses {
        response.headers.push(MetaHeader {
            name: "X-Request-Id".to_owned(),
            description: Some(
                "The request's id: the client's own when it sent a sane one (1–128 \
                 visible ASCII characters), else a new one. Also in problem bodies and \
                 in the server's log lines."
                    .to_owned(),
            ),
            required: true,
            deprecated: false,
            schema: String::schema_ref(),
        });
    }
}
