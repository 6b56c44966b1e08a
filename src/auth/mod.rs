//! Who is asking, and how much: owners, API keys (`Authorization: Bearer
//! tsk_…`), per-key rate limits, and the limit on failed authentications per
//! client address. The layer in front of the API authenticates; operations
//! take the [`Owner`] it found.

pub mod admin;
pub mod audit;
mod extract;
mod failure;
mod key;
mod limits;
pub mod oidc;
pub mod scope;
pub mod store;

use std::net::{IpAddr, Ipv6Addr};
use std::sync::Arc;
use std::time::Duration;

use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};

pub use self::extract::{Caller, Owner, RateLimited};
use self::failure::{Failure, ProviderUnavailable, bearer_token};
use self::key::PresentedKey;
use self::limits::{Buckets, Decision, Policy};
use self::oidc::{Oidc, OidcSettings, Refusal};
use self::scope::{Scope, Scopes};
use self::store::{Credential, KeyStore, Principal, RateKey, Verdict};
use crate::api::routes::RouteTable;
use crate::db::{Db, DbError};
use crate::domain::OwnerId;
use crate::error::ApiError;
use crate::observe::metrics::Metrics;

/// How requests are authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every request to the API needs a valid key (the default).
    Key,
    /// No keys: every request acts as the first owner. Single-user, local.
    None,
}

/// The knobs, from the configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    pub mode: Mode,
    /// Requests per second each key may make, on average.
    pub per_sec: f64,
    /// Requests a key may make at once after a quiet spell.
    pub burst: f64,
    /// How long a verified key is trusted without a lookup: a revoked key
    /// is refused by every process within this.
    pub key_cache: Duration,
    /// Failed authentications a client address may make at once…
    pub failure_burst: f64,
    /// …and then per minute.
    pub failures_per_min: f64,
    /// The longest a key made over HTTP may live.
    pub max_key_lifetime: Option<Duration>,
    /// The identity provider whose tokens are accepted too, if any.
    pub oidc: Option<OidcSettings>,
}

/// The authentication layer's state: one per process.
pub struct Auth {
    metrics: Option<Arc<Metrics>>,
    mode: Mode,
    first_owner: OwnerId,
    keys: KeyStore,
    /// The scopes each operation declares.
    routes: RouteTable,
    max_key_lifetime: Option<Duration>,
    oidc: Option<Oidc>,
    /// Identity-provider subjects seen lately: their owner, when looked up.
    subjects: std::sync::Mutex<std::collections::HashMap<String, (OwnerId, std::time::Instant)>>,
    key_cache: Duration,
    db: Db,
    requests: Buckets<RateKey>,
    failures: Buckets<IpAddr>,
}

impl Auth {
    pub async fn new(db: &Db, settings: Settings) -> Result<Self, AuthError> {
        let oidc = settings
            .oidc
            .clone()
            .map(|oidc| Oidc::new(oidc, settings.key_cache))
            .transpose()?;
        Ok(Self {
            metrics: db.metrics().cloned(),
            mode: settings.mode,
            first_owner: store::first_owner(db).await?,
            keys: KeyStore::new(db.clone(), settings.key_cache),
            routes: RouteTable::from_meta(&crate::api::meta()),
            max_key_lifetime: settings.max_key_lifetime,
            oidc,
            subjects: std::sync::Mutex::new(std::collections::HashMap::new()),
            key_cache: settings.key_cache,
            db: db.clone(),
            requests: Buckets::new(Policy {
                name: "per-key",
                per_sec: settings.per_sec,
                burst: settings.burst,
            }),
            failures: Buckets::new(Policy {
                name: "auth-failures",
                per_sec: settings.failures_per_min / 60.0,
                burst: settings.failure_burst,
            }),
        })
    }

    /// Serves `req` through `inner` if it may be: public paths as they are,
    /// the API only with a valid key and within the key's rate limit.
    pub async fn call<E: Endpoint<Output = Response>>(
        &self,
        inner: &E,
        mut req: Request,
    ) -> poem::Result<Response> {
        if is_public(req.uri().path()) {
            return inner.call(req).await;
        }
        let principal = match self.mode {
            Mode::None => {
                req.extensions_mut().insert(self.first_owner);
                req.extensions_mut().insert(Principal {
                    owner: self.first_owner,
                    credential: Credential::Anonymous,
                    scopes: Scopes::all(),
                    expires_at: None,
                });
                let resp = inner.call(req).await?;
                return Ok(private(owned_by(resp, self.first_owner)));
            }
            Mode::Key => match self.authenticate(&req).await {
                Ok(principal) => principal,
                Err(problem) => return Ok(private(problem.into_response())),
            },
        };
        let decision = self.requests.take(&principal.rate_key());
        if let Decision::Limited { retry_after, .. } = decision {
            self.count_limited("key");
            let whose = match principal.credential {
                Credential::Key(_) => "this API key",
                _ => "this owner's tokens",
            };
            let resp = ApiError::too_many_requests(retry_after, whose).into_response();
            let resp = owned_by(private(resp), principal.owner);
            return Ok(self.with_rate_limit(resp, decision));
        }
        if let Some(missing) = self.missing_scope(&req, principal.scopes) {
            let resp = ApiError::insufficient_scope(missing).into_response();
            let resp = owned_by(private(resp), principal.owner);
            return Ok(self.with_rate_limit(resp, decision));
        }
        req.extensions_mut().insert(principal.owner);
        req.extensions_mut().insert(principal);
        let resp = owned_by(inner.call(req).await?, principal.owner);
        let decision = if resp.status() == StatusCode::NOT_MODIFIED {
            // A 304 costs nothing (as GitHub's limits do): polling with
            // If-None-Match is how clients should check for changes.
            self.requests.refund(&principal.rate_key());
            match decision {
                Decision::Allowed { remaining, reset } => Decision::Allowed {
                    remaining: remaining + 1,
                    reset,
                },
                limited => limited,
            }
        } else {
            decision
        };
        Ok(self.with_rate_limit(private(resp), decision))
    }

