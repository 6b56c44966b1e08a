//! Why a request was not authenticated: the 401's detail and its
//! `WWW-Authenticate` challenge (RFC 6750 §3).

use poem::Request;
use poem::http::header;

use super::oidc::Refusal;
use crate::db::DbError;

/// Why a request was not authenticated.
pub(super) enum Failure {
    Missing,
    NotBearer,
    Malformed,
    Invalid,
    Expired(crate::domain::Timestamp),
    Disabled,
    Token(Refusal),
    Db(DbError),
}

/// The identity provider's keys could not be fetched: a 503, not a 401,
/// since the token may well be good.
#[derive(Debug, thiserror::Error)]
#[error("the identity provider's keys could not be fetched")]
pub(super) struct ProviderUnavailable;

impl Failure {
    pub(super) fn detail(&self) -> String {
        match self {
            Failure::Missing => "this request needs an API key: Authorization: Bearer tsk_…".into(),
            Failure::NotBearer => "the Authorization header must be `Bearer` and an API key".into(),
            Failure::Malformed => {
                "the bearer token is not an API key (tsk_…) or an accepted JWT".into()
            }
            Failure::Invalid => "the API key is not valid: unknown or revoked".into(),
            Failure::Expired(at) => format!("the API key expired at {}", at.to_rfc3339()),
            Failure::Disabled => "the credential's owner is disabled".into(),
            Failure::Token(refusal) => {
                format!("the bearer token was refused: {}", refusal.description())
            }
            Failure::Db(_) => "the credential could not be checked".into(),
        }
    }

    /// `WWW-Authenticate` (RFC 6750 §3): no error code when no key was
    /// sent; the reason in `error_description` when one is known.
    pub(super) fn challenge(&self) -> String {
        const REALM: &str = "Bearer realm=\"tasks-api\"";
        match self {
            Failure::Missing => REALM.to_owned(),
            Failure::NotBearer => format!("{REALM}, error=\"invalid_request\""),
            Failure::Malformed | Failure::Invalid | Failure::Db(_) => {
                format!("{REALM}, error=\"invalid_token\"")
            }
            Failure::Token(refusal) => format!(
                "{REALM}, error=\"invalid_token\", error_description=\"{}\"",
                refusal.description().replace('"', "'")
            ),
            Failure::Expired(_) => {
                format!("{REALM}, error=\"invalid_token\", error_description=\"the key expired\"")
            }
            Failure::Disabled => format!(
                "{REALM}, error=\"invalid_token\", error_description=\"the owner is disabled\""
            ),
        }
    }
}

/// The token of `Authorization: Bearer <token>` (scheme in any case).
pub(super) fn bearer_token(req: &Request) -> Result<&str, Failure> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or(Failure::Missing)?;
    let text = value.to_str().map_err(|_| Failure::NotBearer)?;
    let (scheme, token) = text.trim().split_once(' ').ok_or(Failure::NotBearer)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Failure::NotBearer);
    }
    Ok(token.trim())
}
