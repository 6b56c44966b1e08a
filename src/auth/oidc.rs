//! Sign-in through an OpenID Connect provider: with `--oidc-issuer` and
//! `--oidc-audience`, a bearer token that is not an API key is taken as a
//! JWT the provider signed. Its discovery document and JWKS are fetched on
//! first use and cached; a token whose `kid` the cache lacks refetches the
//! JWKS once (at most every `REFETCH_EVERY`), so keys rotate without a
//! restart. RS256, ES256 and EdDSA only: `none`, HMAC (an HS256 token
//! "signed" with the provider's public key) and anything else are refused
//! before any key is looked at. `iss`, `aud`, `exp` and `nbf` are checked
//! with `LEEWAY`. The verification itself is the `jsonwebtoken` crate's.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;

use super::scope::{Scope, Scopes};
use crate::domain::Timestamp;
use crate::telemetry::error_chain;

/// The algorithms a provider's token may be signed with.
const ALLOWED: [(&str, Algorithm); 3] = [
    ("RS256", Algorithm::RS256),
    ("ES256", Algorithm::ES256),
    ("EdDSA", Algorithm::EdDSA),
];

/// Clock skew allowed on `exp` and `nbf`, in seconds.
const LEEWAY: u64 = 60;

/// The least time between two JWKS fetches for an unknown `kid`.
pub const REFETCH_EVERY: Duration = Duration::from_secs(30);

/// How long the provider is given to answer.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// How long after a failed first fetch tokens are refused (503) without
/// asking the provider again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(10);

/// The configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcSettings {
    /// The issuer URL, exactly as the provider's tokens and discovery
    /// document name it.
    pub issuer: String,
    /// The audience tokens must be for (`aud`).
    pub audience: String,
    /// The claim that names the owner (`sub` by default).
    pub owner_claim: String,
}

/// Why a token was refused: the `error_description` of the 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Malformed,
    Algorithm(String),
    UnknownKey,
    Signature,
    Issuer,
    Audience,
    Expired,
    NotYetValid,
    NoOwner,
    /// The provider could not be reached or answered nonsense.
    Provider,
}

impl Refusal {
    pub fn description(&self) -> String {
        match self {
            Refusal::Malformed => "the bearer token is neither an API key nor a JWT".into(),
            Refusal::Algorithm(alg) => format!(
                "the token's algorithm {alg:?} is not accepted (RS256, ES256 or EdDSA only)"
            ),
            Refusal::UnknownKey => "the token's signing key is not one of the provider's".into(),
            Refusal::Signature => "the token's signature does not verify".into(),
            Refusal::Issuer => "the token was not issued by the configured provider".into(),
            Refusal::Audience => "the token is not for this audience".into(),
            Refusal::Expired => "the token has expired".into(),
            Refusal::NotYetValid => "the token is not valid yet (nbf)".into(),
            Refusal::NoOwner => "the token names no owner (its owner claim is missing)".into(),
            Refusal::Provider => "the identity provider's keys could not be fetched".into(),
        }
    }
}

/// A verified token: whose, what it may do, until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    /// The owner claim's value.
    pub subject: String,
    /// The scopes of its `scope` claim this API knows (others, such as
    /// `openid`, are ignored).
    pub scopes: Scopes,
    pub expires_at: Option<Timestamp>,
}

#[derive(Deserialize)]
struct Discovery {
    issuer: String,
    jwks_uri: String,
}

/// The provider's keys as last fetched.
struct Keys {
    jwks_uri: String,
    set: JwkSet,
    fetched: Instant,
}

/// Most tokens whose verification is remembered (the map is cleared when
/// it is full: a client holds one token at a time).
const VERIFIED_CAPACITY: usize = 10_000;

/// One provider: its settings, an HTTP client, the cached keys, and the
/// tokens verified lately (a signature check costs more than a request).
pub struct Oidc {
    settings: OidcSettings,
    http: reqwest::Client,
    keys: tokio::sync::Mutex<Option<Keys>>,
    /// When the JWKS was last fetched for an unknown `kid`.
    last_refetch: Mutex<Option<Instant>>,
    /// When fetching the provider's keys the first time last failed.
    last_failure: Mutex<Option<Instant>>,
    /// SHA-256 of a token → what it verified as, and when: trusted for
    /// `remember` (and never past the token's `exp`).
    verified: Mutex<HashMap<String, (Verified, Instant)>>,
    remember: Duration,
}