    /// The first scope the operation `req` asks for declares that `held`
    /// lacks, if any.
    fn missing_scope(&self, req: &Request, held: Scopes) -> Option<&'static str> {
        let needed = self
            .routes
            .scopes_for(req.method().as_str(), req.uri().path());
        needed
            .iter()
            .copied()
            .find(|name| !Scope::named(name).is_some_and(|scope| held.contains(scope)))
    }

    /// The longest a key made over HTTP may live.
    pub fn max_key_lifetime(&self) -> Option<Duration> {
        self.max_key_lifetime
    }

    /// Forgets the cached keys of `owner`: this process refuses a disabled
    /// owner's keys at once.
    pub fn forget_owner(&self, owner: OwnerId) {
        self.keys.forget_owner(owner);
        if let Ok(mut subjects) = self.subjects.lock() {
            subjects.retain(|_, (cached, _)| *cached != owner);
        }
    }

    /// The principal of a verified identity-provider token: its owner
    /// (`oidc:` and the subject; made on first sight), unless disabled.
    async fn token_principal(&self, verified: oidc::Verified) -> Result<Principal, Failure> {
        let now = std::time::Instant::now();
        let cached = self.subjects.lock().ok().and_then(|subjects| {
            subjects
                .get(&verified.subject)
                .filter(|(_, checked)| now.duration_since(*checked) < self.key_cache)
                .map(|(owner, _)| *owner)
        });
        let owner = match cached {
            Some(owner) => owner,
            None => {
                let name = format!("oidc:{}", verified.subject);
                let info = store::owner_named(&self.db, &name)
                    .await
                    .map_err(Failure::Db)?;
                if info.disabled_at.is_some() {
                    return Err(Failure::Disabled);
                }
                if let Ok(mut subjects) = self.subjects.lock() {
                    subjects.insert(verified.subject.clone(), (info.id, now));
                }
                info.id
            }
        };
        Ok(Principal {
            owner,
            credential: Credential::Token,
            scopes: verified.scopes,
            expires_at: verified.expires_at,
        })
    }

    /// The key's principal, or the problem to answer: 401 for a missing,
    /// invalid or expired key or a disabled owner, 429 once the client
    /// address has failed too often.
    async fn authenticate(&self, req: &Request) -> Result<Principal, ApiError> {
        let address = client_address(req);
        if let Some(retry_after) = self.failures.is_empty(&address) {
            self.count_limited("auth_failures");
            return Err(ApiError::too_many_requests(
                retry_after,
                "failed authentications from this address",
            ));
        }
        let failure = match bearer_token(req) {
            Err(reason) => reason,
            Ok(token) => match (PresentedKey::parse(token), &self.oidc) {
                (Some(key), _) => match self.keys.verify(&key).await? {
                    Verdict::Valid(principal) => return Ok(principal),
                    Verdict::Expired(at) => Failure::Expired(at),
                    Verdict::Disabled => Failure::Disabled,
                    Verdict::Unknown => Failure::Invalid,
                },
                (None, Some(oidc)) if Oidc::looks_like_jwt(token) => {
                    match oidc.verify(token).await {
                        Ok(verified) => match self.token_principal(verified).await {
                            Ok(principal) => return Ok(principal),
                            Err(Failure::Db(err)) => return Err(err.into()),
                            Err(failure) => failure,
                        },
                        Err(Refusal::Provider) => {
                            return Err(ApiError::unavailable(&ProviderUnavailable));
                        }
                        Err(refusal) => Failure::Token(refusal),
                    }
                }
                (None, _) => Failure::Malformed,
            },
        };
        self.failures.take(&address);
        Err(ApiError::unauthorized(
            &failure.detail(),
            &failure.challenge(),
        ))
    }

    fn count_limited(&self, reason: &'static str) {
        if let Some(metrics) = &self.metrics {
            metrics.rate_limited(reason);
        }
    }

    fn with_rate_limit(&self, mut resp: Response, decision: Decision) -> Response {
        let policy = &self.requests.policy;
        for (name, value) in [
            ("ratelimit-policy", policy.header()),
            ("ratelimit", decision.header(policy)),
        ] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                resp.headers_mut().insert(name, value);
            }
        }
        resp
    }
}

/// Why the authentication layer could not be built.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the identity provider's HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// The peer's address (behind a proxy, the proxy's: see docs/security.md).
fn client_address(req: &Request) -> IpAddr {
    req.remote_addr()
        .as_socket_addr()
        .map_or(IpAddr::V6(Ipv6Addr::UNSPECIFIED), |addr| addr.ip())
}

/// Paths anyone may read: probes, the documentation, the contract and the
/// metrics (serve those on `--metrics-bind` to keep them private).
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/healthz"
            | "/readyz"
            | "/openapi.json"
            | "/openapi.yaml"
            | "/favicon.ico"
            | "/docs"
            | "/metrics"
    ) || path.starts_with("/docs/")
}

/// Notes whose response this is, for the access log.
fn owned_by(mut resp: Response, owner: OwnerId) -> Response {
    resp.extensions_mut().insert(owner);
    resp
}

/// Authenticated responses are for one owner: never stored by shared
/// caches. One with an ETag may be kept by the client and revalidated
/// (`If-None-Match`); any other is not to be stored at all.
fn private(mut resp: Response) -> Response {
    let value = if resp.headers().contains_key(header::ETAG) {
        "private, no-cache"
    } else {
        "no-store"
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    resp
}
