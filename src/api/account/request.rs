//! A key to make (`POST /api/keys`, `POST /api/owners/{id}/keys`): the
//! body, its parsing, and what the new key may be granted.

use poem_openapi::Object;
use poem_openapi::types::Example;
use serde_json::{Map, Value};

use super::objects::example_expiry;
use crate::api::body::{Field, JsonInput, member, string};
use crate::auth::scope::{Scope, Scopes};
use crate::auth::store::{Grant, KeyError, Principal};
use crate::domain::Timestamp;
use crate::error::{ApiError, FieldError};
use crate::payload::JSON;

/// A key to make.
#[derive(Object)]
#[oai(example)]
pub struct KeyRequest {
    /// 1–100 characters (no control characters, Unicode `Cc`), unique
    /// among the owner's keys.
    #[oai(validator(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    name: String,
    /// What it may do: at least one scope, each held by the caller (one
    /// sent twice counts once).
    #[oai(validator(min_items = 1))]
    scopes: Vec<Scope>,
    /// When it stops working: in the future, and no later than the
    /// caller's own key (nor than the server's `--max-key-lifetime-days`).
    /// Left out or `null`: the latest of those, or never.
    #[oai(nullable, skip_serializing_if_is_none)]
    expires_at: Option<Timestamp>,
}

impl Example for KeyRequest {
    fn example() -> Self {
        Self {
            name: "phone".to_owned(),
            scopes: vec![Scope::TasksRead, Scope::TasksWrite],
            expires_at: Some(example_expiry()),
        }
    }
}

/// A parsed `KeyRequest`.
pub struct KeyAsked {
    pub name: String,
    pub scopes: Scopes,
    pub expires_at: Option<Timestamp>,
}

/// Most characters in a key's or an owner's name.
pub(super) const MAX_NAME_CHARS: usize = 100;

/// A name member: 1–100 characters, no control characters.
pub fn name_member(object: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Option<String> {
    match member(object, "name", errors, |v| string(v).map(str::to_owned)) {
        Field::Value(name) => {
            let chars = name.chars().count();
            if !(1..=MAX_NAME_CHARS).contains(&chars) || name.chars().any(char::is_control) {
                errors.push(FieldError::body(
                    "name",
                    "must be 1-100 characters, with no control characters",
                ));
                None
            } else {
                Some(name)
            }
        }
        Field::Absent => {
            errors.push(FieldError::body("name", "is required"));
            None
        }
        Field::Null => {
            errors.push(FieldError::body("name", "must be a string"));
            None
        }
        Field::Invalid => None,
    }
}

impl JsonInput for KeyRequest {
    type Output = KeyAsked;
    const MEDIA_TYPES: &'static [&'static str] = &[JSON];

    fn from_json(object: &Map<String, Value>) -> Result<KeyAsked, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = name_member(object, &mut errors);
        let scopes = match object.get("scopes") {
            Some(Value::Array(items)) if !items.is_empty() => {
                let mut scopes = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item.as_str().and_then(Scope::named) {
                        Some(scope) => scopes.push(scope),
                        None => errors.push(FieldError::at(
                            format!("#/scopes/{i}"),
                            "must be tasks:read, tasks:write, keys:manage or admin",
                        )),
                    }
                }
                Some(scopes.into_iter().collect::<Scopes>())
            }
            _ => {
                errors.push(FieldError::body(
                    "scopes",
                    "must be an array of at least one scope",
                ));
                None
            }
        };
        let expires_at = match member(object, "expires_at", &mut errors, |v| {
            Timestamp::parse_rfc3339(string(v)?)
        }) {
            Field::Value(at) => Some(at),
            _ => None,
        };
        match (name, scopes) {
            (Some(name), Some(scopes)) if errors.is_empty() => Ok(KeyAsked {
                name,
                scopes,
                expires_at,
            }),
            _ => Err(errors),
        }
    }
}

impl KeyAsked {
    /// What the new key is granted, made by `maker`: scopes `maker` holds
    /// (any, for an admin making another owner's key) and an expiry no
    /// later than `maker`'s nor than `max_lifetime` from now.
    pub fn grant(
        &self,
        maker: &Principal,
        max_lifetime: Option<std::time::Duration>,
        any_scope: bool,
    ) -> Result<Grant, ApiError> {
        if !any_scope && let Some(beyond) = self.scopes.iter().find(|s| !maker.scopes.contains(*s))
        {
            return Err(ApiError::insufficient_scope(
                poem_openapi::OAuthScopes::name(&beyond),
            ));
        }
        let now = Timestamp::now();
        let operator_bound = max_lifetime.and_then(|lifetime| now.plus(lifetime));
        let bound = [maker.expires_at.filter(|_| !any_scope), operator_bound]
            .into_iter()
            .flatten()
            .min();
        let expires_at = match (self.expires_at, bound) {
            (Some(at), _) if at <= now => {
                return Err(ApiError::validation(vec![FieldError::body(
                    "expires_at",
                    "must be in the future",
                )]));
            }
            (Some(at), Some(bound)) if at > bound => {
                return Err(ApiError::validation(vec![FieldError::body(
                    "expires_at",
                    format!(
                        "must be no later than {} (the calling key's expiry or the server's maximum)",
                        bound.to_rfc3339()
                    ),
                )]));
            }
            (Some(at), _) => Some(at),
            (None, bound) => bound,
        };
        Ok(Grant {
            scopes: self.scopes,
            expires_at,
        })
    }
}

/// The problem for a key that could not be made.
pub fn key_error(err: KeyError) -> ApiError {
    match err {
        KeyError::NameTaken { name, .. } => ApiError::conflict(
            "name-taken",
            "Name taken",
            format!("the owner already has a key named {name:?}"),
        ),
        KeyError::Db(err) => err.into(),
        other => ApiError::internal(&other),
    }
}