impl Oidc {
    /// `remember`: how long a verified token is trusted without checking
    /// it again (the server's `--key-cache-secs`).
    pub fn new(settings: OidcSettings, remember: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            settings,
            http,
            keys: tokio::sync::Mutex::new(None),
            last_refetch: Mutex::new(None),
            last_failure: Mutex::new(None),
            verified: Mutex::new(HashMap::new()),
            remember,
        })
    }

    /// Whether `token` looks like a JWT: three base64url parts, the last
    /// (the signature) possibly empty, as an `alg: none` token's is.
    pub fn looks_like_jwt(token: &str) -> bool {
        let parts: Vec<&str> = token.split('.').collect();
        let base64url = |p: &str| {
            p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        parts.len() == 3
            && parts.iter().all(|p| base64url(p))
            && parts.iter().take(2).all(|p| !p.is_empty())
    }

    /// Verifies `token` (or remembers having done so lately), fetching the
    /// provider's keys if needed.
    pub async fn verify(&self, token: &str) -> Result<Verified, Refusal> {
        let digest = crate::digest::sha256_hex(token.as_bytes());
        let now = Instant::now();
        let remembered = self.verified.lock().ok().and_then(|verified| {
            verified
                .get(&digest)
                .filter(|(_, at)| now.duration_since(*at) < self.remember)
                .map(|(v, _)| v.clone())
        });
        if let Some(known) = remembered
            && known.expires_at.is_none_or(|exp| exp > Timestamp::now())
        {
            return Ok(known);
        }
        let verified = self.check(token).await?;
        if let Ok(mut map) = self.verified.lock() {
            if map.len() >= VERIFIED_CAPACITY {
                map.clear();
            }
            map.insert(digest, (verified.clone(), now));
        }
        Ok(verified)
    }

    /// Verifies `token` against the provider's keys.
    async fn check(&self, token: &str) -> Result<Verified, Refusal> {
        let algorithm = header_algorithm(token)?;
        let header = jsonwebtoken::decode_header(token).map_err(|_| Refusal::Malformed)?;
        let key = self.key_for(header.kid.as_deref()).await?;
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&self.settings.issuer]);
        validation.set_audience(&[&self.settings.audience]);
        validation.leeway = LEEWAY;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp", "iss", "aud"]);
        let data = jsonwebtoken::decode::<HashMap<String, Value>>(token, &key, &validation)
            .map_err(|err| match err.kind() {
                ErrorKind::ExpiredSignature => Refusal::Expired,
                ErrorKind::ImmatureSignature => Refusal::NotYetValid,
                ErrorKind::InvalidIssuer => Refusal::Issuer,
                ErrorKind::InvalidAudience => Refusal::Audience,
                ErrorKind::InvalidSignature => Refusal::Signature,
                ErrorKind::InvalidAlgorithm | ErrorKind::InvalidKeyFormat => {
                    Refusal::Algorithm(format!("{algorithm:?}"))
                }
                _ => Refusal::Malformed,
            })?;
        let claims = data.claims;
        let subject = match claims.get(&self.settings.owner_claim) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => return Err(Refusal::NoOwner),
        };
        let scopes = claims
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .split_ascii_whitespace()
            .filter_map(Scope::named)
            .collect();
        let expires_at = claims
            .get("exp")
            .and_then(Value::as_i64)
            .and_then(|secs| Timestamp::from_micros(secs.saturating_mul(1_000_000)));
        Ok(Verified {
            subject,
            scopes,
            expires_at,
        })
    }

    /// The decoding key named `kid` (or the only key, when the token names
    /// none), refetching the JWKS once for an unknown one.
    async fn key_for(&self, kid: Option<&str>) -> Result<DecodingKey, Refusal> {
        let mut keys = self.keys.lock().await;
        if keys.is_none() {
            // A provider that just failed is not asked again at once: each
            // token would wait out the fetch timeout behind this lock.
            let failed_lately = self
                .last_failure
                .lock()
                .ok()
                .and_then(|at| *at)
                .is_some_and(|at| at.elapsed() < RETRY_AFTER_FAILURE);
            if failed_lately {
                return Err(Refusal::Provider);
            }
            match self.fetch(None).await {
                Ok(fetched) => *keys = Some(fetched),
                Err(refusal) => {
                    if let Ok(mut at) = self.last_failure.lock() {
                        *at = Some(Instant::now());
                    }
                    return Err(refusal);
                }
            }
        }
        if let Some(found) = keys.as_ref().and_then(|k| find(&k.set, kid)) {
            return Ok(found);
        }
        if !self.may_refetch() {
            return Err(Refusal::UnknownKey);
        }
        let jwks_uri = keys.as_ref().map(|k| k.jwks_uri.clone());
        *keys = Some(self.fetch(jwks_uri).await?);
        keys.as_ref()
            .and_then(|k| find(&k.set, kid))
            .ok_or(Refusal::UnknownKey)
    }

    /// Whether an unknown `kid` may refetch now (and notes that it does).
    fn may_refetch(&self) -> bool {
        let Ok(mut last) = self.last_refetch.lock() else {
            return false;
        };
        let now = Instant::now();
        if last.is_some_and(|at| now.duration_since(at) < REFETCH_EVERY) {
            return false;
        }
        *last = Some(now);
        true
    }

    /// The discovery document (unless `jwks_uri` is known) and the JWKS.
    async fn fetch(&self, jwks_uri: Option<String>) -> Result<Keys, Refusal> {
        let jwks_uri = match jwks_uri {
            Some(uri) => uri,
            None => {
                let url = format!(
                    "{}/.well-known/openid-configuration",
                    self.settings.issuer.trim_end_matches('/')
                );
                let discovery: Discovery = self.get_json(&url).await?;
                if discovery.issuer != self.settings.issuer {
                    tracing::warn!(
                        configured = %self.settings.issuer,
                        discovered = %discovery.issuer,
                        "the identity provider's discovery document names another issuer"
                    );
                    return Err(Refusal::Provider);
                }
                discovery.jwks_uri
            }
        };
        let set: JwkSet = self.get_json(&jwks_uri).await?;
        tracing::info!(keys = set.keys.len(), %jwks_uri, "fetched the identity provider's keys");
        Ok(Keys {
            jwks_uri,
            set,
            fetched: Instant::now(),
        })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, Refusal> {
        let fetched = async {
            self.http
                .get(url)
                .send()
                .await?
                .error_for_status()?
                .json::<T>()
                .await
        };
        fetched.await.map_err(|err| {
            tracing::warn!(error = %error_chain(&err), url, "could not fetch from the identity provider");
            Refusal::Provider
        })
    }

    /// When the keys were last fetched (for the log and tests).
    pub async fn keys_fetched(&self) -> Option<Instant> {
        self.keys.lock().await.as_ref().map(|k| k.fetched)
    }
}

