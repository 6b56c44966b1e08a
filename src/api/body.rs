//! JSON request bodies: media type, size limit, syntax, and every invalid
//! field reported at once. One extractor serves every operation.

use futures_util::StreamExt;
use poem::{Request, RequestBody};
use poem_openapi::registry::{MetaMediaType, MetaRequest, Registry};
use poem_openapi::types::Type;
use poem_openapi::{ApiExtractor, ApiExtractorType, ExtractParamOptions};
use serde_json::{Map, Value};

use crate::domain::Invalid;
use crate::error::{ApiError, FieldError};

/// The default of `--max-body-bytes`: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The largest request body accepted, in bytes (set by `--max-body-bytes`).
#[derive(Clone, Copy, Debug)]
pub struct BodyLimit(pub usize);

/// The route tree did not provide the body limit: a bug in `startup`.
#[derive(Debug, thiserror::Error)]
#[error("the request has no body limit (BodyLimit is not in the route's data)")]
struct NoBodyLimit;

/// A request object: its schema documents the body; `from_json` turns a
/// JSON object into the domain value, collecting every invalid member.
pub trait JsonInput: Type {
    type Output: Send;
    /// Accepted media types, the preferred one first.
    const MEDIA_TYPES: &'static [&'static str];

    fn from_json(object: &Map<String, Value>) -> Result<Self::Output, Vec<FieldError>>;
}

/// A parsed and validated JSON body of the shape `T` documents.
pub struct JsonBody<T: JsonInput> {
    pub value: T::Output,
    /// The body as sent, parsed: for fingerprinting it.
    pub raw: Map<String, Value>,
}

impl<T: JsonInput> JsonBody<T> {
    /// SHA-256 (hex) of the body's canonical JSON (members sorted by name,
    /// no insignificant whitespace): equal for semantically equal bodies.
    pub fn fingerprint(&self) -> String {
        // serde_json's map is ordered by key, so `to_string` is canonical;
        // a unit test fails if a dependency turns on `preserve_order`.
        let canonical = Value::Object(self.raw.clone()).to_string();
        crate::digest::sha256_hex(canonical.as_bytes())
    }
}

impl<'a, T: JsonInput> ApiExtractor<'a> for JsonBody<T> {
    const TYPES: &'static [ApiExtractorType] = &[ApiExtractorType::RequestObject];
    type ParamType = ();
    type ParamRawType = ();

    fn register(registry: &mut Registry) {
        T::register(registry);
    }

    fn request_meta() -> Option<MetaRequest> {
        Some(MetaRequest {
            description: None,
            content: T::MEDIA_TYPES
                .iter()
                .map(|&content_type| MetaMediaType {
                    content_type,
                    schema: T::schema_ref(),
                })
                .collect(),
            required: true,
        })
    }

    async fn from_request(
        request: &'a Request,
        body: &mut RequestBody,
        _param_opts: ExtractParamOptions<Self::ParamType>,
    ) -> poem::Result<Self> {
        if !accepts(request.content_type(), T::MEDIA_TYPES) {
            return Err(ApiError::unsupported_media_type(T::MEDIA_TYPES).into());
        }
        let limit = request
            .data::<BodyLimit>()
            .ok_or_else(|| ApiError::internal(&NoBodyLimit))?;
        let bytes = read_limited(request, body, limit.0).await?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|err| {
            let detail = if bytes.is_empty() {
                "the request body is empty; expected a JSON object".to_owned()
            } else {
                format!("the request body is not valid JSON: {err}")
            };
            ApiError::malformed_body(detail)
        })?;
        let Value::Object(object) = value else {
            return Err(ApiError::malformed_body("the request body must be a JSON object").into());
        };
        match T::from_json(&object) {
            Ok(value) => Ok(JsonBody { value, raw: object }),
            Err(errors) => Err(ApiError::validation(errors).into()),
        }
    }
}

/// Whether `content_type` is one of `accepted`, ignoring letter case and any
/// parameters such as `charset`.
fn accepts(content_type: Option<&str>, accepted: &[&str]) -> bool {
    let Some(content_type) = content_type else {
        return false;
    };
    let essence = content_type
        .split_once(';')
        .map_or(content_type, |(essence, _)| essence)
        .trim();
    accepted.iter().any(|a| a.eq_ignore_ascii_case(essence))
}

/// Reads the body, refusing it with 413 as soon as it is known to exceed
/// `limit`: from `Content-Length` before reading, or while reading a
/// chunked body.
async fn read_limited(
    request: &Request,
    body: &mut RequestBody,
    limit: usize,
) -> poem::Result<Vec<u8>> {
    let declared = request
        .headers()
        .get(poem::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(ApiError::payload_too_large(limit).into());
    }
    let mut stream = body.take()?.into_bytes_stream();
    let mut bytes = Vec::with_capacity(declared.map_or(0, |len| len as usize));
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|err| {
            ApiError::malformed_body(format!("the request body could not be read: {err}"))
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit).into());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// A member of a JSON object as sent: missing, `null`, or a value.
pub enum Member<'a> {
    Absent,
    Null,
    Value(&'a Value),
}

impl<'a> Member<'a> {
    pub fn of(object: &'a Map<String, Value>, name: &str) -> Self {
        match object.get(name) {
            None => Member::Absent,
            Some(Value::Null) => Member::Null,
            Some(value) => Member::Value(value),
        }
    }
}

/// The member `name` of `object`, parsed by `parse`; a parse failure is
/// recorded in `errors` (and reads as `Absent`).
pub fn member<T>(
    object: &Map<String, Value>,
    name: &str,
    errors: &mut Vec<FieldError>,
    parse: impl FnOnce(&Value) -> Result<T, Invalid>,
) -> Field<T> {
    match Member::of(object, name) {
        Member::Absent => Field::Absent,
        Member::Null => Field::Null,
        Member::Value(value) => match parse(value) {
            Ok(parsed) => Field::Value(parsed),
            Err(reason) => {
                errors.push(FieldError::body(name, reason));
                Field::Invalid
            }
        },
    }
}

/// A parsed member.
pub enum Field<T> {
    Absent,
    Null,
    Value(T),
    /// Present but invalid; already recorded as an error.
    Invalid,
}

pub fn string(value: &Value) -> Result<&str, Invalid> {
    value.as_str().ok_or("must be a string".into())
}

pub fn boolean(value: &Value) -> Result<bool, Invalid> {
    value.as_bool().ok_or("must be a boolean".into())
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn json_objects_serialise_with_sorted_members() {
        let a: serde_json::Value = serde_json::from_str(r#"{"b":1,"a":{"d":2,"c":3}}"#).unwrap();
        assert_eq!(a.to_string(), r#"{"a":{"c":3,"d":2},"b":1}"#);
    }

    #[test]
    fn json_media_type_matches_in_any_case_with_any_parameters() {
        let json = &["application/json"];
        assert!(accepts(Some("application/json"), json));
        assert!(accepts(Some("Application/JSON; charset=UTF-8"), json));
        assert!(accepts(Some("application/json;charset=latin1"), json));
        assert!(!accepts(Some("text/plain"), json));
        assert!(!accepts(Some("application/jsonx"), json));
        assert!(!accepts(None, json));
    }
}