/// The key `kid` names in `set`, or its only key when `kid` is `None`.
fn find(set: &JwkSet, kid: Option<&str>) -> Option<DecodingKey> {
    let jwk = match kid {
        Some(kid) => set.find(kid)?,
        None if set.keys.len() == 1 => set.keys.first()?,
        None => return None,
    };
    DecodingKey::from_jwk(jwk).ok()
}

/// The token's `alg`, if it is one of `ALLOWED`: read from the header
/// before anything else, so `none` and HMAC never reach a key.
fn header_algorithm(token: &str) -> Result<Algorithm, Refusal> {
    let encoded = token.split('.').next().ok_or(Refusal::Malformed)?;
    let bytes = URL_SAFE_NO_PAD
        .decode(encoded)
        .map_err(|_| Refusal::Malformed)?;
    let header: Value = serde_json::from_slice(&bytes).map_err(|_| Refusal::Malformed)?;
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .ok_or(Refusal::Malformed)?;
    ALLOWED
        .iter()
        .find(|(name, _)| *name == alg)
        .map(|(_, algorithm)| *algorithm)
        .ok_or_else(|| Refusal::Algorithm(alg.chars().take(16).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_and_hmac_are_refused_from_the_header_alone() {
        let token = |alg: &str| {
            let header = URL_SAFE_NO_PAD.encode(format!("{{\"alg\":\"{alg}\",\"typ\":\"JWT\"}}"));
            format!("{header}.e30.c2ln")
        };
        for alg in ["none", "HS256", "HS512", "RS512", "PS256"] {
            assert_eq!(
                header_algorithm(&token(alg)),
                Err(Refusal::Algorithm(alg.to_owned()))
            );
        }
        assert_eq!(header_algorithm(&token("RS256")), Ok(Algorithm::RS256));
        assert_eq!(header_algorithm("x.y.z"), Err(Refusal::Malformed));
        assert!(Oidc::looks_like_jwt(&token("RS256")));
        assert!(!Oidc::looks_like_jwt("tsk_abc"));
    }
}
